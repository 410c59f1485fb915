/* hw_grandchild N MS -- syscallmon test helper (orphan outlives the root).
 * Top fork()s a child, waits only for it and exits 0 (1 if the child failed).
 * The child fork()s a grandchild and _exit(0)s at once. The orphaned
 * grandchild sleeps MS ms, then opens /dev/null, makes N 1-byte writes,
 * closes and _exit(0)s.
 * Exact syscalls (all in the grandchild, after the sleep): openat 1, write N,
 * close 1, read 0. Bad args: usage on stderr, exit 2. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void msg(const char *s) {
  ssize_t r = write(2, s, strlen(s));
  (void)r;
}
static void usage(void) {
  msg("usage: hw_grandchild N MS\n");
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
  if (argc != 3)
    usage();
  long n = num(argv[1], 0, 100000000), ms = num(argv[2], 0, 3600000);
  pid_t child = fork();
  if (child < 0)
    return 1;
  if (child == 0) {
    pid_t gc = fork();
    if (gc != 0)
      _exit(gc < 0 ? 1 : 0);
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (ms > 0 && nanosleep(&ts, &ts) == -1 && errno == EINTR)
      ;
    int fd = open("/dev/null", O_WRONLY);
    if (fd < 0)
      _exit(1);
    for (long i = 0; i < n; i++)
      if (write(fd, "x", 1) != 1)
        _exit(1);
    _exit(close(fd) ? 1 : 0);
  }
  int st;
  if (waitpid(child, &st, 0) != child)
    return 1;
  return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}
