/* hw_rename N NAME -- syscallmon test helper.
 * Opens /dev/null, N 1-byte writes, prctl(PR_SET_NAME, NAME), N more writes,
 * close, exit 0. NAME must be 1..15 bytes (so comm is exactly NAME).
 * Exact syscalls: openat 1 + write N under the old name; write N + close 1
 * under NAME; read 0. Bad args: usage on stderr, exit 2. */
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
  msg("usage: hw_rename N NAME (NAME 1..15 bytes)\n");
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

static void writes(int fd, long n) {
  for (long i = 0; i < n; i++)
    if (write(fd, "x", 1) != 1)
      die("hw_rename: write failed\n");
}

int main(int argc, char **argv) {
  if (argc != 3)
    usage();
  long n = num(argv[1], 0, 100000000);
  size_t len = strlen(argv[2]);
  if (len < 1 || len > 15)
    usage();
  int fd = open("/dev/null", O_WRONLY);
  if (fd < 0)
    die("hw_rename: open failed\n");
  writes(fd, n);
  if (prctl(PR_SET_NAME, argv[2], 0, 0, 0))
    die("hw_rename: prctl failed\n");
  writes(fd, n);
  if (close(fd))
    die("hw_rename: close failed\n");
  return 0;
}
