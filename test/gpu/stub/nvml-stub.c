/* A stand-in for the NVIDIA driver's libnvidia-ml.so.1, for the tests of peak-mem's GPU
 * reporting on machines without a GPU. It has nvml.h's C ABI for the entry points peak-mem
 * uses, and answers from small files the tests write, read afresh at every call:
 *
 *   $NVML_STUB_DIR/config          lines (anything else is ignored):
 *     device <index> <total_bytes> <name...>   devices 0..N-1 (the count stops at the first gap)
 *     accounting <index> <0|1>                 accounting mode (default 0, as a driver ships)
 *     base_used <index> <bytes>                used by something outside any test
 *     init_ms <n>                              nvmlInit sleeps that long (a slow driver start)
 *     driver <version>                         what nvmlSystemGetDriverVersion says (default 999.99.99)
 *   $NVML_STUB_DIR/use/<device>.<pid>          "<used_bytes> <max_bytes> [compute|graphics|both]"
 *   $NVML_STUB_DIR/calls                       appended: "loaded <pid>" when loaded, "init <pid>"
 *                                              as nvmlInit_v2 or nvmlInit starts (before init_ms),
 *                                              "shutdown <pid>" for each nvmlShutdown that succeeds
 *
 * A use file's pid is in the running lists and the device's used bytes only while that pid is
 * alive, as a driver drops a process when it exits; accounting answers from the file whether
 * or not it is. With NVML_STUB_DIR unset or empty, nvmlInit fails with DRIVER_NOT_LOADED, as
 * on a machine whose driver is not loaded; set but without a config, there are no devices.
 * Inits are counted as the driver counts them: calls fail with UNINITIALIZED until the first
 * and after the shutdown that matches the last.
 *
 * Built with -DSTUB_OLD_DRIVER, the _v2/_v3 process lists and nvmlDeviceGetMemoryInfo_v2 are
 * left out, as a driver older than them lacks them.
 * Plain POSIX and libc only; no threads. */
#define _POSIX_C_SOURCE 200809L /* kill, nanosleep and O_CLOEXEC under a strict -std too */
#include <dirent.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

typedef int nvmlReturn_t;
enum {
  NVML_SUCCESS = 0,
  NVML_ERROR_UNINITIALIZED = 1,
  NVML_ERROR_INVALID_ARGUMENT = 2,
  NVML_ERROR_NOT_SUPPORTED = 3,
  NVML_ERROR_NOT_FOUND = 6,
  NVML_ERROR_INSUFFICIENT_SIZE = 7,
  NVML_ERROR_DRIVER_NOT_LOADED = 9,
  NVML_ERROR_ARGUMENT_VERSION_MISMATCH = 25,
  NVML_ERROR_UNKNOWN = 999,
};

typedef struct {
  unsigned long long total, free, used;
} nvmlMemory_t;

typedef struct {
  unsigned int version;
  unsigned long long total, reserved, free, used;
} nvmlMemory_v2_t;

/* The version word a caller of nvmlDeviceGetMemoryInfo_v2 must set: the struct's size, and 2. */
#define NVML_MEMORY_V2 ((unsigned int)(sizeof(nvmlMemory_v2_t) | (2u << 24)))

typedef struct {
  unsigned int pid;
  unsigned long long usedGpuMemory;
} nvmlProcessInfo_v1_t;

typedef struct {
  unsigned int pid;
  unsigned long long usedGpuMemory;
  unsigned int gpuInstanceId, computeInstanceId;
} nvmlProcessInfo_t;

typedef struct {
  unsigned int gpuUtilization, memoryUtilization;
  unsigned long long maxMemoryUsage, time, startTime;
  unsigned int isRunning;
  unsigned int reserved[5];
} nvmlAccountingStats_t;

/* Layouts peak-mem reads at fixed offsets: a wrong one must not build. */
_Static_assert(sizeof(nvmlMemory_t) == 24, "nvmlMemory_t");
_Static_assert(sizeof(nvmlMemory_v2_t) == 40, "nvmlMemory_v2_t");
_Static_assert(sizeof(nvmlProcessInfo_v1_t) == 16, "nvmlProcessInfo_v1_t");
_Static_assert(sizeof(nvmlProcessInfo_t) == 24, "nvmlProcessInfo_t");
_Static_assert(sizeof(nvmlAccountingStats_t) == 56, "nvmlAccountingStats_t");

#define MAX_DEVICES 16
#define MAX_ENTRIES 1024
#define NAME_BYTES 96 /* a device name's buffer in nvml.h, its terminator included */
#define KIND_COMPUTE 1
#define KIND_GRAPHICS 2

/* A handle is the address of one of these: callers only pass it back. */
struct nvmlDevice_st {
  unsigned int index;
};
typedef struct nvmlDevice_st *nvmlDevice_t;
static struct nvmlDevice_st handles[MAX_DEVICES];

struct device_config {
  int present, accounting;
  unsigned long long total, base_used;
  char name[NAME_BYTES];
};

struct config {
  unsigned int count;
  long init_ms;
  char driver[80];
  struct device_config devices[MAX_DEVICES];
};

struct use {
  unsigned int pid;
  unsigned long long used, max;
  /* When its file was last written, µs since the epoch: it stands in for the process's start,
   * which a driver stamps its accounting record with (peak-mem refuses records older than its run). */
  unsigned long long start_us;
  int kind, alive;
};

/* nvmlInit counts: calls work until as many nvmlShutdown calls as inits. */
static int init_count;

static const char *stub_dir(void) {
  const char *dir = getenv("NVML_STUB_DIR");
  return dir && *dir ? dir : NULL;
}

/* One line, written whole with O_APPEND, so that processes sharing the file never interleave. */
static void mark(const char *what) {
  const char *dir = stub_dir();
  if (!dir) return;
  char path[4096], line[64];
  if (snprintf(path, sizeof path, "%s/calls", dir) >= (int)sizeof path) return;
  int n = snprintf(line, sizeof line, "%s %ld\n", what, (long)getpid());
  int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  ssize_t written = write(fd, line, (size_t)n);
  (void)written; /* a marker lost is the test's failure to see, not the caller's */
  close(fd);
}

__attribute__((constructor)) static void loaded(void) { mark("loaded"); }

/* The whole of a small file, NUL-terminated; NULL if it cannot be read (gone, or a directory). */
static char *slurp(const char *path, char *buf, size_t size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NULL;
  size_t len = 0;
  for (;;) {
    ssize_t n = read(fd, buf + len, size - 1 - len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    len += (size_t)n;
    if (len == size - 1) break;
  }
  close(fd);
  buf[len] = 0;
  return buf;
}

/* A decimal number that ends at whitespace or the end; anything else is not one. */
static int number(char **cursor, unsigned long long *out) {
  char *p = *cursor;
  while (*p == ' ' || *p == '\t') p++;
  if (*p < '0' || *p > '9') return 0;
  errno = 0;
  char *end;
  unsigned long long value = strtoull(p, &end, 10);
  if (errno || (*end && *end != ' ' && *end != '\t' && *end != '\n')) return 0;
  *out = value;
  *cursor = end;
  return 1;
}

static char *word(char **cursor) {
  char *p = *cursor;
  while (*p == ' ' || *p == '\t') p++;
  char *start = p;
  while (*p && *p != ' ' && *p != '\t' && *p != '\n') p++;
  *cursor = p;
  return start;
}

static int is_word(const char *start, const char *end, const char *expected) {
  size_t n = strlen(expected);
  return (size_t)(end - start) == n && memcmp(start, expected, n) == 0;
}

static void read_config(struct config *config) {
  memset(config, 0, sizeof *config);
  strcpy(config->driver, "999.99.99");
  const char *dir = stub_dir();
  if (!dir) return;
  char path[4096], text[65536];
  if (snprintf(path, sizeof path, "%s/config", dir) >= (int)sizeof path) return;
  if (!slurp(path, text, sizeof text)) return;
  for (char *line = text; line && *line;) {
    char *next = strchr(line, '\n');
    if (next) *next++ = 0;
    char *p = line;
    char *key = word(&p);
    char *key_end = p;
    unsigned long long index, value;
    if (is_word(key, key_end, "device") && number(&p, &index) && index < MAX_DEVICES && number(&p, &value)) {
      struct device_config *device = &config->devices[index];
      device->present = 1;
      device->total = value;
      while (*p == ' ' || *p == '\t') p++;
      snprintf(device->name, sizeof device->name, "%s", p);
      for (size_t n = strlen(device->name); n > 0 && (device->name[n - 1] == ' ' || device->name[n - 1] == '\r'); n--)
        device->name[n - 1] = 0;
    } else if (is_word(key, key_end, "accounting") && number(&p, &index) && index < MAX_DEVICES && number(&p, &value)) {
      config->devices[index].accounting = value != 0;
    } else if (is_word(key, key_end, "base_used") && number(&p, &index) && index < MAX_DEVICES && number(&p, &value)) {
      config->devices[index].base_used = value;
    } else if (is_word(key, key_end, "init_ms") && number(&p, &value)) {
      config->init_ms = (long)value;
    } else if (is_word(key, key_end, "driver")) {
      char *version = word(&p);
      if (p > version) snprintf(config->driver, sizeof config->driver, "%.*s", (int)(p - version), version);
    }
    line = next;
  }
  while (config->count < MAX_DEVICES && config->devices[config->count].present) config->count++;
}

/* As the driver sees it: a pid that exists, even one this process may not signal. */
static int alive(unsigned int pid) {
  if (pid == 0 || pid > (unsigned int)INT32_MAX) return 0;
  return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/* "<device>.<pid>", all digits; anything else in use/ (a writer's temporary file) is not a use. */
static int use_name(const char *name, unsigned long long *device, unsigned long long *pid) {
  const char *dot = strchr(name, '.');
  if (!dot || dot == name || !dot[1]) return 0;
  for (const char *p = name; *p; p++)
    if (p != dot && (*p < '0' || *p > '9')) return 0;
  if (dot - name > 6 || strlen(dot + 1) > 10) return 0;
  *device = strtoull(name, NULL, 10);
  *pid = strtoull(dot + 1, NULL, 10);
  return *pid > 0 && *pid <= INT32_MAX;
}

/* Every readable use file of one device, in pid order (a driver's order is its own; this one is
 * steady). Half-written or foreign files are skipped: the writers rename theirs into place. */
static unsigned int read_uses(unsigned int device, struct use *uses) {
  const char *dir = stub_dir();
  if (!dir) return 0;
  char path[4096];
  if (snprintf(path, sizeof path, "%s/use", dir) >= (int)sizeof path) return 0;
  DIR *listing = opendir(path);
  if (!listing) return 0;
  unsigned int n = 0;
  struct dirent *entry;
  while (n < MAX_ENTRIES && (entry = readdir(listing)) != NULL) {
    unsigned long long file_device, pid;
    if (!use_name(entry->d_name, &file_device, &pid)) continue;
    if (file_device != device) continue;
    char file[4400], text[256];
    if (snprintf(file, sizeof file, "%s/%s", path, entry->d_name) >= (int)sizeof file) continue;
    if (!slurp(file, text, sizeof text)) continue;
    char *q = text;
    struct use use = {.pid = (unsigned int)pid, .kind = KIND_COMPUTE};
    if (!number(&q, &use.used) || !number(&q, &use.max)) continue;
    char *kind = word(&q);
    if (q == kind || is_word(kind, q, "compute")) use.kind = KIND_COMPUTE;
    else if (is_word(kind, q, "graphics")) use.kind = KIND_GRAPHICS;
    else if (is_word(kind, q, "both")) use.kind = KIND_COMPUTE | KIND_GRAPHICS;
    else continue;
    use.alive = alive(use.pid);
    struct stat info;
    if (stat(file, &info) == 0) use.start_us = (unsigned long long)info.st_mtim.tv_sec * 1000000ull + (unsigned long long)info.st_mtim.tv_nsec / 1000ull;
    unsigned int at = n++;
    while (at > 0 && uses[at - 1].pid > use.pid) {
      uses[at] = uses[at - 1];
      at--;
    }
    uses[at] = use;
  }
  closedir(listing);
  return n;
}

/* The device behind a handle, or INVALID_ARGUMENT for one that is not this library's or no
 * longer counted. */
static nvmlReturn_t device_of(nvmlDevice_t device, struct config *config, unsigned int *index) {
  if (init_count == 0) return NVML_ERROR_UNINITIALIZED;
  read_config(config);
  uintptr_t at = (uintptr_t)device, first = (uintptr_t)handles;
  if (at < first || at >= first + sizeof handles || (at - first) % sizeof handles[0]) return NVML_ERROR_INVALID_ARGUMENT;
  *index = (unsigned int)((at - first) / sizeof handles[0]);
  return *index < config->count ? NVML_SUCCESS : NVML_ERROR_INVALID_ARGUMENT;
}

static nvmlReturn_t copy_string(const char *value, char *out, unsigned int length) {
  if (!out) return NVML_ERROR_INVALID_ARGUMENT;
  if (strlen(value) + 1 > length) return NVML_ERROR_INSUFFICIENT_SIZE;
  memcpy(out, value, strlen(value) + 1);
  return NVML_SUCCESS;
}

static void pause_ms(long ms) {
  struct timespec left = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&left, &left) != 0 && errno == EINTR) {
  }
}

static nvmlReturn_t init(void) {
  if (!stub_dir()) return NVML_ERROR_DRIVER_NOT_LOADED;
  mark("init");
  struct config config;
  read_config(&config);
  if (config.init_ms > 0) pause_ms(config.init_ms);
  init_count++;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlInit_v2(void) { return init(); }
nvmlReturn_t nvmlInit(void) { return init(); }

nvmlReturn_t nvmlShutdown(void) {
  if (init_count == 0) return NVML_ERROR_UNINITIALIZED;
  init_count--;
  mark("shutdown");
  return NVML_SUCCESS;
}

const char *nvmlErrorString(nvmlReturn_t result) {
  switch (result) {
  case NVML_SUCCESS: return "Success";
  case NVML_ERROR_UNINITIALIZED: return "Uninitialized";
  case NVML_ERROR_INVALID_ARGUMENT: return "Invalid Argument";
  case NVML_ERROR_NOT_SUPPORTED: return "Not Supported";
  case NVML_ERROR_NOT_FOUND: return "Not Found";
  case NVML_ERROR_INSUFFICIENT_SIZE: return "Insufficient Size";
  case NVML_ERROR_DRIVER_NOT_LOADED: return "Driver Not Loaded";
  case NVML_ERROR_ARGUMENT_VERSION_MISMATCH: return "Argument Version Mismatch";
  default: return "Unknown Error";
  }
}

nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length) {
  if (init_count == 0) return NVML_ERROR_UNINITIALIZED;
  struct config config;
  read_config(&config);
  return copy_string(config.driver, version, length);
}

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *count) {
  if (init_count == 0) return NVML_ERROR_UNINITIALIZED;
  if (!count) return NVML_ERROR_INVALID_ARGUMENT;
  struct config config;
  read_config(&config);
  *count = config.count;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
  if (init_count == 0) return NVML_ERROR_UNINITIALIZED;
  struct config config;
  read_config(&config);
  if (!device || index >= config.count) return NVML_ERROR_INVALID_ARGUMENT;
  handles[index].index = index;
  *device = &handles[index];
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length) {
  struct config config;
  unsigned int index;
  nvmlReturn_t result = device_of(device, &config, &index);
  return result ? result : copy_string(config.devices[index].name, name, length);
}

nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length) {
  struct config config;
  unsigned int index;
  nvmlReturn_t result = device_of(device, &config, &index);
  if (result) return result;
  char value[32];
  snprintf(value, sizeof value, "GPU-stub-0000-%u", index);
  return copy_string(value, uuid, length);
}

/* base_used and what every live process holds, at most the total (free is unsigned). */
static unsigned long long used_bytes(const struct config *config, unsigned int index) {
  static struct use uses[MAX_ENTRIES];
  unsigned int n = read_uses(index, uses);
  unsigned long long used = config->devices[index].base_used;
  for (unsigned int i = 0; i < n; i++)
    if (uses[i].alive) used += uses[i].used;
  return used < config->devices[index].total ? used : config->devices[index].total;
}

nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t *memory) {
  struct config config;
  unsigned int index;
  nvmlReturn_t result = device_of(device, &config, &index);
  if (result) return result;
  if (!memory) return NVML_ERROR_INVALID_ARGUMENT;
  memory->total = config.devices[index].total;
  memory->used = used_bytes(&config, index);
  memory->free = memory->total - memory->used;
  return NVML_SUCCESS;
}

#ifndef STUB_OLD_DRIVER
nvmlReturn_t nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t device, nvmlMemory_v2_t *memory) {
  struct config config;
  unsigned int index;
  nvmlReturn_t result = device_of(device, &config, &index);
  if (result) return result;
  if (!memory) return NVML_ERROR_INVALID_ARGUMENT;
  if (memory->version != NVML_MEMORY_V2) return NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
  memory->total = config.devices[index].total;
  memory->reserved = 0;
  memory->used = used_bytes(&config, index);
  memory->free = memory->total - memory->used;
  return NVML_SUCCESS;
}
#endif

/* The live processes of one kind on a device, with the driver's size protocol: too small a
 * count (or no buffer while there are entries) is answered with the count needed. */
static nvmlReturn_t running(nvmlDevice_t device, int kind, unsigned int *count, void *infos, int v1) {
  struct config config;
  unsigned int index;
  nvmlReturn_t result = device_of(device, &config, &index);
  if (result) return result;
  if (!count) return NVML_ERROR_INVALID_ARGUMENT;
  static struct use uses[MAX_ENTRIES];
  unsigned int all = read_uses(index, uses), n = 0;
  for (unsigned int i = 0; i < all; i++)
    if (uses[i].alive && (uses[i].kind & kind)) uses[n++] = uses[i];
  if (*count < n || (n > 0 && !infos)) {
    *count = n;
    return NVML_ERROR_INSUFFICIENT_SIZE;
  }
  for (unsigned int i = 0; i < n; i++) {
    if (v1) {
      nvmlProcessInfo_v1_t *info = (nvmlProcessInfo_v1_t *)infos + i;
      memset(info, 0, sizeof *info);
      info->pid = uses[i].pid;
      info->usedGpuMemory = uses[i].used;
    } else {
      nvmlProcessInfo_t *info = (nvmlProcessInfo_t *)infos + i;
      memset(info, 0, sizeof *info);
      info->pid = uses[i].pid;
      info->usedGpuMemory = uses[i].used;
      /* Not a MIG slice: the driver says so with all ones. */
      info->gpuInstanceId = 0xFFFFFFFFu;
      info->computeInstanceId = 0xFFFFFFFFu;
    }
  }
  *count = n;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetComputeRunningProcesses(nvmlDevice_t device, unsigned int *count, nvmlProcessInfo_v1_t *infos) {
  return running(device, KIND_COMPUTE, count, infos, 1);
}
nvmlReturn_t nvmlDeviceGetGraphicsRunningProcesses(nvmlDevice_t device, unsigned int *count, nvmlProcessInfo_v1_t *infos) {
  return running(device, KIND_GRAPHICS, count, infos, 1);
}
#ifndef STUB_OLD_DRIVER
nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v2(nvmlDevice_t device, unsigned int *count, nvmlProcessInfo_t *infos) {
  return running(device, KIND_COMPUTE, count, infos, 0);
}
nvmlReturn_t nvmlDeviceGetGraphicsRunningProcesses_v2(nvmlDevice_t device, unsigned int *count, nvmlProcessInfo_t *infos) {
  return running(device, KIND_GRAPHICS, count, infos, 0);
}
nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t device, unsigned int *count, nvmlProcessInfo_t *infos) {
  return running(device, KIND_COMPUTE, count, infos, 0);
}
nvmlReturn_t nvmlDeviceGetGraphicsRunningProcesses_v3(nvmlDevice_t device, unsigned int *count, nvmlProcessInfo_t *infos) {
  return running(device, KIND_GRAPHICS, count, infos, 0);
}
#endif

nvmlReturn_t nvmlDeviceGetAccountingMode(nvmlDevice_t device, int *mode) {
  struct config config;
  unsigned int index;
  nvmlReturn_t result = device_of(device, &config, &index);
  if (result) return result;
  if (!mode) return NVML_ERROR_INVALID_ARGUMENT;
  *mode = config.devices[index].accounting;
  return NVML_SUCCESS;
}

/* Accounting remembers a process after it exits: it answers from the use file, alive or not. */
nvmlReturn_t nvmlDeviceGetAccountingStats(nvmlDevice_t device, unsigned int pid, nvmlAccountingStats_t *stats) {
  struct config config;
  unsigned int index;
  nvmlReturn_t result = device_of(device, &config, &index);
  if (result) return result;
  if (!config.devices[index].accounting) return NVML_ERROR_NOT_SUPPORTED;
  if (!stats) return NVML_ERROR_INVALID_ARGUMENT;
  static struct use uses[MAX_ENTRIES];
  unsigned int n = read_uses(index, uses);
  for (unsigned int i = 0; i < n; i++) {
    if (uses[i].pid != pid) continue;
    memset(stats, 0, sizeof *stats);
    stats->maxMemoryUsage = uses[i].max;
    stats->startTime = uses[i].start_us;
    stats->isRunning = (unsigned int)uses[i].alive;
    return NVML_SUCCESS;
  }
  return NVML_ERROR_NOT_FOUND;
}

nvmlReturn_t nvmlDeviceGetAccountingPids(nvmlDevice_t device, unsigned int *count, unsigned int *pids) {
  struct config config;
  unsigned int index;
  nvmlReturn_t result = device_of(device, &config, &index);
  if (result) return result;
  if (!config.devices[index].accounting) return NVML_ERROR_NOT_SUPPORTED;
  if (!count) return NVML_ERROR_INVALID_ARGUMENT;
  static struct use uses[MAX_ENTRIES];
  unsigned int n = read_uses(index, uses);
  if (*count < n || (n > 0 && !pids)) {
    *count = n;
    return NVML_ERROR_INSUFFICIENT_SIZE;
  }
  for (unsigned int i = 0; i < n; i++) pids[i] = uses[i].pid;
  *count = n;
  return NVML_SUCCESS;
}
