/* hw_fork K N -- syscallmon test helper.
 * Parent fork()s K children (all first, then waits for all). Each child opens
 * /dev/null, makes N 1-byte writes, closes, _exit(0). Parent makes no I/O.
 * Exact syscalls (all in children): openat K, write K*N, close K, read 0.
 * Exit 0, or 1 if any child failed. Bad args: usage on stderr, exit 2. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void msg(const char *s) {
  ssize_t r = write(2, s, strlen(s));
  (void)r;
}
static void usage(void) {
  msg("usage: hw_fork K N\n");
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

int main(int argc, char **argv) {
  if (argc != 3)
    usage();
  long k = num(argv[1], 0, 10000), n = num(argv[2], 0, 100000000);
  int rc = 0;
  for (long c = 0; c < k; c++) {
    pid_t pid = fork();
    if (pid < 0) {
      msg("hw_fork: fork failed\n");
      rc = 1;
      break;
    }
    if (pid == 0) {
      int fd = open("/dev/null", O_WRONLY);
      if (fd < 0)
        _exit(1);
      for (long i = 0; i < n; i++)
        if (write(fd, "x", 1) != 1)
          _exit(1);
      _exit(close(fd) ? 1 : 0);
    }
  }
  int st;
  while (wait(&st) > 0)
    if (!WIFEXITED(st) || WEXITSTATUS(st))
      rc = 1;
  return rc;
}
