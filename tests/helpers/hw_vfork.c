/* hw_vfork N PROG [ARGS...] -- syscallmon test helper (CLONE_VM|CLONE_VFORK).
 * posix_spawn(PROG, [PROG, ARGS...]) (glibc: clone3/clone with
 * CLONE_VM|CLONE_VFORK, no PATH search), waitpid() it, then opens /dev/null,
 * makes N 1-byte writes, closes. Exits with the child's exit status
 * (128+signal if it was killed). Exact syscalls of hw_vfork itself:
 * openat 1, write N, close 1, read 0 (plus whatever PROG does).
 * posix_spawn failure: one line on stderr, exit 127. Bad args: usage, exit 2.
 */
#define _GNU_SOURCE
#define HW_NAME "hw_vfork"
#define HW_ARGS "N PROG [ARGS...]"
#include "hw_common.h"
#include <spawn.h>

extern char **environ;

int main(int argc, char **argv) {
  if (argc < 3)
    hw_usage();
  long n = hw_num(argv[1], 0, HW_MAX_COUNT);
  pid_t pid;
  int st;
  if (posix_spawn(&pid, argv[2], NULL, NULL, argv + 2, environ)) {
    hw_msg("hw_vfork: posix_spawn failed\n");
    _exit(127);
  }
  if (waitpid(pid, &st, 0) != pid)
    hw_die("hw_vfork: waitpid failed\n");
  int fd = hw_open_null(0);
  hw_writes(fd, n);
  hw_close(fd);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
