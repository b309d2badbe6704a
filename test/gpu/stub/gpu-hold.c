/* gpu-hold DIR DEVICE BYTES HOLD_MS [BURST_BYTES BURST_MS] [compute|graphics|both]
 * A process that "uses" BYTES of GPU DEVICE as far as the NVML stand-in (nvml-stub.c) can
 * tell: it writes DIR/use/DEVICE.<its pid>, holds HOLD_MS ms and exits, leaving the file, so
 * that accounting still answers for it after its exit. With a burst it first uses BURST_BYTES
 * for BURST_MS ms, then drops to BYTES with BURST_BYTES kept as its most. It allocates nothing
 * and prints nothing; it exits 2 on bad arguments and 3 if it cannot write the file. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int parse(const char *text, unsigned long long *out) {
  if (*text < '0' || *text > '9') return 0;
  char *end;
  errno = 0;
  *out = strtoull(text, &end, 10);
  return errno == 0 && *end == 0;
}

static void pause_ms(unsigned long long ms) {
  struct timespec left = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
  while (nanosleep(&left, &left) != 0 && errno == EINTR) {
  }
}

/* Written beside the final name and renamed over it, so the stand-in never reads half of it. */
static int publish(const char *dir, unsigned long long device, unsigned long long used, unsigned long long max, const char *kind) {
  char temp[4096], final[4096];
  long pid = (long)getpid();
  if (snprintf(temp, sizeof temp, "%s/use/.%llu.%ld.tmp", dir, device, pid) >= (int)sizeof temp) return 0;
  if (snprintf(final, sizeof final, "%s/use/%llu.%ld", dir, device, pid) >= (int)sizeof final) return 0;
  FILE *file = fopen(temp, "w");
  if (!file) return 0;
  int ok = fprintf(file, "%llu %llu %s\n", used, max, kind) > 0;
  ok = fclose(file) == 0 && ok;
  return ok && rename(temp, final) == 0;
}

int main(int argc, char **argv) {
  unsigned long long device, bytes, hold_ms, burst_bytes = 0, burst_ms = 0;
  const char *kind = "compute";
  int rest = argc;
  /* A last argument that is not a number is the kind of use. */
  if (rest == 6 || rest == 8) {
    kind = argv[rest - 1];
    if (strcmp(kind, "compute") != 0 && strcmp(kind, "graphics") != 0 && strcmp(kind, "both") != 0) return 2;
    rest--;
  }
  if (rest != 5 && rest != 7) return 2;
  if (!parse(argv[2], &device) || !parse(argv[3], &bytes) || !parse(argv[4], &hold_ms)) return 2;
  int burst = rest == 7;
  if (burst && (!parse(argv[5], &burst_bytes) || !parse(argv[6], &burst_ms))) return 2;

  if (burst) {
    if (!publish(argv[1], device, burst_bytes, burst_bytes, kind)) return 3;
    pause_ms(burst_ms);
  }
  unsigned long long max = burst && burst_bytes > bytes ? burst_bytes : bytes;
  if (!publish(argv[1], device, bytes, max, kind)) return 3;
  pause_ms(hold_ms);
  return 0;
}
