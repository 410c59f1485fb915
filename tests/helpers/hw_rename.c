/* hw_rename N NAME -- syscallmon test helper.
 * Opens /dev/null, N 1-byte writes, prctl(PR_SET_NAME, NAME), N more writes,
 * close, exit 0. NAME must be 1..15 bytes (so comm is exactly NAME).
 * Exact syscalls: openat 1 + write N under the old name; write N + close 1
 * under NAME; read 0. Bad args: usage on stderr, exit 2. */
#define _GNU_SOURCE
#define HW_NAME "hw_rename"
#define HW_ARGS "N NAME (NAME 1..15 bytes)"
#include "hw_common.h"
#include <sys/prctl.h>

int main(int argc, char **argv) {
  if (argc != 3)
    hw_usage();
  long n = hw_num(argv[1], 0, HW_MAX_COUNT);
  size_t len = strlen(argv[2]);
  if (len < 1 || len > 15)
    hw_usage();
  int fd = hw_open_null(0);
  hw_writes(fd, n);
  if (prctl(PR_SET_NAME, argv[2], 0, 0, 0))
    hw_die("hw_rename: prctl failed\n");
  hw_writes(fd, n);
  hw_close(fd);
  return 0;
}
