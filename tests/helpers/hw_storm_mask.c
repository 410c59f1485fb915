/* hw_storm_mask T N -- syscallmon test helper.
 * Main opens /dev/null and starts T threads (1 <= T <= 1000); each makes N
 * 1-byte writes and then reads its own CPU mask with sched_getaffinity. Main
 * joins, closes, and prints the smallest CPU count any thread saw, as
 * "<count>\n" in one write to stdout, then exits 0. Exact syscalls: openat 1,
 * write T*N + 1, close 1, sched_getaffinity T, read 0. Bad args: usage on
 * stderr, exit 2. A storm of stops from several threads is what makes
 * `--affinity auto` co-locate them mid-run; the printed count shows whether
 * the command still sees its own mask then. */
#define _GNU_SOURCE
#define HW_NAME "hw_storm_mask"
#define HW_ARGS "T N"
#include "hw_common.h"

#include <sched.h>

static int fd;
static long n;
static int cpus[HW_MAX_THREADS];

static void *worker(void *arg) {
  const long i = (long)(intptr_t)arg;
  hw_writes(fd, n);
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0)
    hw_die(HW_NAME ": sched_getaffinity failed\n");
  cpus[i] = CPU_COUNT(&set);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 3)
    hw_usage();
  long t = hw_num(argv[1], 1, HW_MAX_THREADS);
  n = hw_num(argv[2], 0, HW_MAX_COUNT);
  fd = hw_open_null(0);
  hw_run_threads(t, worker);
  hw_close(fd);
  int least = cpus[0];
  for (long i = 1; i < t; i++)
    if (cpus[i] < least)
      least = cpus[i];
  char line[16];
  hw_put(1, line, snprintf(line, sizeof line, "%d\n", least));
  return 0;
}
