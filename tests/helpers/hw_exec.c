/* hw_exec N PROG [ARGS...] -- syscallmon test helper.
 * Opens /dev/null, makes N 1-byte writes, closes it, then
 * execv(PROG, [PROG, ARGS...]) (no PATH search).
 * Exact syscalls before the exec: openat 1, write N, close 1, read 0
 * (plus whatever PROG does). If execv fails: one line on stderr, exit 127.
 * Bad args: usage on stderr, exit 2. */
#define _GNU_SOURCE
#define HW_NAME "hw_exec"
#define HW_ARGS "N PROG [ARGS...]"
#include "hw_common.h"

int main(int argc, char **argv) {
  if (argc < 3)
    hw_usage();
  long n = hw_num(argv[1], 0, HW_MAX_COUNT);
  int fd = hw_open_null(0);
  hw_writes(fd, n);
  hw_close(fd);
  hw_execv(argv + 2);
}
