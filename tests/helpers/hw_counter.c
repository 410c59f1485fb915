/* hw_counter N MS -- syscallmon test helper (attach tests).
 * For i = 1..N: one write(1, "<i>\n"), then sleep MS ms (nanosleep, resumed
 * with the remaining time on EINTR, so total run time ~ N*MS ms is stable).
 * SIGUSR1 has an SA_RESTART handler that counts deliveries. Finally one
 * write(1, "done usr1=<count>\n") and exit 7 (deliberately non-zero).
 * Exact syscalls: write N+1 (all to fd 1), read/openat/close 0.
 * Bad args: usage on stderr, exit 2. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
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
  msg("usage: hw_counter N MS\n");
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

static volatile sig_atomic_t usr1;
static void on_usr1(int sig) {
  (void)sig;
  usr1++;
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (ms > 0 && nanosleep(&ts, &ts) == -1 && errno == EINTR)
    ;
}

static void put(const char *buf, int len) {
  if (len <= 0 || write(1, buf, (size_t)len) != len)
    die("hw_counter: write failed\n");
}

int main(int argc, char **argv) {
  if (argc != 3)
    usage();
  long n = num(argv[1], 0, 100000000), ms = num(argv[2], 0, 3600000);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGUSR1, &sa, NULL);
  char buf[64];
  for (long i = 1; i <= n; i++) {
    put(buf, snprintf(buf, sizeof buf, "%ld\n", i));
    sleep_ms(ms);
  }
  put(buf, snprintf(buf, sizeof buf, "done usr1=%ld\n", (long)usr1));
  return 7;
}
