/* hw_badname N -- syscallmon test helper (hostile comm name).
 * prctl(PR_SET_NAME) to the 12 bytes "\x1b[31mE\n\"q,\\\xff" (ESC [ 3 1 m E,
 * newline, double quote, q, comma, backslash, 0xff), then opens /dev/null,
 * makes N 1-byte writes, closes, exit 0.
 * Exact syscalls (all under the new name): openat 1, write N, close 1, read 0.
 * Bad args: usage on stderr, exit 2. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
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
  msg("usage: hw_badname N\n");
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
  static const char name[] = "\x1b[31mE\n\"q,\\\xff";
  _Static_assert(sizeof name - 1 == 12, "name must be 12 bytes");
  if (argc != 2)
    usage();
  long n = num(argv[1], 0, 100000000);
  if (prctl(PR_SET_NAME, name, 0, 0, 0))
    die("hw_badname: prctl failed\n");
  int fd = open("/dev/null", O_WRONLY);
  if (fd < 0)
    die("hw_badname: open failed\n");
  for (long i = 0; i < n; i++)
    if (write(fd, "x", 1) != 1)
      die("hw_badname: write failed\n");
  if (close(fd))
    die("hw_badname: close failed\n");
  return 0;
}
