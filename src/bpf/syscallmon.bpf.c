/* The bpf engine's kernel side: counts the selected syscalls of the traced
 * processes at raw_syscalls:sys_enter into a staging map that user space
 * drains into the stats table. Raw tracepoints only: no tracefs needed, no
 * tracepoint format to drift, and no CO-RE (whose vmlinux BTF parse would
 * cost tens of ms at start-up); the few task_struct offsets it reads come
 * from user space, read from the kernel's BTF (btf_offsets.cpp). */
#include <linux/bpf.h>
#include <linux/types.h>

#include <bpf/bpf_helpers.h>

#include "counts.h"

#define STAGING_ENTRIES 65536
#define TS_COMPAT 0x0002 /* x86 thread_info.status: in a 32-bit syscall */
#define MAX_ERRNO 4095

/* Set by user space before load. */
const volatile __u8 selected[SM_ARCHES][SM_MAX_NR];
const volatile __u32 self_tgid;
const volatile __u8 system_wide;
const volatile __u8 by_pid;
const volatile __u8 want_errors;
const volatile __u8 want_time;
const volatile __u32 off_task_pid;
const volatile __u32 off_task_tgid;
const volatile __u32 off_task_signal;
const volatile __u32 off_signal_live;
const volatile __u32 off_ti_status; /* 0: unknown, every call is native */
/* comm and uid read straight from the task: the two helper calls cost ~60
 * ns per call together here, the direct reads a few (and the cred pointer
 * ~1 ms of verification at load, once). 0: unknown, the helpers read them. */
const volatile __u32 off_task_comm;
const volatile __u32 off_task_cred;
const volatile __u32 off_cred_uid;

/* Read by user space through the mmap'ed .bss. */
__u64 seq;     /* keys inserted so far: each key's first_seq */
__u64 lost;    /* calls, failures or times not counted: the staging map was
                * full */
__u64 orphans; /* children not followed: tgid beyond the traced array */
/* System-wide: the command we forked, until its exec. Its calls until
 * then are syscallmon's own (the child's setup), not the command's. */
__u32 self_child;

/* Set by user space when it stops counting the -p processes (stop()):
 * from then on they and their new children are neither counted nor
 * followed, whatever runs while user space takes them out of the set. */
volatile __u8 attached_off;

/* The first staging map. Its twin for the swaps, staging_b, is created by
 * user space at the first swap (program.cpp): a run that never swaps (no
 * snapshot before the end) saves its creation. */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, STAGING_ENTRIES);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, struct sm_count_key);
  __type(value, struct sm_count_value);
} staging_a SEC(".maps");

/* The inner-map template of active: a map-in-map slot takes any hash of
 * the same key, value and flags, whatever its size, so the template (which
 * libbpf creates and closes at load) holds one entry. */
struct staging_template {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, struct sm_count_key);
  __type(value, struct sm_count_value);
};

/* The staging map in use; empty until the first swap, meaning staging_a.
 * User space swaps it for the other one (the update waits for running
 * programs) and drains the old one exactly. Every update of a map-in-map
 * waits for an RCU grace period (12-16 ms here): setting the slot at load
 * would add one to every start-up. */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
  __uint(max_entries, 1);
  __type(key, __u32);
  __array(values, struct staging_template);
} active SEC(".maps");

/* The traced set as bitmaps (struct sm_members: 64 tgids per entry): what
 * sys_enter asks of every call on the machine is one bit, a few
 * instructions where a hash lookup costs ~35 ns, and there is no hash to
 * create at start-up. User space sizes it to kernel.pid_max (512 entries,
 * 12 KiB at the default 32768) and maps it; bits change only through
 * atomic operations, here and there. A child whose tgid is beyond it
 * (pid_max raised since the load) is not followed: counted in orphans. */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1); /* set at load */
  __uint(map_flags, BPF_F_MMAPABLE);
  __type(key, __u32);
  __type(value, struct sm_members);
} traced SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 65536);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, __u32); /* tid */
  __type(value, struct sm_pending);
} pending SEC(".maps");

/* The key's value in one staging map, inserted if new; NULL if full. */
static __always_inline struct sm_count_value *
value_in(void *map, const struct sm_count_key *key) {
  struct sm_count_value *v = bpf_map_lookup_elem(map, key);
  if (v)
    return v;
  struct sm_count_value fresh = {};
  fresh.first_seq = __sync_fetch_and_add(&seq, 1);
  /* EEXIST: another CPU inserted it first, which is fine. */
  bpf_map_update_elem(map, key, &fresh, BPF_NOEXIST);
  return bpf_map_lookup_elem(map, key);
}

/* The key's value in the staging map in use. Each map has its own lookup
 * calls: one call site seeing both maps would keep the verifier from
 * inlining the hash lookup. */
static __always_inline struct sm_count_value *
value_of(const struct sm_count_key *key) {
  __u32 zero = 0;
  void *map = bpf_map_lookup_elem(&active, &zero);
  if (map)
    return value_in(map, key);
  return value_in(&staging_a, key);
}

static __always_inline __u32 task_u32(struct task_struct *task, __u32 off) {
  return *(__u32 *)((char *)task + off);
}

/* In a 32-bit call (TS_COMPAT). The offset is a constant to the verifier
 * (frozen rodata): a direct read through the BTF pointer, no probe_read. */
static __always_inline int is_compat(struct task_struct *task) {
  if (off_ti_status == 0)
    return 0;
  return (task_u32(task, off_ti_status) & TS_COMPAT) != 0;
}

/* tgid's entry of the traced array; NULL beyond it. */
static __always_inline struct sm_members *members_of(__u32 tgid) {
  __u32 entry = tgid / 64;
  return bpf_map_lookup_elem(&traced, &entry);
}

static __always_inline int has_bit(__u64 bits, __u32 tgid) {
  return (bits >> (tgid % 64)) & 1;
}

static __always_inline int counted(__u32 tgid) {
  if (system_wide)
    return tgid != self_tgid && tgid != self_child;
  struct sm_members *b = members_of(tgid);
  return b && has_bit(b->counting, tgid) &&
         !(attached_off && has_bit(b->attached, tgid));
}

/* The key's comm and uid, as the task has them now. */
static __always_inline void read_who(struct task_struct *task,
                                     struct sm_count_key *key) {
  if (off_task_comm == 0 || off_task_cred == 0) {
    key->uid = (__u32)bpf_get_current_uid_gid();
    bpf_get_current_comm(key->comm, sizeof key->comm);
    return;
  }
  /* comm is NUL-padded (set_task_comm pads it), as the helper's copy. */
  const char *comm = (const char *)task + off_task_comm;
  *(__u64 *)&key->comm[0] = *(const __u64 *)comm;
  *(__u64 *)&key->comm[8] = *(const __u64 *)(comm + 8);
  /* current->cred: the subjective uid, as bpf_get_current_uid_gid. */
  const char *cred = *(const char **)((char *)task + off_task_cred);
  key->uid = *(const __u32 *)(cred + off_cred_uid);
}

/* The cheap checks first: the syscall's selection (rodata), then the
 * process's bit; an uncounted call returns there. */
SEC("raw_tp/sys_enter")
int smon_sys_enter(struct bpf_raw_tracepoint_args *ctx) {
  __u64 nr = ctx->args[1];
  if (nr >= SM_MAX_NR)
    return 0;
  struct task_struct *task = bpf_get_current_task_btf();
  __u16 arch = is_compat(task);
  if (!selected[arch][nr])
    return 0;
  __u32 tgid = task_u32(task, off_task_tgid);
  if (!counted(tgid))
    return 0;
  struct sm_count_key key = {};
  key.nr = nr;
  key.arch = arch;
  key.tgid = by_pid ? tgid : 0;
  read_who(task, &key);
  struct sm_count_value *v = value_of(&key);
  if (!v) {
    __sync_fetch_and_add(&lost, 1);
    return 0;
  }
  __sync_fetch_and_add(&v->calls, 1);
  if (want_errors || want_time) {
    /* The key as it is now: an exec or rename before the exit must not
     * move the call's result to another image. */
    struct sm_pending p = {.key = key, .start_ns = bpf_ktime_get_ns()};
    __u32 tid = task_u32(task, off_task_pid);
    bpf_map_update_elem(&pending, &tid, &p, BPF_ANY);
  }
  return 0;
}

static __always_inline void raise_max(__u64 *max, __u64 value) {
  for (int i = 0; i < 8; i++) {
    __u64 old = *max;
    if (value <= old || __sync_val_compare_and_swap(max, old, value) == old)
      return;
  }
}

/* Attached only with --errors or --time. */
SEC("raw_tp/sys_exit")
int smon_sys_exit(struct bpf_raw_tracepoint_args *ctx) {
  __u32 tid = (__u32)bpf_get_current_pid_tgid();
  struct sm_pending *p = bpf_map_lookup_elem(&pending, &tid);
  if (!p)
    return 0;
  struct sm_count_key key = p->key;
  __u64 spent = bpf_ktime_get_ns() - p->start_ns;
  bpf_map_delete_elem(&pending, &tid);
  long ret = (long)ctx->args[1];
  if (want_errors && ret < 0 && ret >= -MAX_ERRNO) {
    struct sm_count_key failed = key;
    failed.err = (__u16)-ret;
    struct sm_count_value *e = value_of(&failed);
    if (e)
      __sync_fetch_and_add(&e->calls, 1);
    else
      __sync_fetch_and_add(&lost, 1); /* its failure, not its call */
  }
  if (want_time) {
    /* In a fresh staging map this record has no calls: it adds to the
     * entry the table already holds. */
    struct sm_count_value *v = value_of(&key);
    if (v) {
      __sync_fetch_and_add(&v->time_ns, spent);
      raise_max(&v->max_ns, spent);
    } else {
      __sync_fetch_and_add(&lost, 1); /* its time, not its call */
    }
  }
  return 0;
}

static __always_inline __u32 read_u32(void *base, __u32 off) {
  __u32 value = 0;
  bpf_probe_read_kernel(&value, sizeof value, base + off);
  return value;
}

/* args: (struct task_struct *parent, struct task_struct *child). A new
 * process of a traced one is traced before it can run. */
SEC("raw_tp/sched_process_fork")
int smon_fork(struct bpf_raw_tracepoint_args *ctx) {
  void *child = (void *)ctx->args[1];
  __u32 pid = read_u32(child, off_task_pid);
  __u32 tgid = read_u32(child, off_task_tgid);
  if (pid != tgid)
    return 0; /* a thread: its process is traced already, or not */
  __u32 parent = bpf_get_current_pid_tgid() >> 32;
  if (system_wide) {
    /* Before the child can run: none of its calls escape. */
    if (parent == self_tgid)
      self_child = tgid;
    return 0;
  }
  struct sm_members *p = members_of(parent);
  if (!p || !has_bit(p->member, parent) ||
      (attached_off && has_bit(p->attached, parent)))
    return 0;
  struct sm_members *c = members_of(tgid);
  if (!c) {
    __sync_fetch_and_add(&orphans, 1);
    return 0;
  }
  /* The child inherits the parent's flags; member last. */
  __u64 bit = 1ULL << (tgid % 64);
  if (has_bit(p->attached, parent))
    __sync_fetch_and_or(&c->attached, bit);
  if (has_bit(p->counting, parent))
    __sync_fetch_and_or(&c->counting, bit);
  __sync_fetch_and_or(&c->member, bit);
  return 0;
}

/* Runs in the exiting thread after it left signal->live. */
SEC("raw_tp/sched_process_exit")
int smon_exit(struct bpf_raw_tracepoint_args *ctx) {
  __u64 id = bpf_get_current_pid_tgid();
  __u32 tid = (__u32)id;
  __u32 tgid = id >> 32;
  if (want_errors || want_time)
    bpf_map_delete_elem(&pending, &tid);
  if (system_wide) {
    if (tgid == self_child && tid == tgid)
      self_child = 0; /* its exec failed: the pid may be reused */
    return 0;
  }
  void *task = (void *)bpf_get_current_task();
  void *signal = 0;
  bpf_probe_read_kernel(&signal, sizeof signal, task + off_task_signal);
  if (!signal || read_u32(signal, off_signal_live) != 0)
    return 0;
  struct sm_members *b = members_of(tgid);
  if (b && has_bit(b->member, tgid)) {
    __u64 keep = ~(1ULL << (tgid % 64));
    __sync_fetch_and_and(&b->counting, keep);
    __sync_fetch_and_and(&b->attached, keep);
    __sync_fetch_and_and(&b->member, keep);
  }
  return 0;
}

/* args: (struct task_struct *p, pid_t old_pid, struct linux_binprm *).
 * The launched child counts from its exec on; an exec from a thread takes
 * the leader's pid, and its call in progress moves with it. */
SEC("raw_tp/sched_process_exec")
int smon_exec(struct bpf_raw_tracepoint_args *ctx) {
  __u64 id = bpf_get_current_pid_tgid();
  __u32 tid = (__u32)id;
  __u32 tgid = id >> 32;
  if (tgid == self_child)
    self_child = 0; /* the command runs: count it from here on */
  struct sm_members *b = members_of(tgid);
  if (b && has_bit(b->member, tgid))
    __sync_fetch_and_or(&b->counting, 1ULL << (tgid % 64));
  __u32 old_tid = (__u32)ctx->args[1];
  if ((want_errors || want_time) && old_tid != tid) {
    struct sm_pending *p = bpf_map_lookup_elem(&pending, &old_tid);
    if (p) {
      struct sm_pending moved = *p;
      bpf_map_update_elem(&pending, &tid, &moved, BPF_ANY);
      bpf_map_delete_elem(&pending, &old_tid);
    }
  }
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
