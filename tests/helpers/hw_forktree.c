/* hw_forktree DEPTH FANOUT N -- syscallmon test helper (process storm).
 * Every process opens /dev/null, makes N 1-byte writes, closes it, and then,
 * if its depth < DEPTH, fork()s FANOUT children and waits for them.
 * P = sum_{d=0..DEPTH} FANOUT^d processes (must be <= 100000), e.g.
 * 3 12 -> 1885. Exact syscalls: openat P, write P*N, close P, read 0.
 * Exit 0 if every process succeeded, else 1. Bad args: usage, exit 2. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void msg(const char *s) {
  ssize_t r = write(2, s, strlen(s));
  (void)r;
}
static void usage(void) {
  msg("usage: hw_forktree DEPTH FANOUT N (at most 100000 processes)\n");
  _exit(2);
}
static long num(const char *s, long lo, long hi) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || end == s || *end || v < lo || v > hi)
    usage();
  return v;
}

static long depth_max, fanout, n;

static int run(long depth) {
  int rc = 0, fd = open("/dev/null", O_WRONLY);
  if (fd < 0)
    return 1;
  for (long i = 0; i < n; i++)
    if (write(fd, "x", 1) != 1)
      return 1;
  if (close(fd))
    return 1;
  if (depth >= depth_max)
    return 0;
  for (long c = 0; c < fanout; c++) {
    pid_t pid = fork();
    if (pid < 0) {
      rc = 1;
      break;
    }
    if (pid == 0)
      _exit(run(depth + 1));
  }
  int st;
  while (wait(&st) > 0)
    if (!WIFEXITED(st) || WEXITSTATUS(st))
      rc = 1;
  return rc;
}

int main(int argc, char **argv) {
  if (argc != 4)
    usage();
  depth_max = num(argv[1], 0, 100);
  fanout = num(argv[2], 0, 100000);
  n = num(argv[3], 0, 100000000);
  long total = 1, level = 1;
  for (long d = 1; d <= depth_max; d++) {
    level *= fanout;
    total += level;
    if (total > 100000)
      usage();
  }
  return run(0);
}
