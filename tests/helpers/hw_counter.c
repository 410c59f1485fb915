/* hw_counter N MS -- syscallmon test helper (attach tests).
 * For i = 1..N: one write(1, "<i>\n"), then sleep MS ms (nanosleep, resumed
 * with the remaining time on EINTR, so total run time ~ N*MS ms is stable).
 * SIGUSR1 and SIGRTMIN have an SA_RESTART handler that counts deliveries
 * (SIGRTMIN is queued, so tests that need an exact count send it: two
 * pending SIGUSR1 merge into one). Finally one
 * write(1, "done usr1=<count>\n") and exit 7 (deliberately non-zero).
 * Exact syscalls: write N+1 (all to fd 1), read/openat/close 0.
 * Bad args: usage on stderr, exit 2. */
#define _GNU_SOURCE
#define HW_NAME "hw_counter"
#define HW_ARGS "N MS"
#include "hw_common.h"

static volatile sig_atomic_t usr1;
static void on_usr1(int sig) {
  (void)sig;
  usr1++;
}

int main(int argc, char **argv) {
  if (argc != 3)
    hw_usage();
  long n = hw_num(argv[1], 0, HW_MAX_COUNT), ms = hw_num(argv[2], 0, HW_MAX_MS);
  hw_on_signal(SIGUSR1, on_usr1);
  hw_on_signal(SIGRTMIN, on_usr1);
  char buf[64];
  for (long i = 1; i <= n; i++) {
    hw_put(1, buf, snprintf(buf, sizeof buf, "%ld\n", i));
    hw_sleep_ms(ms);
  }
  hw_put(1, buf, snprintf(buf, sizeof buf, "done usr1=%ld\n", (long)usr1));
  return 7;
}
