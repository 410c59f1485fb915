/* hw_setuid N UID -- syscallmon test helper (run as root).
 * Opens /dev/null, N 1-byte writes, setuid(UID) (one setuid syscall in this
 * single-threaded static binary), N more writes, close, exit 0.
 * Exact syscalls: openat 1, write 2N, setuid 1, close 1, read 0.
 * setuid failure: message on stderr, exit 3. Bad args: usage, exit 2. */
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
  msg("usage: hw_setuid N UID\n");
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
      die("hw_setuid: write failed\n");
}

int main(int argc, char **argv) {
  if (argc != 3)
    usage();
  long n = num(argv[1], 0, 100000000);
  uid_t uid = (uid_t)num(argv[2], 0, 4294967294L);
  int fd = open("/dev/null", O_WRONLY);
  if (fd < 0)
    die("hw_setuid: open failed\n");
  writes(fd, n);
  if (setuid(uid)) {
    msg("hw_setuid: setuid failed\n");
    _exit(3);
  }
  writes(fd, n);
  if (close(fd))
    die("hw_setuid: close failed\n");
  return 0;
}
