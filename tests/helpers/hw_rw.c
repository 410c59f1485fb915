/* hw_rw N -- syscallmon test helper (also built with -m32).
 * Exact syscalls: openat 2 (/dev/null O_WRONLY, /dev/zero O_RDONLY),
 * write N (1 byte each), read N (1 byte each), close 2. Exit 0.
 * Bad args: one-line usage on stderr, exit 2. */
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
  msg("usage: hw_rw N\n");
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
  int w = open("/dev/null", O_WRONLY);
  int r = open("/dev/zero", O_RDONLY);
  if (w < 0 || r < 0)
    die("hw_rw: open failed\n");
  char c;
  for (long i = 0; i < n; i++)
    if (write(w, "x", 1) != 1)
      die("hw_rw: write failed\n");
  for (long i = 0; i < n; i++)
    if (read(r, &c, 1) != 1)
      die("hw_rw: read failed\n");
  if (close(w) || close(r))
    die("hw_rw: close failed\n");
  return 0;
}
