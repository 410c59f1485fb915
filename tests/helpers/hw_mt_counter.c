/* hw_mt_counter T N MS -- syscallmon test helper (multi-thread attach tests).
 * Main opens /dev/null and starts T threads (0 <= T <= 1000); thread i names
 * itself "mt-<i>" (pthread_setname_np on self == prctl), then N times: one
 * write of the line "mt-<i> <j>\n" to /dev/null, sleep MS ms (EINTR-resumed).
 * Main joins all, closes, exits 0; main makes no writes. Like hw_counter,
 * SIGUSR1 has a harmless SA_RESTART handler (so a stray SIGUSR1 can't kill it).
 * Exact syscalls: openat 1, write T*N (N per thread), close 1, read 0.
 * Bad args: usage on stderr, exit 2. */
#define _GNU_SOURCE
#define HW_NAME "hw_mt_counter"
#define HW_ARGS "T N MS"
#include "hw_common.h"

static int fd;
static long n, ms;
static void on_usr1(int sig) { (void)sig; }

static void *worker(void *arg) {
  hw_named_lines(fd, "mt-", (long)(intptr_t)arg, n, ms);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 4)
    hw_usage();
  long t = hw_num(argv[1], 0, HW_MAX_THREADS);
  n = hw_num(argv[2], 0, HW_MAX_COUNT);
  ms = hw_num(argv[3], 0, HW_MAX_MS);
  hw_on_signal(SIGUSR1, on_usr1);
  fd = hw_open_null(0);
  hw_run_threads(t, worker);
  hw_close(fd);
  return 0;
}
