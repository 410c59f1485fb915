/* hw_common.h -- code shared by the syscallmon test helpers (hw_*.c).
 * Header-only (static inline), C11/gnu11, works with -m32 too. Every counted
 * call is a raw libc wrapper (open/write/read/close), never stdio, and every
 * message is one write(2) to fd 2, so the helpers' exact syscall counts
 * (README.md) do not depend on this file beyond what each helper calls.
 *
 * Before including it, a helper defines:
 *   _GNU_SOURCE            (before any system header)
 *   HW_NAME  "hw_x"        prefix of its error messages
 *   HW_ARGS  "N MS"        its usage line is "usage: " HW_NAME " " HW_ARGS "\n"
 */
#ifndef HW_COMMON_H
#define HW_COMMON_H

#ifndef _GNU_SOURCE
#error "define _GNU_SOURCE before including hw_common.h"
#endif
#if !defined(HW_NAME) || !defined(HW_ARGS)
#error "define HW_NAME and HW_ARGS before including hw_common.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Argument ranges (README.md): counts, sleeps in ms, thread counts. */
#define HW_MAX_COUNT 100000000L
#define HW_MAX_MS 3600000L
#define HW_MAX_THREADS 1000L

/* One write(2, s) of the whole string; errors are ignored. */
static inline void hw_msg(const char *s) {
  ssize_t r = write(2, s, strlen(s));
  (void)r;
}

/* hw_msg(s), then _exit(1). */
static inline _Noreturn void hw_die(const char *s) {
  hw_msg(s);
  _exit(1);
}

/* The usage line on stderr (one write), then _exit(2). */
static inline _Noreturn void hw_usage(void) {
  hw_msg("usage: " HW_NAME " " HW_ARGS "\n");
  _exit(2);
}

/* s as a base-10 number in lo..hi, else hw_usage(). */
static inline long hw_num(const char *s, long lo, long hi) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || end == s || *end || v < lo || v > hi)
    hw_usage();
  return v;
}

/* Sleep ms milliseconds (nanosleep, resumed with the remaining time on
 * EINTR); no syscall at all if ms <= 0. */
static inline void hw_sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (ms > 0 && nanosleep(&ts, &ts) == -1 && errno == EINTR)
    ;
}

/* open("/dev/null", O_WRONLY | flags) or die: one openat. */
static inline int hw_open_null(int flags) {
  int fd = open("/dev/null", O_WRONLY | flags);
  if (fd < 0)
    hw_die(HW_NAME ": open failed\n");
  return fd;
}

/* n 1-byte writes to fd or die: exactly n writes. */
static inline void hw_writes(int fd, long n) {
  for (long i = 0; i < n; i++)
    if (write(fd, "x", 1) != 1)
      hw_die(HW_NAME ": write failed\n");
}

/* close(fd) or die: one close. */
static inline void hw_close(int fd) {
  if (close(fd))
    hw_die(HW_NAME ": close failed\n");
}

/* One write(fd, buf, len) of a snprintf result or die (also if len <= 0,
 * without any write then). */
static inline void hw_put(int fd, const char *buf, int len) {
  if (len <= 0 || write(fd, buf, (size_t)len) != len)
    hw_die(HW_NAME ": write failed\n");
}

/* Silent variant for forked children: open /dev/null, n 1-byte writes,
 * close. Returns 0, or 1 at the first failure (no message, no further
 * calls). Exactly openat 1, write n, close 1 on success. */
static inline int hw_null_writes(long n) {
  int fd = open("/dev/null", O_WRONLY);
  if (fd < 0)
    return 1;
  for (long i = 0; i < n; i++)
    if (write(fd, "x", 1) != 1)
      return 1;
  return close(fd) ? 1 : 0;
}

/* Reap every child (wait() until it fails); 1 if any did not exit 0. */
static inline int hw_wait_all(void) {
  int st, rc = 0;
  while (wait(&st) > 0)
    if (!WIFEXITED(st) || WEXITSTATUS(st))
      rc = 1;
  return rc;
}

/* One waitpid(pid, &st, 0): 0 if it returned pid and the child exited 0,
 * else 1. */
static inline int hw_wait_ok(pid_t pid) {
  int st;
  if (waitpid(pid, &st, 0) != pid)
    return 1;
  return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

/* execv(argv[0], argv) (no PATH search); if it fails, one stderr line and
 * _exit(127). */
static inline _Noreturn void hw_execv(char **argv) {
  execv(argv[0], argv);
  hw_msg(HW_NAME ": execv failed\n");
  _exit(127);
}

/* sigaction(sig) with handler h, SA_RESTART, empty mask. */
static inline void hw_on_signal(int sig, void (*h)(int)) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = h;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  sigaction(sig, &sa, NULL);
}

/* Name the calling thread "<prefix><id>" (pthread_setname_np on self: one
 * prctl(PR_SET_NAME), no file I/O) or die. */
static inline void hw_name_self(const char *prefix, long id) {
  char name[16];
  snprintf(name, sizeof name, "%s%ld", prefix, id);
  if (pthread_setname_np(pthread_self(), name))
    hw_die(HW_NAME ": setname failed\n");
}

/* A named worker's life: name the thread PREFIX<id>, then n times write the
 * line "PREFIX<id> <j>\n" to fd (one write) and sleep ms ms. Exactly: prctl
 * 1 (the name), write n, plus the sleeps' nanosleep calls. */
static inline void hw_named_lines(int fd, const char *prefix, long id, long n,
                                  long ms) {
  hw_name_self(prefix, id);
  char buf[64];
  for (long j = 1; j <= n; j++) {
    hw_put(fd, buf, snprintf(buf, sizeof buf, "%s%ld %ld\n", prefix, id, j));
    hw_sleep_ms(ms);
  }
}

/* Start t threads fn((void *)(intptr_t)i), i = 0..t-1, into th[0..t-1],
 * dying if one cannot be created. */
static inline void hw_start_threads(pthread_t *th, long t,
                                    void *(*fn)(void *)) {
  for (long i = 0; i < t; i++)
    if (pthread_create(&th[i], NULL, fn, (void *)(intptr_t)i))
      hw_die(HW_NAME ": pthread_create failed\n");
}

/* Start t threads (t <= HW_MAX_THREADS) as hw_start_threads, then join them
 * all in order. */
static inline void hw_run_threads(long t, void *(*fn)(void *)) {
  static pthread_t th[HW_MAX_THREADS];
  hw_start_threads(th, t, fn);
  for (long i = 0; i < t; i++)
    pthread_join(th[i], NULL);
}

#endif
