/* hw_exit_watched K -- syscallmon test helper.
 * Watches its own /proc/self/status with inotify, writes "ready\n" to fd 1,
 * and exits (status 0) once that file has been read and closed K times by
 * anyone: a -p target that exits at a chosen step of syscallmon's checks.
 * Exact syscalls: inotify_init1 1, inotify_add_watch 1, write 1, read 1..K
 * (inotify events). Bad args: one-line usage on stderr, exit 2. */
#define _GNU_SOURCE
#define HW_NAME "hw_exit_watched"
#define HW_ARGS "K"
#include "hw_common.h"

#include <sys/inotify.h>

int main(int argc, char **argv) {
  if (argc != 2)
    hw_usage();
  long k = hw_num(argv[1], 1, HW_MAX_COUNT);
  int fd = inotify_init1(IN_CLOEXEC);
  if (fd < 0 || inotify_add_watch(fd, "/proc/self/status",
                                  IN_OPEN | IN_CLOSE_NOWRITE) < 0)
    hw_die("hw_exit_watched: inotify failed\n");
  hw_put(1, "ready\n", 6);
  /* Opens watched too: inotify merges an event into an identical one
   * still unread, and an open between two closes keeps them apart. */
  char buf[4096] __attribute__((aligned(8)));
  long seen = 0;
  while (seen < k) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0)
      hw_die("hw_exit_watched: read failed\n");
    for (ssize_t off = 0; off < n;) {
      const struct inotify_event *e = (const void *)(buf + off);
      if (e->mask & IN_CLOSE_NOWRITE)
        seen++;
      off += (ssize_t)sizeof *e + e->len;
    }
  }
  return 0;
}
