/* hw_fork K N -- syscallmon test helper.
 * Parent fork()s K children (all first, then waits for all). Each child opens
 * /dev/null, makes N 1-byte writes, closes, _exit(0). Parent makes no I/O.
 * Exact syscalls (all in children): openat K, write K*N, close K, read 0.
 * Exit 0, or 1 if any child failed. Bad args: usage on stderr, exit 2. */
#define _GNU_SOURCE
#define HW_NAME "hw_fork"
#define HW_ARGS "K N"
#include "hw_common.h"

int main(int argc, char **argv) {
  if (argc != 3)
    hw_usage();
  long k = hw_num(argv[1], 0, 10000), n = hw_num(argv[2], 0, HW_MAX_COUNT);
  int rc = 0;
  for (long c = 0; c < k; c++) {
    pid_t pid = fork();
    if (pid < 0) {
      hw_msg("hw_fork: fork failed\n");
      rc = 1;
      break;
    }
    if (pid == 0)
      _exit(hw_null_writes(n));
  }
  return hw_wait_all() | rc;
}
