/* hw_threads T N -- syscallmon test helper.
 * Main opens /dev/null, starts T threads (0 <= T <= 1000); thread i names
 * itself "worker-<i>" (pthread_setname_np on self == prctl(PR_SET_NAME), no
 * file I/O) and makes N 1-byte writes. Main joins, closes, exits 0; main makes
 * no writes. Exact syscalls: openat 1, write T*N (N per thread), close 1, read
 * 0. Bad args: usage on stderr, exit 2. */
#define _GNU_SOURCE
#define HW_NAME "hw_threads"
#define HW_ARGS "T N"
#include "hw_common.h"

static int fd;
static long n;

static void *worker(void *arg) {
  hw_name_self("worker-", (long)(intptr_t)arg);
  hw_writes(fd, n);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 3)
    hw_usage();
  long t = hw_num(argv[1], 0, HW_MAX_THREADS);
  n = hw_num(argv[2], 0, HW_MAX_COUNT);
  fd = hw_open_null(0);
  hw_run_threads(t, worker);
  hw_close(fd);
  return 0;
}
