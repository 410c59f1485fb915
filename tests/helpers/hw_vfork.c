/* hw_vfork N PROG [ARGS...] -- syscallmon test helper (CLONE_VM|CLONE_VFORK).
 * posix_spawn(PROG, [PROG, ARGS...]) (glibc: clone3/clone with
 * CLONE_VM|CLONE_VFORK, no PATH search), waitpid() it, then opens /dev/null,
 * makes N 1-byte writes, closes. Exits with the child's exit status
 * (128+signal if it was killed). Exact syscalls of hw_vfork itself:
 * openat 1, write N, close 1, read 0 (plus whatever PROG does).
 * posix_spawn failure: one line on stderr, exit 127. Bad args: usage, exit 2.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static void msg(const char *s) {
  ssize_t r = write(2, s, strlen(s));
  (void)r;
}
static void die(const char *s) {
  msg(s);
  _exit(1);
}
static void usage(void) {
  msg("usage: hw_vfork N PROG [ARGS...]\n");
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
  if (argc < 3)
    usage();
  long n = num(argv[1], 0, 100000000);
  pid_t pid;
  int st;
  if (posix_spawn(&pid, argv[2], NULL, NULL, argv + 2, environ)) {
    msg("hw_vfork: posix_spawn failed\n");
    _exit(127);
  }
  if (waitpid(pid, &st, 0) != pid)
    die("hw_vfork: waitpid failed\n");
  int fd = open("/dev/null", O_WRONLY);
  if (fd < 0)
    die("hw_vfork: open failed\n");
  for (long i = 0; i < n; i++)
    if (write(fd, "x", 1) != 1)
      die("hw_vfork: write failed\n");
  if (close(fd))
    die("hw_vfork: close failed\n");
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
