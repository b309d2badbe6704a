/* truth OUT -- COMMAND ARGS...: the ground truth of the accuracy benchmark. Runs COMMAND
 * (peak-mem wrapped around a workload) and every millisecond sums the resident memory
 * (statm's resident pages, which is VmRSS) of every process below it: COMMAND's
 * descendants, found through each thread's children list, less peak-mem's own (its spawn
 * helper, and a child before its exec, which shares peak-mem's memory).
 * COMMAND itself (peak-mem) is left out; the orphans it adopts are its children, so they
 * count. Writes to OUT: the largest sum in bytes, the samples taken, the milliseconds they
 * spanned, and COMMAND's own CPU time in ms at the last sample (every thread's, to the
 * nanosecond: see cpu_ms). Exits with COMMAND's status.
 * Written apart from peak-mem's code, so that its figure is an independent one. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PIDS 65536

static long page_size;
static int pids[MAX_PIDS];

static ssize_t read_file(const char *path, char *buf, size_t size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, size - 1);
  close(fd);
  if (n < 0) return -1;
  buf[n] = 0;
  return n;
}

/* Appends the children of every thread of `pid` to pids[], from *count on. */
static void add_children(int pid, int *count) {
  char path[64], buf[65536];
  snprintf(path, sizeof path, "/proc/%d/task", pid);
  DIR *dir = opendir(path);
  if (!dir) return;
  struct dirent *entry;
  while ((entry = readdir(dir))) {
    if (entry->d_name[0] == '.') continue;
    char file[320];
    snprintf(file, sizeof file, "/proc/%d/task/%s/children", pid, entry->d_name);
    if (read_file(file, buf, sizeof buf) <= 0) continue;
    for (char *p = buf; *p;) {
      char *end;
      long child = strtol(p, &end, 10);
      if (end == p) break;
      if (*count < MAX_PIDS) pids[(*count)++] = (int)child;
      p = end;
    }
  }
  closedir(dir);
}

/* peak-mem's own: its spawn helper, and a child of it before its exec (vfork'd, it shares
 * peak-mem's memory and name). */
static int is_peak_mem(int pid) {
  char path[64], name[64];
  snprintf(path, sizeof path, "/proc/%d/comm", pid);
  return read_file(path, name, sizeof name) > 0 && (strcmp(name, "peak-mem-spawn\n") == 0 || strcmp(name, "peak-mem\n") == 0);
}

/* The summed resident bytes of every descendant of `root` (not `root`, not the helper). */
static long long tree_rss(int root) {
  int count = 0;
  add_children(root, &count);
  long long total = 0;
  for (int i = 0; i < count; i++) {
    int pid = pids[i];
    add_children(pid, &count);
    if (is_peak_mem(pid)) continue;
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/%d/statm", pid);
    if (read_file(path, buf, sizeof buf) <= 0) continue;
    long size, resident;
    if (sscanf(buf, "%ld %ld", &size, &resident) == 2) total += (long long)resident * page_size;
  }
  return total;
}

/* Every thread of COMMAND seen, with its run time at its latest reading. */
#define MAX_THREADS 1024
static int thread_ids[MAX_THREADS];
static long long thread_ns[MAX_THREADS];
static int threads_seen;

/* utime + stime of `pid` in ms from /proc/PID/stat, in whole clock ticks, or -1. */
static long long stat_cpu_ms(int pid) {
  char path[64], buf[4096];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  if (read_file(path, buf, sizeof buf) <= 0) return -1;
  char *p = strrchr(buf, ')');
  if (!p) return -1;
  unsigned long long utime, stime;
  /* After ") ": state, then 10 fields, then utime and stime (fields 14 and 15). */
  if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2) return -1;
  return (long long)(utime + stime) * 1000 / sysconf(_SC_CLK_TCK);
}

/* `pid`'s own CPU time in ms: the sum of its threads' run times from schedstat (nanoseconds,
 * where /proc/PID/stat counts whole clock ticks: up to 20 ms short), each thread kept at its
 * last reading so that threads that have ended still count. Where the kernel keeps no
 * schedstat (no CONFIG_SCHED_INFO), /proc/PID/stat's ticks; -1 when neither can be read. */
static long long cpu_ms(int pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/task", pid);
  DIR *dir = opendir(path);
  if (!dir) return -1;
  int read_any = 0;
  struct dirent *entry;
  while ((entry = readdir(dir))) {
    if (entry->d_name[0] == '.') continue;
    char file[320], buf[128];
    snprintf(file, sizeof file, "/proc/%d/task/%s/schedstat", pid, entry->d_name);
    long long ns;
    if (read_file(file, buf, sizeof buf) <= 0 || sscanf(buf, "%lld", &ns) != 1) continue;
    read_any = 1;
    int tid = atoi(entry->d_name), slot = 0;
    while (slot < threads_seen && thread_ids[slot] != tid) slot++;
    if (slot == threads_seen) {
      if (threads_seen == MAX_THREADS) continue;
      thread_ids[threads_seen++] = tid;
    }
    thread_ns[slot] = ns;
  }
  closedir(dir);
  if (!read_any) return stat_cpu_ms(pid);
  long long total = 0;
  for (int i = 0; i < threads_seen; i++) total += thread_ns[i];
  return total / 1000000;
}

int main(int argc, char **argv) {
  if (argc < 4 || strcmp(argv[2], "--") != 0) {
    fprintf(stderr, "usage: truth OUT -- COMMAND ARGS...\n");
    return 2;
  }
  page_size = sysconf(_SC_PAGESIZE);
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  pid_t child = fork();
  if (child < 0) return 125;
  if (child == 0) {
    execvp(argv[3], argv + 3);
    _exit(127);
  }
  long long max = 0, samples = 0, cpu = 0;
  struct timespec next = start, now;
  int status = 0;
  for (;;) {
    long long rss = tree_rss(child);
    long long used = cpu_ms(child);
    if (used >= 0) cpu = used;
    if (rss > max) max = rss;
    samples++;
    pid_t done = waitpid(child, &status, WNOHANG);
    if (done == child) break;
    next.tv_nsec += 1000000;
    if (next.tv_nsec >= 1000000000) {
      next.tv_nsec -= 1000000000;
      next.tv_sec++;
    }
    /* Behind (a slow sample): the next one now, not a burst to catch up. */
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec > next.tv_sec || (now.tv_sec == next.tv_sec && now.tv_nsec > next.tv_nsec)) next = now;
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR) {
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &now);
  long long spanned = (now.tv_sec - start.tv_sec) * 1000LL + (now.tv_nsec - start.tv_nsec) / 1000000;
  FILE *out = fopen(argv[1], "w");
  if (!out) return 125;
  fprintf(out, "%lld %lld %lld %lld\n", max, samples, spanned, cpu);
  fclose(out);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
