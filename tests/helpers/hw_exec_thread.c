/* hw_exec_thread N PROG [ARGS...] -- syscallmon test helper (exec from a
 * non-leader thread). Main opens /dev/null (O_CLOEXEC), makes N 1-byte
 * writes, starts a second thread and blocks in pause() forever. The second
 * thread makes N writes then execv(PROG, [PROG, ARGS...]); the kernel kills
 * main and the exec'ing thread takes over the leader's pid.
 * Exact syscalls before the exec: openat 1, write 2N (N main, N thread),
 * close 0 (fd is closed by O_CLOEXEC at exec), read 0; then whatever PROG does.
 * execv failure: one line on stderr, exit 127. Bad args: usage, exit 2. */
#define _GNU_SOURCE
#define HW_NAME "hw_exec_thread"
#define HW_ARGS "N PROG [ARGS...]"
#include "hw_common.h"

static int fd;
static long n;
static char **prog_argv;

static void *second(void *arg) {
  (void)arg;
  hw_writes(fd, n);
  hw_execv(prog_argv);
}

int main(int argc, char **argv) {
  if (argc < 3)
    hw_usage();
  n = hw_num(argv[1], 0, HW_MAX_COUNT);
  prog_argv = argv + 2;
  fd = hw_open_null(O_CLOEXEC);
  hw_writes(fd, n);
  pthread_t th;
  if (pthread_create(&th, NULL, second, NULL))
    hw_die("hw_exec_thread: pthread_create failed\n");
  for (;;)
    pause();
}
