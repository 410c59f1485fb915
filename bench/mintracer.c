/* The least a one-stop ptrace syscall counter can do, as a reference row for
 * bench/compare: a libseccomp filter sends the chosen calls to the tracer
 * (SECCOMP_RET_TRACE with the syscall number as data), and each stop costs
 * the tracer waitpid, PTRACE_GETEVENTMSG and PTRACE_CONT, with counts in a
 * flat array. No names, no report, no affinity policy: whatever syscallmon
 * costs above this is its own overhead; what this costs is ptrace's.
 * usage: mintracer SET COMMAND [ARGS...]   (SET: "all" or "read,write,...")
 * Prints the total count to stderr; exits with the command's status. */
#define _GNU_SOURCE
#include "callset.h"

#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

static uint32_t trace_action(int nr) { return SCMP_ACT_TRACE(nr); }

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: mintracer SET COMMAND [ARGS...]\n");
    return 2;
  }
  scmp_filter_ctx ctx = build_filter(argv[1], trace_action);
  if (ctx == NULL) {
    return 2;
  }
  const pid_t child = fork();
  if (child == 0) {
    raise(SIGSTOP); /* wait until seized */
    if (seccomp_load(ctx) < 0) {
      _exit(126);
    }
    execvp(argv[2], argv + 2);
    _exit(127);
  }
  int status = 0;
  if (child < 0 || waitpid(child, &status, WSTOPPED) != child ||
      ptrace(PTRACE_SEIZE, child, 0,
             PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL | PTRACE_O_TRACEEXEC |
                 PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
                 PTRACE_O_TRACECLONE) < 0) {
    perror("mintracer");
    return 1;
  }
  kill(child, SIGCONT);
  static unsigned long counts[4096];
  unsigned long total = 0;
  int exit_code = 1;
  for (;;) {
    const pid_t tid = waitpid(-1, &status, __WALL);
    if (tid < 0) {
      break;
    }
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
      if (tid == child) {
        exit_code =
            WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      continue;
    }
    const int event = status >> 16;
    int sig = 0;
    if (event == PTRACE_EVENT_SECCOMP) {
      unsigned long nr = 0;
      ptrace(PTRACE_GETEVENTMSG, tid, 0, &nr);
      ++counts[nr & 4095];
      ++total;
    } else if (event == 0 && WSTOPSIG(status) != SIGTRAP) {
      sig = WSTOPSIG(status); /* deliver real signals */
    }
    ptrace(PTRACE_CONT, tid, 0, sig);
  }
  fprintf(stderr, "mintracer: %lu calls\n", total);
  return exit_code;
}
