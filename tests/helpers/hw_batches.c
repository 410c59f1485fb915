/* hw_batches B N MS -- syscallmon test helper (live-view tests).
 * Opens /dev/null; B batches, each: N 1-byte writes, then sleep MS ms
 * (nanosleep, resumed on EINTR); closes; exit 0.
 * Exact syscalls: openat 1, write B*N, close 1, read 0.
 * Bad args: usage on stderr, exit 2. */
#define _GNU_SOURCE
#define HW_NAME "hw_batches"
#define HW_ARGS "B N MS"
#include "hw_common.h"

int main(int argc, char **argv) {
  if (argc != 4)
    hw_usage();
  long b = hw_num(argv[1], 0, HW_MAX_COUNT),
       n = hw_num(argv[2], 0, HW_MAX_COUNT);
  long ms = hw_num(argv[3], 0, HW_MAX_MS);
  int fd = hw_open_null(0);
  for (long i = 0; i < b; i++) {
    hw_writes(fd, n);
    hw_sleep_ms(ms);
  }
  hw_close(fd);
  return 0;
}
