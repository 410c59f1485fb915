/* hw_failopen K -- syscallmon test helper (failed syscalls still count).
 * K times open("/nonexistent/syscallmon-test", O_RDONLY) (each fails ENOENT),
 * then opens /dev/null once successfully and closes it. Exit 0.
 * Exact syscalls: openat K+1 (K failed with ENOENT, 1 ok), close 1,
 * read 0, write 0. Bad args: usage on stderr, exit 2. */
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
  msg("usage: hw_failopen K\n");
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
  long k = num(argv[1], 0, 100000000);
  for (long i = 0; i < k; i++)
    if (open("/nonexistent/syscallmon-test", O_RDONLY) != -1 || errno != ENOENT)
      die("hw_failopen: open did not fail with ENOENT\n");
  int fd = open("/dev/null", O_WRONLY);
  if (fd < 0)
    die("hw_failopen: open failed\n");
  if (close(fd))
    die("hw_failopen: close failed\n");
  return 0;
}
