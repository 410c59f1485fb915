/* hw_exec_mt T G MS -- syscallmon test helper (attach during execve from a
 * thread). Main opens /dev/null and starts T threads (0 <= T <= 1000) that
 * each loop forever: one 1-byte write, sleep 1 ms. One more thread sleeps MS
 * ms, then, if G > 0, execs this program again with G-1 (execve from a
 * non-leader thread: the kernel kills the other threads first), else exits
 * the process with status 0. Counts depend on timing: for attach tests that
 * check for hangs and exit statuses, not counts.
 * Bad args: usage on stderr, exit 2. */
#define _GNU_SOURCE
#define HW_NAME "hw_exec_mt"
#define HW_ARGS "T G MS"
#include "hw_common.h"

static int fd;
static long g, ms;
static char **args;

static void *writer(void *arg) {
  (void)arg;
  for (;;) {
    hw_put(fd, "w", 1);
    hw_sleep_ms(1);
  }
  return NULL;
}

static void *execer(void *arg) {
  (void)arg;
  hw_sleep_ms(ms);
  if (g == 0)
    exit(0);
  char next[24];
  snprintf(next, sizeof next, "%ld", g - 1);
  char *argv[] = {args[0], args[1], next, args[3], NULL};
  execv("/proc/self/exe", argv);
  hw_die(HW_NAME ": execv failed\n");
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 4)
    hw_usage();
  long t = hw_num(argv[1], 0, HW_MAX_THREADS);
  g = hw_num(argv[2], 0, HW_MAX_COUNT);
  ms = hw_num(argv[3], 0, HW_MAX_MS);
  args = argv;
  fd = hw_open_null(O_CLOEXEC);
  static pthread_t th[HW_MAX_THREADS + 1];
  hw_start_threads(th, t, writer);
  hw_start_threads(th + t, 1, execer);
  for (;;)
    pause();
}
