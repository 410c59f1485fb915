/* A syscall counter without ptrace, as a reference row for bench/compare:
 * the filter returns SECCOMP_RET_USER_NOTIF for the chosen calls, and one
 * supervisor thread receives each notification and lets the call run
 * (SECCOMP_USER_NOTIF_FLAG_CONTINUE). With SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
 * (Linux 6.6) the supervisor is woken on the caller's CPU. It answers "what
 * would another kernel mechanism cost" for docs/performance.md; syscallmon
 * itself uses ptrace (it needs fork/exec/exit events and --errors/--time).
 * usage: notifycount SET COMMAND [ARGS...]   (SET: "all" or "read,write,...")
 * Prints the total count to stderr; exits with the command's status. */
#define _GNU_SOURCE
#include "callset.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP 1UL
#endif

static uint32_t notify_action(int nr) {
  (void)nr;
  return SCMP_ACT_NOTIFY;
}

static atomic_ulong total;

static void *serve(void *arg) {
  const int fd = *(const int *)arg;
  for (;;) {
    struct seccomp_notif req;
    memset(&req, 0, sizeof req);
    if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
      if (errno == EINTR || errno == ENOENT) {
        continue; /* ENOENT: the caller died before we received it */
      }
      return NULL;
    }
    atomic_fetch_add_explicit(&total, 1, memory_order_relaxed);
    struct seccomp_notif_resp resp = {
        .id = req.id, .flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE};
    ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
  }
}

/* The child's listener is fd `slot` in its table: it closed that slot just
 * before loading the filter, and a new fd takes the lowest free number. The
 * child then waits on a pipe until we hold a copy: its own is closed on exec,
 * and a filter without a listener fails the calls with ENOSYS. (That read
 * is counted too when read is in the set: one call more than mintracer.) */
static int take_listener(pid_t child, int slot) {
  const int pidfd = (int)pidfd_open(child, 0);
  for (int tries = 0; pidfd >= 0 && tries < 20000; ++tries) {
    const int fd = (int)pidfd_getfd(pidfd, slot, 0);
    char link[64] = "";
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    if (fd >= 0 && readlink(path, link, sizeof link - 1) > 0 &&
        strstr(link, "seccomp") != NULL) {
      close(pidfd);
      return fd;
    }
    if (fd >= 0) {
      close(fd);
    }
    nanosleep(&(struct timespec){0, 50000}, NULL);
  }
  return -1;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: notifycount SET COMMAND [ARGS...]\n");
    return 2;
  }
  scmp_filter_ctx ctx = build_filter(argv[1], notify_action);
  int go[2];
  if (ctx == NULL || pipe2(go, O_CLOEXEC) < 0) {
    return 2;
  }
  const int slot = open("/dev/null", O_RDONLY); /* the lowest free fd */
  const pid_t child = fork();
  if (child == 0) {
    char byte = 0;
    close(slot);
    if (seccomp_load(ctx) < 0 || read(go[0], &byte, 1) != 1) {
      _exit(126);
    }
    execvp(argv[2], argv + 2);
    _exit(127);
  }
  const int fd = child < 0 ? -1 : take_listener(child, slot);
  if (fd < 0) {
    fprintf(stderr, "notifycount: no listener from the child\n");
    return 1;
  }
  if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
            SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) < 0) {
    perror("notifycount: SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP");
  }
  pthread_t thread;
  pthread_create(&thread, NULL, serve, (void *)&fd);
  if (write(go[1], "g", 1) != 1) {
    return 1;
  }
  int status = 0;
  waitpid(child, &status, 0);
  fprintf(stderr, "notifycount: %lu calls\n", atomic_load(&total));
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
