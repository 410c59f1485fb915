/* hw_forktree DEPTH FANOUT N -- syscallmon test helper (process storm).
 * Every process opens /dev/null, makes N 1-byte writes, closes it, and then,
 * if its depth < DEPTH, fork()s FANOUT children and waits for them.
 * P = sum_{d=0..DEPTH} FANOUT^d processes (must be <= 100000), e.g.
 * 3 12 -> 1885. Exact syscalls: openat P, write P*N, close P, read 0.
 * Exit 0 if every process succeeded, else 1. Bad args: usage, exit 2. */
#define _GNU_SOURCE
#define HW_NAME "hw_forktree"
#define HW_ARGS "DEPTH FANOUT N (at most 100000 processes)"
#include "hw_common.h"

static long depth_max, fanout, n;

static int run(long depth) {
  if (hw_null_writes(n))
    return 1;
  if (depth >= depth_max)
    return 0;
  int rc = 0;
  for (long c = 0; c < fanout; c++) {
    pid_t pid = fork();
    if (pid < 0) {
      rc = 1;
      break;
    }
    if (pid == 0)
      _exit(run(depth + 1));
  }
  return hw_wait_all() | rc;
}

int main(int argc, char **argv) {
  if (argc != 4)
    hw_usage();
  depth_max = hw_num(argv[1], 0, 100);
  fanout = hw_num(argv[2], 0, 100000);
  n = hw_num(argv[3], 0, HW_MAX_COUNT);
  long total = 1, level = 1;
  for (long d = 1; d <= depth_max; d++) {
    level *= fanout;
    total += level;
    if (total > 100000)
      hw_usage();
  }
  return run(0);
}
