/* hw_failopen K -- syscallmon test helper (failed syscalls still count).
 * K times open("/nonexistent/syscallmon-test", O_RDONLY) (each fails ENOENT),
 * then opens /dev/null once successfully and closes it. Exit 0.
 * Exact syscalls: openat K+1 (K failed with ENOENT, 1 ok), close 1,
 * read 0, write 0. Bad args: usage on stderr, exit 2. */
#define _GNU_SOURCE
#define HW_NAME "hw_failopen"
#define HW_ARGS "K"
#include "hw_common.h"

int main(int argc, char **argv) {
  if (argc != 2)
    hw_usage();
  long k = hw_num(argv[1], 0, HW_MAX_COUNT);
  for (long i = 0; i < k; i++)
    if (open("/nonexistent/syscallmon-test", O_RDONLY) != -1 || errno != ENOENT)
      hw_die("hw_failopen: open did not fail with ENOENT\n");
  hw_close(hw_open_null(0));
  return 0;
}
