/* hw_setuid N UID -- syscallmon test helper (run as root).
 * Opens /dev/null, N 1-byte writes, setuid(UID) (one setuid syscall in this
 * single-threaded static binary), N more writes, close, exit 0.
 * Exact syscalls: openat 1, write 2N, setuid 1, close 1, read 0.
 * setuid failure: message on stderr, exit 3. Bad args: usage, exit 2. */
#define _GNU_SOURCE
#define HW_NAME "hw_setuid"
#define HW_ARGS "N UID"
#include "hw_common.h"

int main(int argc, char **argv) {
  if (argc != 3)
    hw_usage();
  long n = hw_num(argv[1], 0, HW_MAX_COUNT);
  uid_t uid = (uid_t)hw_num(argv[2], 0, 4294967294L);
  int fd = hw_open_null(0);
  hw_writes(fd, n);
  if (setuid(uid)) {
    hw_msg("hw_setuid: setuid failed\n");
    _exit(3);
  }
  hw_writes(fd, n);
  hw_close(fd);
  return 0;
}
