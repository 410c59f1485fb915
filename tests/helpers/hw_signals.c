/* hw_signals -- syscallmon test helper (signal delivery under ptrace).
 * SA_RESTART handlers for SIGUSR1, SIGALRM, SIGCHLD set flags. All three are
 * blocked up front and each wait is sigsuspend() with them unblocked (no race):
 * raise(SIGUSR1); setitimer(ITIMER_REAL, 20 ms); fork() a child that _exit(0)s,
 * then waitpid() it. A 5 s per-wait watchdog (timer_create -> SIGUSR2) turns
 * a lost signal into a failure instead of a hang.
 * Exit 42 if all three handlers ran; else one line on stderr naming the
 * missing ones, exit 1. Exact syscalls: read/write/openat/close 0 on success.
 * Any argument: usage on stderr, exit 2. */
#define _GNU_SOURCE
#define HW_NAME "hw_signals"
#define HW_ARGS "(no arguments)"
#include "hw_common.h"
#include <sys/time.h>

static volatile sig_atomic_t got_usr1, got_alrm, got_chld, timed_out;

static void handler(int sig) {
  if (sig == SIGUSR1)
    got_usr1 = 1;
  else if (sig == SIGALRM)
    got_alrm = 1;
  else if (sig == SIGCHLD)
    got_chld = 1;
  else
    timed_out = 1;
}

static timer_t wd;
static int have_wd;

static void wait_for(volatile sig_atomic_t *flag, const sigset_t *mask) {
  struct itimerspec five = {{0, 0}, {5, 0}};
  timed_out = 0;
  if (have_wd)
    timer_settime(wd, 0, &five, NULL);
  while (!*flag && !timed_out)
    sigsuspend(mask);
}

int main(int argc, char **argv) {
  (void)argv;
  if (argc != 1)
    hw_usage();
  int sigs[] = {SIGUSR1, SIGALRM, SIGCHLD, SIGUSR2};
  sigset_t block, waitmask;
  sigemptyset(&block);
  for (int i = 0; i < 4; i++) {
    hw_on_signal(sigs[i], handler);
    sigaddset(&block, sigs[i]);
  }
  sigprocmask(SIG_BLOCK, &block, &waitmask);
  for (int i = 0; i < 4; i++)
    sigdelset(&waitmask, sigs[i]);

  struct sigevent sev;
  memset(&sev, 0, sizeof sev);
  sev.sigev_notify = SIGEV_SIGNAL;
  sev.sigev_signo = SIGUSR2;
  have_wd = timer_create(CLOCK_MONOTONIC, &sev, &wd) == 0;

  raise(SIGUSR1);
  wait_for(&got_usr1, &waitmask);

  struct itimerval it = {{0, 0}, {0, 20000}};
  setitimer(ITIMER_REAL, &it, NULL);
  wait_for(&got_alrm, &waitmask);

  pid_t pid = fork();
  if (pid == 0)
    _exit(0);
  if (pid > 0) {
    wait_for(&got_chld, &waitmask);
    waitpid(pid, NULL, 0);
  }
  if (got_usr1 && got_alrm && got_chld)
    return 42;
  char line[128] = "hw_signals: handler did not run:";
  if (!got_usr1)
    strcat(line, " SIGUSR1");
  if (!got_alrm)
    strcat(line, " SIGALRM");
  if (!got_chld)
    strcat(line, pid < 0 ? " SIGCHLD(fork failed)" : " SIGCHLD");
  strcat(line, "\n");
  hw_msg(line);
  return 1;
}
