// The event loop: one waitpid() status at a time, classified by WaitStatus
// and dispatched on its kind (strace's next_event/dispatch_event).

#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <spdlog/spdlog.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <set>

#include "engine/forward_signal.hpp"
#include "syscallmon/proc_info.hpp"
#include "syscallmon/result.hpp"
#include "syscallmon/signals.hpp"
#include "tracer_internal.hpp"

namespace syscallmon {
namespace {

constexpr const char *kRefreshCommSyscalls[] = {"prctl"};
constexpr const char *kRefreshUidSyscalls[] = {
    "setuid", "setreuid", "setresuid", "setuid32", "setreuid32", "setresuid32"};
constexpr std::size_t kMaxNr = 1024;

void set_flag(std::vector<std::vector<std::uint8_t>> &flags,
              std::string_view name, std::uint8_t flag) {
  for (std::size_t arch = 0; arch < flags.size(); ++arch) {
    if (auto nr = syscall_number(name, static_cast<std::uint16_t>(arch))) {
      flags[arch][*nr] |= flag;
    }
  }
}

} // namespace

unsigned long tracer_options() {
  return PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
         PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_TRACESECCOMP;
}

std::uint64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ULL +
         static_cast<std::uint64_t>(ts.tv_nsec);
}

Tracer::Tracer(EngineConfig config, Affinity affinity, StatsTable &table)
    : Engine(table), config_(std::move(config)),
      // Placement is for a launched command alone.
      affinity_(config_.argv.empty() || !config_.attach_pids.empty()
                    ? Affinity::off
                    : affinity) {
  flags_.assign(traced_arches().size(), std::vector<std::uint8_t>(kMaxNr, 0));
  for (std::size_t arch = 0; arch < flags_.size(); ++arch) {
    for (const std::uint32_t nr : config_.selection.numbers[arch]) {
      flags_[arch][nr] |= kCount;
    }
  }
  for (const char *name : kRefreshCommSyscalls) {
    set_flag(flags_, name, kRefreshComm);
  }
  for (const char *name : kRefreshUidSyscalls) {
    set_flag(flags_, name, kRefreshUid);
  }
  if (affinity_.watches_affinity_calls()) {
    set_flag(flags_, "sched_getaffinity", kAffinityGet);
    set_flag(flags_, "sched_setaffinity", kAffinitySet);
    set_flag(flags_, "wait4", kWaitCall);
    set_flag(flags_, "waitpid", kWaitCall);
    set_flag(flags_, "waitid", kWaitIdCall);
  }
  for (std::size_t arch = 0; arch < flags_.size(); ++arch) {
    ptrace_nr_.push_back(
        syscall_number("ptrace", static_cast<std::uint16_t>(arch))
            .value_or(kMaxNr));
  }
}

std::uint8_t Tracer::flags_of(SyscallKey key) const {
  if (key.arch >= flags_.size() || key.nr >= kMaxNr) {
    return 0;
  }
  return flags_[key.arch][key.nr];
}

bool Tracer::needs_exit_stop(std::uint8_t flags) const {
  return (flags & (kRefreshComm | kRefreshUid | kAffinityGet | kWaitCall |
                   kWaitIdCall)) != 0 ||
         ((flags & kCount) != 0 &&
          (config_.count.errors || config_.count.time));
}

bool Tracer::run() {
  for (;;) {
    // A signal that lands between this check and the blocking waitpid is
    // seen 20 ms later at most (signals.cpp's backstop timer).
    if (signals_pending()) {
      return true;
    }
    int raw = 0;
    const pid_t tid = wait_for_event(&raw);
    if (tid < 0) {
      if (errno == EINTR) {
        continue;
      }
      if (errno != ECHILD) {
        spdlog::warn("waitpid: {}", std::strerror(errno));
      }
      break; // no tracee and no child is left
    }
    dispatch(tid, WaitStatus(raw));
    if (!config_.attach_pids.empty()) {
      check_traced();
    }
    if (captor_) {
      end_if_captor_alone();
    }
  }
  if (command_) {
    result_.launch = command_->launch_failure();
  }
  return false;
}

pid_t Tracer::wait_for_event(int *raw) {
  // When tracer and tracees run on different CPUs, waking the tracer for
  // each stop costs a cross-CPU wake-up. In a burst of stops (the average
  // gap below kSpinWhenGapBelowNs) poll for a moment before blocking;
  // compute-bound phases never spin, so parallel builds lose no CPU.
  constexpr double kSpinWhenGapBelowNs = 15000;
  constexpr std::uint64_t kSpinNs = 20000;
  // Only auto uses the gaps, and not while one pinned task is all there is:
  // then the clock reads would be the only extra work per stop.
  const bool track = affinity_.mode() == Affinity::automatic &&
                     !(affinity_.pinned() && tasks_.size() == 1);
  if (!track) {
    stop_bound_ = false; // a later second task starts from a clean slate
    gap_ema_ns_ = kNoGapYetNs;
    return ::waitpid(-1, raw, __WALL);
  }
  pid_t tid = 0;
  const std::uint64_t start = now_ns();
  if (!affinity_.pinned() && gap_ema_ns_ < kSpinWhenGapBelowNs) {
    while ((tid = ::waitpid(-1, raw, __WALL | WNOHANG)) == 0 &&
           now_ns() - start < kSpinNs) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    }
  }
  if (tid == 0) {
    tid = ::waitpid(-1, raw, __WALL);
  }
  if (tid > 0) { // not EINTR from a tick
    track_event_gap(now_ns());
  }
  return tid;
}

void Tracer::track_event_gap(std::uint64_t now) {
  gap_ema_ns_ =
      0.9 * gap_ema_ns_ + 0.1 * static_cast<double>(now - last_event_ns_);
  last_event_ns_ = now;
  // Several tasks whose stops queue up at the tracer (average gap below
  // kStopBoundEnterNs) are limited by ptrace round trips, not by CPU:
  // co-locating them wins ~2x (bench: 4 threads x 50,000 writes). One
  // task stopping across CPUs shows ~50 us gaps and a parallel build
  // ~30-60 us, so neither is pinned. Pinned, a storm shows 5-7 us gaps;
  // one long gap (compute) ends it at once, and it may not begin again for
  // kStopBoundPauseNs, so a compute thread beside a storm is squeezed onto
  // one CPU for a few ms in 100 at most, and tasks are not moved per event.
  constexpr double kStopBoundEnterNs = 10000;
  constexpr double kStopBoundLeaveNs = 20000;
  constexpr std::uint64_t kStopBoundPauseNs = 100'000'000;
  const bool bound = stop_bound_
                         ? gap_ema_ns_ < kStopBoundLeaveNs
                         : gap_ema_ns_ < kStopBoundEnterNs &&
                               now - stop_bound_left_ns_ >= kStopBoundPauseNs;
  if (bound != stop_bound_) {
    stop_bound_ = bound;
    if (!bound) {
      stop_bound_left_ns_ = now;
    }
    spdlog::debug("stop-bound: {} (gap {:.0f} ns)", bound, gap_ema_ns_);
    update_affinity();
  }
}

void Tracer::stop(int sig, Reach reach) {
  if (sig != 0) {
    forward_signal(sig, signal_targets(reach));
  }
  if (!config_.attach_pids.empty() && !detaching_) {
    detach_all();
  }
}

std::set<pid_t> Tracer::signal_targets(Reach reach) const {
  // To the command, as a shell would; once it is gone (or for the whole
  // run), to the processes it started, which would otherwise keep the run
  // going.
  std::set<pid_t> targets;
  if (command_pid_ == 0) {
    return targets;
  }
  const bool running = tasks_.contains(command_pid_);
  if (running) {
    targets.insert(command_pid_);
  }
  if (!running || reach == Reach::launched) {
    for (const auto &[tid, task] : tasks_) {
      if (task.seccomp) {
        targets.insert(task.tgid);
      }
    }
  }
  return targets;
}

Task &Tracer::add_task(pid_t tid, const Task *parent, bool is_thread) {
  Task &task = tasks_[tid];
  task.tid = tid;
  affinity_.place(tid);
  if (parent != nullptr) {
    // A child starts with its creator's name, uid and tracing mode.
    task.comm = parent->comm;
    task.uid = parent->uid;
    task.seccomp = parent->seccomp;
    task.counting = parent->counting;
    task.tgid = is_thread ? parent->tgid : tid;
    update_affinity();
    return task;
  }
  refresh_comm(task);
  if (auto st = read_status(tid)) {
    task.uid = st->real_uid;
    task.tgid = st->tgid;
  }
  return task;
}

Task &Tracer::task_for(pid_t tid) {
  if (auto it = tasks_.find(tid); it != tasks_.end()) {
    return it->second;
  }
  // A new child's first stop can be reported before its parent's fork
  // event (strace's maybe_allocate_tcb): take what we know from /proc and
  // the parent, if it is traced.
  Task *parent = nullptr;
  bool is_thread = false;
  if (auto st = read_status(tid)) {
    if (auto it = tasks_.find(st->tgid);
        it != tasks_.end() && st->tgid != tid) {
      parent = &it->second;
      is_thread = true;
    } else if (auto pit = tasks_.find(st->ppid); pit != tasks_.end()) {
      parent = &pit->second;
    }
  }
  Task &task = add_task(tid, nullptr, false);
  if (parent != nullptr) {
    task.seccomp = parent->seccomp;
    task.counting = parent->counting;
    if (is_thread) {
      task.tgid = parent->tgid;
    }
  } else if (config_.attach_pids.empty()) {
    // No traced parent in /proc (CLONE_PARENT makes the creator's parent
    // its parent): without -p every traced task descends from the launched
    // command, under our filter, so it is counted at seccomp stops.
    spdlog::debug("task {}: first stop before its creator's event, and no "
                  "traced parent",
                  tid);
    task.seccomp = true;
  }
  update_affinity(); // a second task: auto affinity must let go
  return task;
}

void Tracer::dispatch(pid_t tid, WaitStatus status) {
  const StopKind kind = status.kind();
  if (kind == StopKind::exited || kind == StopKind::killed) {
    on_exit(tid, status);
    return;
  }
  if (kind == StopKind::unknown) {
    return;
  }
  Task &task = task_for(tid);
  if (detaching_ && !task.seccomp) {
    detach_task(tid, status);
    return;
  }
  switch (kind) {
  case StopKind::seccomp:
    on_seccomp_stop(task);
    return;
  case StopKind::syscall:
    on_syscall_stop(task);
    return;
  case StopKind::fork:
    on_fork(task);
    return;
  case StopKind::exec:
    on_exec(tid);
    return;
  case StopKind::group_stop:
    // Under PTRACE_SEIZE, LISTEN keeps a stopped task stopped while we
    // wait for SIGCONT; CONT or SYSCALL would wrongly run it.
    if (::ptrace(PTRACE_LISTEN, tid, nullptr, nullptr) < 0 && errno != ESRCH) {
      spdlog::debug("PTRACE_LISTEN {}: {}", tid, std::strerror(errno));
    }
    return;
  case StopKind::signal_delivery:
    resume(task, status.signal());
    return;
  default:
    resume(task);
    return;
  }
}

void Tracer::on_exit(pid_t tid, WaitStatus status) {
  if (tid == command_pid_) {
    result_.command_status = status.raw();
  }
  tasks_.erase(tid);
  update_affinity();
}

void Tracer::update_affinity() {
  if (affinity_.mode() != Affinity::automatic || tasks_.empty()) {
    return;
  }
  // One CPU for everyone while at most one task can run (the others wait
  // for children: a shell running commands one by one) or the tasks are in
  // a storm of stops. A task blocked in any other call counts as runnable.
  std::vector<pid_t> tids;
  bool all_launched = true;
  std::size_t runnable = 0;
  for (const auto &[tid, task] : tasks_) {
    tids.push_back(tid);
    all_launched = all_launched && task.seccomp;
    runnable += task.waiting ? 0 : 1;
  }
  affinity_.update(tids, all_launched && (runnable <= 1 || stop_bound_));
}

void Tracer::on_call(Task &task, SyscallKey key, const std::uint64_t *args) {
  std::uint8_t flags = flags_of(key);
  if ((flags & kAffinitySet) != 0) {
    std::vector<pid_t> tids;
    for (const auto &[tid, t] : tasks_) {
      tids.push_back(tid);
    }
    affinity_.release(tids);
  }
  if ((flags & (kWaitCall | kWaitIdCall)) != 0) {
    // WNOHANG returns at once: only a wait that can block leaves the other
    // tasks as the ones that run.
    const std::uint64_t options = args[(flags & kWaitIdCall) != 0 ? 3 : 2];
    if ((options & WNOHANG) == 0) {
      task.waiting = true;
      update_affinity();
    } else {
      flags &= ~(kWaitCall | kWaitIdCall);
    }
  }
  // Not only while pinned: placement may change before the call returns.
  if ((flags & kAffinityGet) != 0 && affinity_.managing()) {
    task.mask_addr = args[2];
  } else {
    flags &= ~kAffinityGet;
  }
  count_call(task, key, static_cast<std::uint8_t>(flags & ~kAffinitySet));
}

void Tracer::show_original_mask(const Task &task, std::int64_t rval) {
  // The kernel wrote the pinned mask; the command must see the mask it
  // would have had without us (same length, a superset of the pinned one).
  const auto n =
      std::min<std::size_t>(static_cast<std::size_t>(rval), sizeof(cpu_set_t));
  iovec local{const_cast<cpu_set_t *>(&affinity_.original()), n};
  // The tracee's address arrives as an integer from the kernel.
  iovec remote{reinterpret_cast<void *>(task.mask_addr), n}; // NOLINT
  if (::process_vm_writev(task.tid, &local, 1, &remote, 1, 0) < 0) {
    spdlog::debug("rewrite sched_getaffinity of {}: {}", task.tid,
                  std::strerror(errno));
  }
}

void Tracer::resume(Task &task, int sig) {
  const auto request =
      (task.awaiting_exit || !task.seccomp) ? PTRACE_SYSCALL : PTRACE_CONT;
  if (::ptrace(request, task.tid, nullptr, sig) < 0 && errno != ESRCH) {
    spdlog::debug("resume {}: {}", task.tid, std::strerror(errno));
  }
  // ESRCH: the task is dying (maybe SIGKILLed); its exit report follows.
}

void Tracer::count_call(Task &task, SyscallKey key, std::uint8_t flags) {
  if ((flags & kCount) != 0 && task.counting) {
    table_.record(key, EntryKeyView{task.comm, task.uid,
                                    config_.count.by_pid ? task.tgid : 0});
  }
  if (needs_exit_stop(flags)) {
    task.awaiting_exit = true;
    task.exit_work = task.counting ? flags : (flags & ~kCount);
    task.pending = key;
    // The entry's image as it was at the call: an exec or a rename may
    // change the thread's comm before the exit stop (fits in SSO: 15 bytes).
    task.pending_image = task.comm;
    task.start_ns = now_ns();
  }
}

void Tracer::on_seccomp_stop(Task &task) {
  if (!task.seccomp) {
    // Another tool's filter in an attached process: we count at the
    // syscall-entry stop that came before this one.
    resume(task);
    return;
  }
  // The stop itself names the call: one ptrace call, as GETEVENTMSG of the
  // rule's SECCOMP_RET_DATA was. The data is never trusted: when several
  // filters return TRACE, the kernel hands over that of the most recently
  // loaded one, so a filter the command loaded itself would decide what is
  // counted. A call only its filter traces is not selected (no kCount).
  __ptrace_syscall_info info{};
  if (::ptrace(PTRACE_GET_SYSCALL_INFO, task.tid, sizeof info, &info) > 0 &&
      info.op == PTRACE_SYSCALL_INFO_SECCOMP) {
    if (auto arch = arch_index(info.arch)) {
      const SyscallKey key{*arch, static_cast<std::uint32_t>(info.seccomp.nr)};
      on_call(task, key, info.seccomp.args);
    }
  }
  resume(task);
}

void Tracer::on_syscall_stop(Task &task) {
  __ptrace_syscall_info info{};
  if (::ptrace(PTRACE_GET_SYSCALL_INFO, task.tid, sizeof info, &info) <= 0) {
    resume(task);
    return;
  }
  if (info.op == PTRACE_SYSCALL_INFO_ENTRY && !task.seccomp) {
    // Attach mode counts at syscall-entry stops.
    if (auto arch = arch_index(info.arch)) {
      const SyscallKey key{*arch, static_cast<std::uint32_t>(info.entry.nr)};
      if (aims_at_us(key, info.entry.args)) {
        on_hostage(task);
        return; // left in this stop for good
      }
      on_call(task, key, info.entry.args);
    }
  } else if (info.op == PTRACE_SYSCALL_INFO_EXIT && task.awaiting_exit) {
    // A task caught inside a syscall when we attached shows an exit stop
    // first; it has no pending work, so it is not counted.
    finish_call(task, info.exit.rval, info.exit.is_error != 0);
  }
  resume(task);
}

void Tracer::finish_call(Task &task, std::int64_t rval, bool is_error) {
  const std::uint8_t work = task.exit_work;
  task.awaiting_exit = false;
  task.exit_work = 0;
  if ((work & kCount) != 0) {
    EntryStats *stats = table_.find(
        task.pending, EntryKeyView{task.pending_image, task.uid,
                                   config_.count.by_pid ? task.tgid : 0});
    if (stats != nullptr) { // null if evicted or cleared meanwhile
      if (config_.count.errors && is_error) {
        stats->errors += 1;
        stats->errnos[static_cast<int>(-rval)] += 1;
      }
      if (config_.count.time) {
        const std::uint64_t spent = now_ns() - task.start_ns;
        stats->time_total_ns += spent;
        stats->time_max_ns = std::max(stats->time_max_ns, spent);
      }
    }
  }
  if ((work & kAffinityGet) != 0 && !is_error && rval > 0) {
    show_original_mask(task, rval);
  }
  if ((work & (kWaitCall | kWaitIdCall)) != 0) {
    task.waiting = false;
    update_affinity();
  }
  if ((work & kRefreshComm) != 0) {
    refresh_comm(task);
  }
  if ((work & kRefreshUid) != 0) {
    refresh_uid(task);
  }
}

void Tracer::on_fork(Task &task) {
  unsigned long msg = 0;
  if (::ptrace(PTRACE_GETEVENTMSG, task.tid, nullptr, &msg) == 0) {
    const auto child = static_cast<pid_t>(msg);
    if (!tasks_.contains(child)) {
      bool is_thread = false;
      if (auto st = read_status(child)) {
        is_thread = st->tgid != child;
      }
      add_task(child, &task, is_thread);
    }
  }
  resume(task);
}

void Tracer::on_exec(pid_t tid) {
  // After an exec from a non-leader thread, the event is reported for the
  // leader's pid and the old tid vanishes with no exit report
  // (strace's maybe_switch_tcbs): move the execing thread's record.
  unsigned long msg = 0;
  if (::ptrace(PTRACE_GETEVENTMSG, tid, nullptr, &msg) == 0) {
    const auto old_tid = static_cast<pid_t>(msg);
    if (old_tid != tid) {
      if (auto it = tasks_.find(old_tid); it != tasks_.end()) {
        Task moved = std::move(it->second);
        tasks_.erase(it);
        moved.tid = tid;
        tasks_[tid] = std::move(moved);
      }
    }
  }
  Task &task = task_for(tid);
  task.tgid = tid;
  task.counting = true;
  refresh_comm(task);
  refresh_uid(task);
  resume(task);
}

void Tracer::refresh_comm(Task &task) {
  if (auto comm = read_comm(task.tid)) {
    task.comm = std::move(*comm);
  }
}

void Tracer::refresh_uid(Task &task) {
  if (auto st = read_status(task.tid)) {
    task.uid = st->real_uid;
  }
}

std::unique_ptr<Engine> start_ptrace_engine(const EngineConfig &config,
                                            Affinity affinity,
                                            StatsTable &table) {
  // Each tracee stop sends us SIGCHLD, and waitpid needs none. Were we
  // traced, each would stop us in our tracer's hands (Tracer::check_traced).
  // The command gets the mask we inherited (reset_signal_handlers).
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  ::sigprocmask(SIG_BLOCK, &chld, nullptr);
  auto tracer = std::make_unique<Tracer>(config, affinity, table);
  if (!config.argv.empty()) {
    tracer->launch();
  }
  if (!config.attach_pids.empty()) {
    tracer->attach_all();
  }
  return tracer;
}

} // namespace syscallmon
