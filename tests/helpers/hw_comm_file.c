/* hw_comm_file N NAME -- syscallmon test helper.
 * Opens /dev/null, N 1-byte writes, then renames its thread by writing NAME
 * to /proc/thread-self/comm (no prctl), N more writes, close, exit 0.
 * NAME must be 1..15 bytes (so comm is exactly NAME).
 * Exact syscalls: under the old name openat 2 (/dev/null, the comm file),
 * write N + 1 (the last one renames); under NAME close 2 (the comm file,
 * /dev/null), write N. read 0. Bad args: usage on stderr, exit 2. */
#define _GNU_SOURCE
#define HW_NAME "hw_comm_file"
#define HW_ARGS "N NAME (NAME 1..15 bytes)"
#include "hw_common.h"

int main(int argc, char **argv) {
  if (argc != 3)
    hw_usage();
  long n = hw_num(argv[1], 0, HW_MAX_COUNT);
  int len = (int)strlen(argv[2]);
  if (len < 1 || len > 15)
    hw_usage();
  int fd = hw_open_null(0);
  hw_writes(fd, n);
  int comm = open("/proc/thread-self/comm", O_WRONLY);
  if (comm < 0)
    hw_die("hw_comm_file: cannot open /proc/thread-self/comm\n");
  hw_put(comm, argv[2], len);
  hw_close(comm);
  hw_writes(fd, n);
  hw_close(fd);
  return 0;
}
