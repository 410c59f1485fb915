/* hw_system MODE ... -- syscallmon test helper for --system runs, where
 * every process of the machine is counted: its calls carry names that no
 * other process has.
 *   hw_system uids NAME N UID   (run as root) prctl(PR_SET_NAME, NAME),
 *       openat 1, write N, setuid(UID) 1, write N, close 1: N writes as
 *       root and N as UID, all under NAME.
 *   hw_system names PREFIX C K  C short-lived children one after another,
 *       child i named PREFIX<i>, each making K tuxcall calls (never
 *       implemented on Linux: ENOSYS, and no other program makes them)
 *       and _exit(0); the parent makes none.
 * Bad args: usage, exit 2; a failed step: message, exit 1 (3 if setuid
 * failed). */
#define _GNU_SOURCE
#define HW_NAME "hw_system"
#define HW_ARGS "uids NAME N UID | names PREFIX C K"
#include "hw_common.h"
#include <sys/prctl.h>
#include <sys/syscall.h>

static void set_name(const char *name) {
  if (strlen(name) < 1 || strlen(name) > 15)
    hw_usage();
  if (prctl(PR_SET_NAME, name, 0, 0, 0))
    hw_die("hw_system: prctl failed\n");
}

static int uids(const char *name, long n, uid_t uid) {
  set_name(name);
  int fd = hw_open_null(0);
  hw_writes(fd, n);
  if (setuid(uid)) {
    hw_msg("hw_system: setuid failed\n");
    _exit(3);
  }
  hw_writes(fd, n);
  hw_close(fd);
  return 0;
}

static int names(const char *prefix, long c, long k) {
  if (strlen(prefix) < 1 || strlen(prefix) > 8)
    hw_usage();
  for (long i = 0; i < c; i++) {
    pid_t pid = fork();
    if (pid < 0)
      hw_die("hw_system: fork failed\n");
    if (pid == 0) {
      char name[32]; /* PREFIX (<= 8) and i (<= 7 digits): <= 15 bytes */
      snprintf(name, sizeof name, "%s%ld", prefix, i);
      set_name(name);
      for (long j = 0; j < k; j++)
        syscall(SYS_tuxcall);
      _exit(0);
    }
    if (hw_wait_ok(pid))
      hw_die("hw_system: a child failed\n");
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 5 && strcmp(argv[1], "uids") == 0)
    return uids(argv[2], hw_num(argv[3], 0, HW_MAX_COUNT),
                (uid_t)hw_num(argv[4], 0, 4294967294L));
  if (argc == 5 && strcmp(argv[1], "names") == 0)
    return names(argv[2], hw_num(argv[3], 1, 10000000),
                 hw_num(argv[4], 0, HW_MAX_COUNT));
  hw_usage();
}
