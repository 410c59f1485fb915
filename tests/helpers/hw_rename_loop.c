/* hw_rename_loop K -- syscallmon test helper (many image names).
 * Opens /dev/null; for i = 0..K-1: prctl(PR_SET_NAME, "n<i>"), then exactly
 * one 1-byte write; closes; exit 0. So names n0..n<K-1> get 1 write each.
 * Exact syscalls: openat 1 (under the original name), write K, close 1
 * (under "n<K-1>", or the original name if K = 0), read 0.
 * Bad args: usage on stderr, exit 2. */
#define _GNU_SOURCE
#define HW_NAME "hw_rename_loop"
#define HW_ARGS "K"
#include "hw_common.h"
#include <sys/prctl.h>

int main(int argc, char **argv) {
  if (argc != 2)
    hw_usage();
  long k = hw_num(argv[1], 0, 10000000);
  int fd = hw_open_null(0);
  char name[16];
  for (long i = 0; i < k; i++) {
    snprintf(name, sizeof name, "n%ld", i);
    if (prctl(PR_SET_NAME, name, 0, 0, 0))
      hw_die("hw_rename_loop: prctl failed\n");
    hw_writes(fd, 1);
  }
  hw_close(fd);
  return 0;
}
