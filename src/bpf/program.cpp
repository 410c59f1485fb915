#include "program.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <string>

#include "syscallmon.skel.h"

namespace syscallmon {
namespace {

// libbpf's diagnostics (verifier logs among them) are for -vv.
int log_libbpf(libbpf_print_level level, const char *format, va_list args) {
  if (level == LIBBPF_DEBUG && !spdlog::should_log(spdlog::level::trace)) {
    return 0;
  }
  // Whole, however long (a verifier log line can be): measured first.
  va_list measure;
  va_copy(measure, args);
  const int n = std::vsnprintf(nullptr, 0, format, measure);
  va_end(measure);
  if (n <= 0) {
    return 0;
  }
  std::string text(static_cast<std::size_t>(n) + 1, '\0');
  std::vsnprintf(text.data(), text.size(), format, args);
  text.resize(static_cast<std::size_t>(n));
  while (!text.empty() && text.back() == '\n') {
    text.pop_back();
  }
  spdlog::debug("libbpf: {}", text);
  return 0;
}

// The traced array's size: one bit per possible tgid, 64 per entry
// (kernel.pid_max; 12 KiB at the default 32768, 1.5 MiB at the largest).
std::uint32_t traced_entries() {
  constexpr long kPidMaxLimit = 4L * 1024 * 1024; // PID_MAX_LIMIT, 64-bit
  long pid_max = kPidMaxLimit;
  if (std::FILE *f = std::fopen("/proc/sys/kernel/pid_max", "re")) {
    long v = 0;
    if (std::fscanf(f, "%ld", &v) == 1 && v > 0 && v <= kPidMaxLimit) {
      pid_max = v;
    }
    std::fclose(f);
  }
  return static_cast<std::uint32_t>((pid_max + 63) / 64);
}

void configure(syscallmon_bpf &skel, const ProgramConfig &config) {
  auto &ro = *skel.rodata;
  for (std::size_t arch = 0; arch < SM_ARCHES; ++arch) {
    if (arch >= config.selection->numbers.size()) {
      break;
    }
    for (const std::uint32_t nr : config.selection->numbers[arch]) {
      if (nr < SM_MAX_NR) {
        ro.selected[arch][nr] = 1;
      }
    }
  }
  ro.self_tgid = static_cast<__u32>(::getpid());
  ro.system_wide = config.system_wide;
  ro.by_pid = config.count.by_pid;
  ro.want_errors = config.count.errors;
  ro.want_time = config.count.time;
  ro.off_task_pid = config.offsets.task_pid;
  ro.off_task_tgid = config.offsets.task_tgid;
  ro.off_task_signal = config.offsets.task_signal;
  ro.off_signal_live = config.offsets.signal_live;
  ro.off_ti_status = config.offsets.thread_status;
  ro.off_task_comm = config.offsets.task_comm;
  ro.off_task_cred = config.offsets.task_cred;
  ro.off_cred_uid = config.offsets.cred_uid;
  bpf_map__set_max_entries(skel.maps.traced, traced_entries());
  // The exit program costs a second run per call: only when its results
  // are wanted, as the ptrace engine adds exit stops only then.
  bpf_program__set_autoload(skel.progs.smon_sys_exit,
                            config.count.errors || config.count.time);
  // The calls in progress are kept only for their exit.
  if (!config.count.errors && !config.count.time) {
    bpf_map__set_max_entries(skel.maps.pending, 1);
  }
  if (config.staging_entries != 0) {
    bpf_map__set_max_entries(skel.maps.staging_a, config.staging_entries);
  }
}

std::string load_error(int err) {
  if (err == EPERM || err == EACCES) {
    return fmt::format("cannot load the BPF program: {} (the bpf engine "
                       "needs CAP_BPF and CAP_PERFMON; -vv shows the "
                       "verifier's log)",
                       std::strerror(err));
  }
  return fmt::format("cannot load the BPF program: {}", std::strerror(err));
}

} // namespace

Result<std::unique_ptr<BpfProgram>>
BpfProgram::load(const ProgramConfig &config) {
  libbpf_set_print(log_libbpf);
  syscallmon_bpf *skel = syscallmon_bpf__open();
  if (skel == nullptr) {
    return Error{
        fmt::format("cannot open the BPF program: {}", std::strerror(errno))};
  }
  std::unique_ptr<BpfProgram> program(new BpfProgram(skel));
  configure(*skel, config);
  program->capacity_ = bpf_map__max_entries(skel->maps.staging_a);
  if (const int err = syscallmon_bpf__load(skel); err != 0) {
    return Error{load_error(-err)};
  }
  // The traced set, shared with the program: bits are set and cleared
  // with atomic operations, as the program does.
  const std::size_t entries = bpf_map__max_entries(skel->maps.traced);
  void *bits =
      ::mmap(nullptr, entries * sizeof(sm_members), PROT_READ | PROT_WRITE,
             MAP_SHARED, bpf_map__fd(skel->maps.traced), 0);
  if (bits == MAP_FAILED) {
    return Error{fmt::format("cannot map the BPF program's traced set: {}",
                             std::strerror(errno))};
  }
  program->traced_ = static_cast<sm_members *>(bits);
  program->traced_entries_ = entries;
  if (const int err = syscallmon_bpf__attach(skel); err != 0) {
    return Error{fmt::format(
        "cannot attach to the raw_syscalls and sched tracepoints: {}",
        std::strerror(-err))};
  }
  return program;
}

BpfProgram::~BpfProgram() {
  if (traced_ != nullptr) {
    ::munmap(traced_, traced_entries_ * sizeof(sm_members));
  }
  syscallmon_bpf__destroy(skel_);
}

bool BpfProgram::add_member(pid_t tgid, bool counting, bool attached) {
  const auto t = static_cast<std::uint32_t>(tgid);
  if (t / 64 >= traced_entries_) {
    errno = ERANGE; // beyond kernel.pid_max at load
    return false;
  }
  sm_members &b = traced_[t / 64];
  const std::uint64_t bit = std::uint64_t{1} << (t % 64);
  const auto set = [bit](__u64 &bits, bool on) {
    if (on) {
      __atomic_fetch_or(&bits, bit, __ATOMIC_SEQ_CST);
    } else {
      __atomic_fetch_and(&bits, ~bit, __ATOMIC_SEQ_CST);
    }
  };
  set(b.attached, attached);
  set(b.counting, counting);
  set(b.member, true);
  return true;
}

void BpfProgram::remove_member(pid_t tgid) {
  const auto t = static_cast<std::uint32_t>(tgid);
  if (t / 64 >= traced_entries_) {
    return;
  }
  sm_members &b = traced_[t / 64];
  const std::uint64_t keep = ~(std::uint64_t{1} << (t % 64));
  __atomic_fetch_and(&b.counting, keep, __ATOMIC_SEQ_CST);
  __atomic_fetch_and(&b.attached, keep, __ATOMIC_SEQ_CST);
  __atomic_fetch_and(&b.member, keep, __ATOMIC_SEQ_CST);
}

bool BpfProgram::wait_for_programs() {
  // The slot set to the map in use (staging_a while it is empty): the
  // programs see the same map, and the update waits for them.
  const int fd =
      current_ == 0 ? bpf_map__fd(skel_->maps.staging_a) : staging_b_.get();
  const __u32 zero = 0;
  return bpf_map_update_elem(bpf_map__fd(skel_->maps.active), &zero, &fd,
                             BPF_ANY) == 0;
}

void BpfProgram::remove_attached() {
  __atomic_store_n(&skel_->bss->attached_off, 1, __ATOMIC_SEQ_CST);
  // A fork that looked at the flag before it was set may still add its
  // child: once those runs are over, nothing adds an attached member.
  if (!wait_for_programs()) {
    spdlog::debug("cannot wait for the BPF programs: {}", std::strerror(errno));
  }
  for (bool again = true; again;) {
    again = false;
    for (const auto &m : members()) {
      if (m.attached) {
        remove_member(m.tgid);
        again = true;
      }
    }
  }
}

std::vector<BpfProgram::Member> BpfProgram::members() const {
  std::vector<Member> out;
  for (std::size_t i = 0; i < traced_entries_; ++i) {
    const std::uint64_t member =
        __atomic_load_n(&traced_[i].member, __ATOMIC_SEQ_CST);
    if (member == 0) {
      continue;
    }
    const std::uint64_t attached =
        __atomic_load_n(&traced_[i].attached, __ATOMIC_SEQ_CST);
    for (unsigned bit = 0; bit < 64; ++bit) {
      if ((member >> bit) & 1) {
        out.push_back(
            {static_cast<pid_t>(i * 64 + bit), ((attached >> bit) & 1) != 0});
      }
    }
  }
  return out;
}

bool BpfProgram::no_members() const {
  for (std::size_t i = 0; i < traced_entries_; ++i) {
    if (__atomic_load_n(&traced_[i].member, __ATOMIC_SEQ_CST) != 0) {
      return false;
    }
  }
  return true;
}

std::uint64_t BpfProgram::staged_keys() const {
  return __atomic_load_n(&skel_->bss->seq, __ATOMIC_RELAXED) - seq_at_swap_;
}

std::uint64_t BpfProgram::lost_calls() const {
  return __atomic_load_n(&skel_->bss->lost, __ATOMIC_RELAXED);
}

std::uint64_t BpfProgram::orphans() const {
  return __atomic_load_n(&skel_->bss->orphans, __ATOMIC_RELAXED);
}

namespace {

// Takes every record of the staging map fd into out, each deleted once it
// is read; false, with why in error, if some stay in the kernel. The map
// is no longer written by any program.
bool drain_map(int fd, std::uint32_t capacity, std::vector<StagedRecord> &out,
               std::string &error) {
  // Chunks keep our memory small; a hash bucket never holds this many.
  const __u32 chunk = std::min<__u32>(capacity, 4096);
  std::vector<sm_count_key> keys(chunk);
  std::vector<sm_count_value> values(chunk);
  __u32 batch = 0;
  bool first = true;
  for (;;) {
    __u32 count = chunk;
    const int rc = bpf_map_lookup_and_delete_batch(
        fd, first ? nullptr : &batch, &batch, keys.data(), values.data(),
        &count, nullptr);
    const int err = rc < 0 ? errno : 0;
    if (rc < 0 && err != ENOENT) {
      // count is not set then, and the call deleted nothing it did not
      // return (ENOMEM before it starts, ENOSPC with nothing taken): the
      // rest is read key by key below.
      error =
          fmt::format("cannot drain the staging map: {}", std::strerror(err));
      break;
    }
    for (__u32 i = 0; i < count; ++i) {
      out.push_back({keys[i], values[i]});
    }
    if (rc < 0) {
      return true; // ENOENT: all taken
    }
    first = false;
  }
  // The fallback: each record read, then deleted. The map is not written
  // any more, so nothing is lost between the two.
  sm_count_key key{};
  while (bpf_map_get_next_key(fd, nullptr, &key) == 0) {
    sm_count_value value{};
    if (bpf_map_lookup_elem(fd, &key, &value) != 0 ||
        bpf_map_delete_elem(fd, &key) != 0) {
      error += fmt::format(" (and key by key: {})", std::strerror(errno));
      return false;
    }
    out.push_back({key, value});
  }
  return true;
}

} // namespace

BpfProgram::Drain BpfProgram::take_staged(bool quiescent) {
  Drain drain;
  if (!quiescent && !staging_b_.valid()) {
    // staging_a's twin, as the inner-map template wants it: a hash of the
    // same key, value and flags.
    LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_NO_PREALLOC);
    staging_b_.reset(bpf_map_create(BPF_MAP_TYPE_HASH, "staging_b",
                                    sizeof(sm_count_key),
                                    sizeof(sm_count_value), capacity_, &opts));
    if (!staging_b_.valid()) {
      // Nothing taken: the records stay where they are.
      drain.error = fmt::format("cannot create the second staging map: {}",
                                std::strerror(errno));
      drain.complete = false;
      return drain;
    }
  }
  const int fds[2] = {bpf_map__fd(skel_->maps.staging_a), staging_b_.get()};
  const int taken = current_;
  if (!quiescent) {
    const int next_fd = fds[1 - current_];
    const __u32 zero = 0;
    // The update of a map-in-map slot returns after an RCU grace period:
    // no program still holds the old map.
    if (bpf_map_update_elem(bpf_map__fd(skel_->maps.active), &zero, &next_fd,
                            BPF_ANY) != 0) {
      // Nothing taken: the records stay where they are.
      drain.error =
          fmt::format("cannot swap the staging maps: {}", std::strerror(errno));
      drain.complete = false;
      return drain;
    }
    current_ = 1 - current_;
  }
  seq_at_swap_ = __atomic_load_n(&skel_->bss->seq, __ATOMIC_RELAXED);
  left_[taken] = !drain_map(fds[taken], capacity_, drain.records, drain.error);
  // What an earlier failure left in the other map: with no writer left
  // (quiescent), it is read now; otherwise at the swap that retires it.
  const int other = 1 - taken;
  if (quiescent && left_[other] && fds[other] >= 0) {
    left_[other] =
        !drain_map(fds[other], capacity_, drain.records, drain.error);
  }
  drain.complete = !left_[0] && !left_[1];
  return drain;
}

} // namespace syscallmon
