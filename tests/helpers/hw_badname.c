/* hw_badname N -- syscallmon test helper (hostile comm name).
 * prctl(PR_SET_NAME) to the 12 bytes "\x1b[31mE\n\"q,\\\xff" (ESC [ 3 1 m E,
 * newline, double quote, q, comma, backslash, 0xff), then opens /dev/null,
 * makes N 1-byte writes, closes, exit 0.
 * Exact syscalls (all under the new name): openat 1, write N, close 1, read 0.
 * Bad args: usage on stderr, exit 2. */
#define _GNU_SOURCE
#define HW_NAME "hw_badname"
#define HW_ARGS "N"
#include "hw_common.h"
#include <sys/prctl.h>

int main(int argc, char **argv) {
  static const char name[] = "\x1b[31mE\n\"q,\\\xff";
  _Static_assert(sizeof name - 1 == 12, "name must be 12 bytes");
  if (argc != 2)
    hw_usage();
  long n = hw_num(argv[1], 0, HW_MAX_COUNT);
  if (prctl(PR_SET_NAME, name, 0, 0, 0))
    hw_die("hw_badname: prctl failed\n");
  int fd = hw_open_null(0);
  hw_writes(fd, n);
  hw_close(fd);
  return 0;
}
