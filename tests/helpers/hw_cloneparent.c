/* hw_cloneparent N -- syscallmon test helper.
 * Main opens /dev/null and creates a child with clone(CLONE_PARENT), so the
 * child's parent is main's parent (under syscallmon: syscallmon itself),
 * not main. The child makes N 1-byte writes, closes and exits 0; main makes
 * no writes, closes and exits 0 at once, without waiting (it cannot: the
 * child is not its own). Exact syscalls: openat 1, write N, close 2, read
 * 0. Bad args: usage on stderr, exit 2. */
#define _GNU_SOURCE
#define HW_NAME "hw_cloneparent"
#define HW_ARGS "N"
#include "hw_common.h"

#include <sys/syscall.h>

int main(int argc, char **argv) {
  if (argc != 2)
    hw_usage();
  long n = hw_num(argv[1], 0, HW_MAX_COUNT);
  int fd = hw_open_null(0);
  /* Raw clone with no new stack behaves like fork for this straight-line
   * code; glibc's fork() has no CLONE_PARENT. */
  long pid = syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0);
  if (pid < 0)
    hw_die(HW_NAME ": clone failed\n");
  if (pid == 0) {
    hw_writes(fd, n);
    hw_close(fd);
    syscall(SYS_exit_group, 0);
  }
  hw_close(fd);
  return 0;
}
