/* hw_leader_exit T N MS -- syscallmon test helper (attach to a process whose
 * leader has exited). Main opens /dev/null, starts T threads (1 <= T <= 1000)
 * and calls pthread_exit: the leader becomes a zombie (State Z) while the
 * threads run on. Thread i names itself "le-<i>", then N times: one write of
 * the line "le-<i> <j>\n" to /dev/null, sleep MS ms. The process exits 0 when
 * the last thread returns; the fd is never closed.
 * Exact syscalls: openat 1, write T*N (N per thread), close 0, read 0.
 * Bad args: usage on stderr, exit 2. */
#define _GNU_SOURCE
#define HW_NAME "hw_leader_exit"
#define HW_ARGS "T N MS"
#include "hw_common.h"

static int fd;
static long n, ms;

static void *worker(void *arg) {
  hw_named_lines(fd, "le-", (long)(intptr_t)arg, n, ms);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 4)
    hw_usage();
  long t = hw_num(argv[1], 1, HW_MAX_THREADS);
  n = hw_num(argv[2], 0, HW_MAX_COUNT);
  ms = hw_num(argv[3], 0, HW_MAX_MS);
  fd = hw_open_null(0);
  static pthread_t th[HW_MAX_THREADS];
  hw_start_threads(th, t, worker);
  pthread_exit(NULL);
}
