/* hw_exec_thread N PROG [ARGS...] -- syscallmon test helper (exec from a
 * non-leader thread). Main opens /dev/null (O_CLOEXEC), makes N 1-byte
 * writes, starts a second thread and blocks in pause() forever. The second
 * thread makes N writes then execv(PROG, [PROG, ARGS...]); the kernel kills
 * main and the exec'ing thread takes over the leader's pid.
 * Exact syscalls before the exec: openat 1, write 2N (N main, N thread),
 * close 0 (fd is closed by O_CLOEXEC at exec), read 0; then whatever PROG does.
 * execv failure: one line on stderr, exit 127. Bad args: usage, exit 2. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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
  msg("usage: hw_exec_thread N PROG [ARGS...]\n");
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
static char **prog_argv;

static void writes(void) {
  for (long i = 0; i < n; i++)
    if (write(fd, "x", 1) != 1)
      die("hw_exec_thread: write failed\n");
}

static void *second(void *arg) {
  (void)arg;
  writes();
  execv(prog_argv[0], prog_argv);
  msg("hw_exec_thread: execv failed\n");
  _exit(127);
}

int main(int argc, char **argv) {
  if (argc < 3)
    usage();
  n = num(argv[1], 0, 100000000);
  prog_argv = argv + 2;
  if ((fd = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0)
    die("hw_exec_thread: open failed\n");
  writes();
  pthread_t th;
  if (pthread_create(&th, NULL, second, NULL))
    die("hw_exec_thread: pthread_create failed\n");
  for (;;)
    pause();
}
