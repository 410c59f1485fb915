/* hw_rename_loop K -- syscallmon test helper (many image names).
 * Opens /dev/null; for i = 0..K-1: prctl(PR_SET_NAME, "n<i>"), then exactly
 * one 1-byte write; closes; exit 0. So names n0..n<K-1> get 1 write each.
 * Exact syscalls: openat 1 (under the original name), write K, close 1
 * (under "n<K-1>", or the original name if K = 0), read 0.
 * Bad args: usage on stderr, exit 2. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
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
  msg("usage: hw_rename_loop K\n");
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
  if (argc != 2)
    usage();
  long k = num(argv[1], 0, 10000000);
  int fd = open("/dev/null", O_WRONLY);
  if (fd < 0)
    die("hw_rename_loop: open failed\n");
  char name[16];
  for (long i = 0; i < k; i++) {
    snprintf(name, sizeof name, "n%ld", i);
    if (prctl(PR_SET_NAME, name, 0, 0, 0))
      die("hw_rename_loop: prctl failed\n");
    if (write(fd, "x", 1) != 1)
      die("hw_rename_loop: write failed\n");
  }
  if (close(fd))
    die("hw_rename_loop: close failed\n");
  return 0;
}
