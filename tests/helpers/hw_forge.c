/* hw_forge N K -- syscallmon test helper.
 * Loads its own seccomp filter, which answers getpid with SECCOMP_RET_TRACE
 * and the data 0xA001 (what syscallmon's own rule for write once carried),
 * then opens /dev/null, makes N 1-byte writes and K getpid calls, and
 * closes. When several filters return TRACE, the kernel hands the tracer
 * the data of the most recently loaded one: this one. Exact syscalls after
 * the filter: openat 1, write N, getpid K, close 1. The filter setup is
 * prctl(PR_SET_NO_NEW_PRIVS) and seccomp(SECCOMP_SET_MODE_FILTER), one
 * each. Run it under a tracer: with none, getpid fails with ENOSYS (exit
 * 1). Bad args: usage on stderr, exit 2. */
#define _GNU_SOURCE
#define HW_NAME "hw_forge"
#define HW_ARGS "N K"
#include "hw_common.h"

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

static void load_forging_filter(void) {
  struct sock_filter code[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 3),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getpid, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE | (0xA000 | 1)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {sizeof code / sizeof code[0], code};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
    hw_die(HW_NAME ": no_new_privs failed\n");
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
    hw_die(HW_NAME ": seccomp failed\n");
}

int main(int argc, char **argv) {
  if (argc != 3)
    hw_usage();
  long n = hw_num(argv[1], 0, HW_MAX_COUNT);
  long k = hw_num(argv[2], 0, HW_MAX_COUNT);
  load_forging_filter();
  int fd = hw_open_null(0);
  hw_writes(fd, n);
  for (long i = 0; i < k; i++)
    if (syscall(SYS_getpid) < 0)
      hw_die(HW_NAME ": getpid failed\n");
  hw_close(fd);
  return 0;
}
