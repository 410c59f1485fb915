/* hw_exec N PROG [ARGS...] -- syscallmon test helper.
 * Opens /dev/null, makes N 1-byte writes, closes it, then
 * execv(PROG, [PROG, ARGS...]) (no PATH search).
 * Exact syscalls before the exec: openat 1, write N, close 1, read 0
 * (plus whatever PROG does). If execv fails: one line on stderr, exit 127.
 * Bad args: usage on stderr, exit 2. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void msg(const char *s) {
  ssize_t r = write(2, s, strlen(s));
  (void)r;
}
static void die(const char *s) {
  msg(s);
  _exit(1);
}
static void usage(void) {
  msg("usage: hw_exec N PROG [ARGS...]\n");
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
  int fd = open("/dev/null", O_WRONLY);
  if (fd < 0)
    die("hw_exec: open failed\n");
  for (long i = 0; i < n; i++)
    if (write(fd, "x", 1) != 1)
      die("hw_exec: write failed\n");
  if (close(fd))
    die("hw_exec: close failed\n");
  execv(argv[2], argv + 2);
  msg("hw_exec: execv failed\n");
  _exit(127);
}
