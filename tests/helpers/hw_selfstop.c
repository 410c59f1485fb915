/* hw_selfstop N -- syscallmon test helper (group-stop under ptrace).
 * Child: raise(SIGSTOP); then opens /dev/null, N 1-byte writes, close,
 * _exit(0). Parent: waitpid(child, WUNTRACED), checks WIFSTOPPED, kill(child,
 * SIGCONT), waitpid for exit; makes no I/O. Exit 0 if the child exited 0,
 * else 1. Exact syscalls (all in the child, after the stop): openat 1, write N,
 * close 1, read 0. Bad args: usage on stderr, exit 2. */
#define _GNU_SOURCE
#define HW_NAME "hw_selfstop"
#define HW_ARGS "N"
#include "hw_common.h"

int main(int argc, char **argv) {
  if (argc != 2)
    hw_usage();
  long n = hw_num(argv[1], 0, HW_MAX_COUNT);
  pid_t pid = fork();
  if (pid < 0) {
    hw_msg("hw_selfstop: fork failed\n");
    return 1;
  }
  if (pid == 0) {
    raise(SIGSTOP);
    _exit(hw_null_writes(n));
  }
  int st;
  if (waitpid(pid, &st, WUNTRACED) != pid || !WIFSTOPPED(st)) {
    hw_msg("hw_selfstop: child did not stop\n");
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    return 1;
  }
  kill(pid, SIGCONT);
  return hw_wait_ok(pid);
}
