/* hw_batches B N MS -- syscallmon test helper (live-view tests).
 * Opens /dev/null; B batches, each: N 1-byte writes, then sleep MS ms
 * (nanosleep, resumed on EINTR); closes; exit 0.
 * Exact syscalls: openat 1, write B*N, close 1, read 0.
 * Bad args: usage on stderr, exit 2. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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
  msg("usage: hw_batches B N MS\n");
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

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (ms > 0 && nanosleep(&ts, &ts) == -1 && errno == EINTR)
    ;
}

int main(int argc, char **argv) {
  if (argc != 4)
    usage();
  long b = num(argv[1], 0, 100000000), n = num(argv[2], 0, 100000000);
  long ms = num(argv[3], 0, 3600000);
  int fd = open("/dev/null", O_WRONLY);
  if (fd < 0)
    die("hw_batches: open failed\n");
  for (long i = 0; i < b; i++) {
    for (long j = 0; j < n; j++)
      if (write(fd, "x", 1) != 1)
        die("hw_batches: write failed\n");
    sleep_ms(ms);
  }
  if (close(fd))
    die("hw_batches: close failed\n");
  return 0;
}
