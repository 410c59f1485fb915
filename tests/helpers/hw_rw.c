/* hw_rw N -- syscallmon test helper (also built with -m32).
 * Exact syscalls: openat 2 (/dev/null O_WRONLY, /dev/zero O_RDONLY),
 * write N (1 byte each), read N (1 byte each), close 2. Exit 0.
 * Bad args: one-line usage on stderr, exit 2. */
#define _GNU_SOURCE
#define HW_NAME "hw_rw"
#define HW_ARGS "N"
#include "hw_common.h"

int main(int argc, char **argv) {
  if (argc != 2)
    hw_usage();
  long n = hw_num(argv[1], 0, HW_MAX_COUNT);
  /* Both opens are tried before the check (not hw_open_null). */
  int w = open("/dev/null", O_WRONLY);
  int r = open("/dev/zero", O_RDONLY);
  if (w < 0 || r < 0)
    hw_die("hw_rw: open failed\n");
  hw_writes(w, n);
  char c;
  for (long i = 0; i < n; i++)
    if (read(r, &c, 1) != 1)
      hw_die("hw_rw: read failed\n");
  hw_close(w);
  hw_close(r);
  return 0;
}
