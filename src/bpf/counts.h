/* The layouts the BPF program and the bpf engine share: C, for both
 * clang -target bpf and C++. */
#ifndef SYSCALLMON_BPF_COUNTS_H
#define SYSCALLMON_BPF_COUNTS_H

#define SM_COMM_LEN 16
#define SM_MAX_NR 1024 /* syscall numbers above this are never selected */
#define SM_ARCHES 2    /* 0: x86_64, 1: i386 (as traced_arches()) */

/* One staging-map key: who made which call. err is 0 for the record of
 * the calls themselves; a record with err = E counts failures with errno E
 * (--errors). */
struct sm_count_key {
  __u32 nr;
  __u16 arch;
  __u16 err;
  __u32 uid;
  __u32 tgid; /* 0 unless --by pid */
  char comm[SM_COMM_LEN];
};

struct sm_count_value {
  __u64 calls;
  __u64 time_ns; /* --time: summed over the calls that returned */
  __u64 max_ns;
  __u64 first_seq; /* when the key first appeared: the FIFO order */
};

/* The traced set, 64 tgids per entry of the traced array (entry tgid / 64,
 * bit tgid % 64), in three bitmaps. */
struct sm_members {
  __u64 member;   /* traced */
  __u64 counting; /* and counted: 0 for the launched child until its exec */
  __u64 attached; /* joined through -p (or a child of such a process) */
};

/* A call in progress, for its exit (--errors, --time). */
struct sm_pending {
  struct sm_count_key key;
  __u64 start_ns;
};

#endif
