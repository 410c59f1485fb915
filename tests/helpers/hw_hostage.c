/* hw_hostage MS TRY... -- syscallmon test helper.
 * Tries to take its tracer hostage. It waits up to MS ms until
 * /proc/self/status shows a TracerPid (openat, read and close of it, every
 * 1 ms), then makes one ptrace call per TRY, in order:
 *   seize      PTRACE_SEIZE of the tracer
 *   attach     PTRACE_ATTACH of the tracer
 *   seize-hi   PTRACE_SEIZE of the tracer's pid with bit 32 set (the kernel
 *              drops the high half of the pid argument)
 *   parent     PTRACE_SEIZE of its parent
 *   interrupt  PTRACE_INTERRUPT of the tracer (not ours to trace: ESRCH)
 * and writes the outcomes as one line to stdout (one write), e.g.
 * "EPERM EPERM ESRCH\n" ("ok" for a call that succeeded). Exact syscalls
 * after the wait: ptrace 1 per TRY, write 1. Exit 0; 1 if no tracer came;
 * bad args: usage on stderr, exit 2. */
#define _GNU_SOURCE
#define HW_NAME "hw_hostage"
#define HW_ARGS "MS seize|attach|seize-hi|parent|interrupt..."
#include "hw_common.h"

#include <sys/ptrace.h>
#include <sys/syscall.h>

/* The TracerPid of the calling process, 0 if none or unreadable. */
static long tracer_pid(void) {
  char buf[4096];
  int fd = open("/proc/self/status", O_RDONLY);
  if (fd < 0)
    return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0)
    return 0;
  buf[n] = '\0';
  const char *at = strstr(buf, "TracerPid:");
  return at ? strtol(at + 10, NULL, 10) : 0;
}

/* One raw ptrace call (glibc's wrapper is variadic and may add calls). */
static const char *try_one(const char *what, long tracer) {
  long request = PTRACE_SEIZE;
  long pid = tracer;
  if (!strcmp(what, "attach")) {
    request = PTRACE_ATTACH;
  } else if (!strcmp(what, "seize-hi")) {
    pid = (long)((1UL << 32) | (unsigned long)tracer);
  } else if (!strcmp(what, "parent")) {
    pid = getppid();
  } else if (!strcmp(what, "interrupt")) {
    request = PTRACE_INTERRUPT;
  } else if (strcmp(what, "seize")) {
    hw_usage();
  }
  if (syscall(SYS_ptrace, request, pid, 0L, 0L) == 0)
    return "ok";
  switch (errno) {
  case EPERM:
    return "EPERM";
  case ESRCH:
    return "ESRCH";
  default:
    return "other";
  }
}

int main(int argc, char **argv) {
  if (argc < 3)
    hw_usage();
  long ms = hw_num(argv[1], 0, HW_MAX_MS);
  long tracer = tracer_pid();
  for (long waited = 0; tracer == 0 && waited < ms; waited++) {
    hw_sleep_ms(1);
    tracer = tracer_pid();
  }
  if (tracer == 0)
    hw_die(HW_NAME ": no tracer\n");
  char line[256] = "";
  for (int i = 2; i < argc; i++) {
    if (i > 2)
      strcat(line, " ");
    strncat(line, try_one(argv[i], tracer), 16);
    if (strlen(line) > sizeof line - 24)
      hw_usage();
  }
  strcat(line, "\n");
  hw_put(1, line, (int)strlen(line));
  return 0;
}
