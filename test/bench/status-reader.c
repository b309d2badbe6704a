/* The kernel's own cost of watching a tree, for `npm run bench` (issue 11): run
 * COMMAND, find its descendants once after a moment, hold /proc/PID/status of each open and
 * pread it once every INTERVAL ms until COMMAND exits. No parsing, no discovery afterwards:
 * what is left is the kernel producing each member's status, the physical limit of any
 * sampler that reads it.
 *   status-reader INTERVAL_MS COMMAND [ARGS...]
 * Plain POSIX and Linux /proc; compiled in the benchmark's run with the system's cc. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_MEMBERS 4096

static int parent_of(int pid) {
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = 0;
  char *close_paren = strrchr(buf, ')');
  int ppid = -1;
  if (close_paren) sscanf(close_paren + 2, "%*c %d", &ppid);
  return ppid;
}

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  long interval_ms = atol(argv[1]);
  pid_t root = fork();
  if (root == 0) {
    execvp(argv[2], argv + 2);
    _exit(127);
  }
  usleep(300 * 1000); /* let the tree start */
  int members[MAX_MEMBERS], fds[MAX_MEMBERS], count = 0;
  members[count++] = root;
  /* Descendants: repeat one listing of /proc until no new child of a member is found. */
  for (int grew = 1; grew && count < MAX_MEMBERS;) {
    grew = 0;
    DIR *proc = opendir("/proc");
    struct dirent *entry;
    while (proc && (entry = readdir(proc)) && count < MAX_MEMBERS) {
      int pid = atoi(entry->d_name);
      if (pid <= 0) continue;
      int known = 0;
      for (int i = 0; i < count; i++) known |= members[i] == pid;
      if (known) continue;
      int ppid = parent_of(pid);
      for (int i = 0; i < count; i++)
        if (members[i] == ppid) {
          members[count++] = pid;
          grew = 1;
          break;
        }
    }
    if (proc) closedir(proc);
  }
  for (int i = 0; i < count; i++) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/status", members[i]);
    fds[i] = open(path, O_RDONLY);
  }
  char buf[8192];
  struct timespec pause = {interval_ms / 1000, (interval_ms % 1000) * 1000000L};
  int status;
  while (waitpid(root, &status, WNOHANG) == 0) {
    for (int i = 0; i < count; i++)
      if (fds[i] >= 0 && pread(fds[i], buf, sizeof buf, 0) < 0) fds[i] = -1;
    nanosleep(&pause, NULL);
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
