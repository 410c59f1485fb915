/* hw_mt_counter T N MS -- syscallmon test helper (multi-thread attach tests).
 * Main opens /dev/null and starts T threads (0 <= T <= 1000); thread i names
 * itself "mt-<i>" (pthread_setname_np on self == prctl), then N times: one
 * write of the line "mt-<i> <j>\n" to /dev/null, sleep MS ms (EINTR-resumed).
 * Main joins all, closes, exits 0; main makes no writes. Like hw_counter,
 * SIGUSR1 has a harmless SA_RESTART handler (so a stray SIGUSR1 can't kill it).
 * Exact syscalls: openat 1, write T*N (N per thread), close 1, read 0.
 * Bad args: usage on stderr, exit 2. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
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
  msg("usage: hw_mt_counter T N MS\n");
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
static long n, ms;
static void on_usr1(int sig) { (void)sig; }

static void sleep_ms(long t) {
  struct timespec ts = {t / 1000, (t % 1000) * 1000000L};
  while (t > 0 && nanosleep(&ts, &ts) == -1 && errno == EINTR)
    ;
}

static void *worker(void *arg) {
  long id = (long)(intptr_t)arg;
  char buf[64];
  snprintf(buf, sizeof buf, "mt-%ld", id);
  if (pthread_setname_np(pthread_self(), buf))
    die("hw_mt_counter: setname failed\n");
  for (long j = 1; j <= n; j++) {
    int len = snprintf(buf, sizeof buf, "mt-%ld %ld\n", id, j);
    if (write(fd, buf, (size_t)len) != len)
      die("hw_mt_counter: write failed\n");
    sleep_ms(ms);
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 4)
    usage();
  long t = num(argv[1], 0, 1000);
  n = num(argv[2], 0, 100000000);
  ms = num(argv[3], 0, 3600000);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGUSR1, &sa, NULL);
  static pthread_t th[1000];
  if ((fd = open("/dev/null", O_WRONLY)) < 0)
    die("hw_mt_counter: open failed\n");
  for (long i = 0; i < t; i++)
    if (pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i))
      die("hw_mt_counter: pthread_create failed\n");
  for (long i = 0; i < t; i++)
    pthread_join(th[i], NULL);
  if (close(fd))
    die("hw_mt_counter: close failed\n");
  return 0;
}
