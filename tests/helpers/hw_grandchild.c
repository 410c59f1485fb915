/* hw_grandchild N MS -- syscallmon test helper (orphan outlives the root).
 * Top fork()s a child, waits only for it and exits 0 (1 if the child failed).
 * The child fork()s a grandchild and _exit(0)s at once. The orphaned
 * grandchild sleeps MS ms, then opens /dev/null, makes N 1-byte writes,
 * closes and _exit(0)s.
 * Exact syscalls (all in the grandchild, after the sleep): openat 1, write N,
 * close 1, read 0. Bad args: usage on stderr, exit 2. */
#define _GNU_SOURCE
#define HW_NAME "hw_grandchild"
#define HW_ARGS "N MS"
#include "hw_common.h"

int main(int argc, char **argv) {
  if (argc != 3)
    hw_usage();
  long n = hw_num(argv[1], 0, HW_MAX_COUNT), ms = hw_num(argv[2], 0, HW_MAX_MS);
  pid_t child = fork();
  if (child < 0)
    return 1;
  if (child == 0) {
    pid_t gc = fork();
    if (gc != 0)
      _exit(gc < 0 ? 1 : 0);
    hw_sleep_ms(ms);
    _exit(hw_null_writes(n));
  }
  return hw_wait_ok(child);
}
