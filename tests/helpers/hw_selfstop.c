/* hw_selfstop N -- syscallmon test helper (group-stop under ptrace).
 * Child: raise(SIGSTOP); then opens /dev/null, N 1-byte writes, close,
 * _exit(0). Parent: waitpid(child, WUNTRACED), checks WIFSTOPPED, kill(child,
 * SIGCONT), waitpid for exit; makes no I/O. Exit 0 if the child exited 0,
 * else 1. Exact syscalls (all in the child, after the stop): openat 1, write N,
 * close 1, read 0. Bad args: usage on stderr, exit 2. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void msg(const char *s) {
  ssize_t r = write(2, s, strlen(s));
  (void)r;
}
static void usage(void) {
  msg("usage: hw_selfstop N\n");
  _exit(2);
}
static long num(const char *s, long lo, long hi) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || end == s || *end || v < lo || v > hi)
    usage();
  return v;
}

int main(int argc, char **argv) {
  if (argc != 2)
    usage();
  long n = num(argv[1], 0, 100000000);
  pid_t pid = fork();
  if (pid < 0) {
    msg("hw_selfstop: fork failed\n");
    return 1;
  }
  if (pid == 0) {
    raise(SIGSTOP);
    int fd = open("/dev/null", O_WRONLY);
    if (fd < 0)
      _exit(1);
    for (long i = 0; i < n; i++)
      if (write(fd, "x", 1) != 1)
        _exit(1);
    _exit(close(fd) ? 1 : 0);
  }
  int st;
  if (waitpid(pid, &st, WUNTRACED) != pid || !WIFSTOPPED(st)) {
    msg("hw_selfstop: child did not stop\n");
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    return 1;
  }
  kill(pid, SIGCONT);
  if (waitpid(pid, &st, 0) != pid)
    return 1;
  return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}
