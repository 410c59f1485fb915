/* hw_threads T N -- syscallmon test helper.
 * Main opens /dev/null, starts T threads (0 <= T <= 1000); thread i names
 * itself "worker-<i>" (pthread_setname_np on self == prctl(PR_SET_NAME), no
 * file I/O) and makes N 1-byte writes. Main joins, closes, exits 0; main makes
 * no writes. Exact syscalls: openat 1, write T*N (N per thread), close 1, read
 * 0. Bad args: usage on stderr, exit 2. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
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
  msg("usage: hw_threads T N\n");
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

static int fd;
static long n;

static void *worker(void *arg) {
  char name[16];
  snprintf(name, sizeof name, "worker-%ld", (long)(intptr_t)arg);
  if (pthread_setname_np(pthread_self(), name))
    die("hw_threads: setname failed\n");
  for (long i = 0; i < n; i++)
    if (write(fd, "x", 1) != 1)
      die("hw_threads: write failed\n");
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 3)
    usage();
  long t = num(argv[1], 0, 1000);
  n = num(argv[2], 0, 100000000);
  static pthread_t th[1000];
  if ((fd = open("/dev/null", O_WRONLY)) < 0)
    die("hw_threads: open failed\n");
  for (long i = 0; i < t; i++)
    if (pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i))
      die("hw_threads: pthread_create failed\n");
  for (long i = 0; i < t; i++)
    pthread_join(th[i], NULL);
  if (close(fd))
    die("hw_threads: close failed\n");
  return 0;
}
