// Attach mode: seize every thread of running processes, and detach them
// cleanly when asked to stop. Attached tasks have no seccomp filter (one
// cannot be added from outside), so they are traced with PTRACE_SYSCALL:
// two stops per syscall, counted at the entry stop.

#include <csignal>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "engine/attach_target.hpp"
#include "syscallmon/proc_info.hpp"
#include "syscallmon/result.hpp"
#include "tracer_internal.hpp"

namespace syscallmon {
namespace {

bool is_self_or_ancestor(pid_t pid) {
  for (pid_t p = ::getpid(); p > 0;) {
    if (p == pid) {
      return true;
    }
    const auto st = read_status(p);
    if (!st || st->ppid == p) {
      break;
    }
    p = st->ppid;
  }
  return false;
}

// The shared checks, then the tracer's own.
void check_target(pid_t pid) {
  const TaskStatus st = check_attach_target(pid);
  if (st.tracer_pid != 0) {
    const auto comm = read_comm(st.tracer_pid).value_or("?");
    throw attach_error(pid, fmt::format("Operation not permitted (already "
                                        "traced by pid {}, {})",
                                        st.tracer_pid, comm));
  }
  if (is_self_or_ancestor(pid)) {
    throw attach_error(pid, "refusing to trace an ancestor of syscallmon "
                            "(it would deadlock)");
  }
}

// While attach_all seizes threads one by one, an execve in another thread
// of the target holds its cred_guard_mutex, which PTRACE_SEIZE waits for
// and does not give up on signals (ERESTARTNOINTR); the execve itself waits
// until the tracer has reaped the threads it killed. Both would hang for
// good. So a thread of ours keeps reaping while we seize, and the events it
// collects are dispatched in order afterwards.
class AttachReaper {
 public:
  AttachReaper() {
    // Signals stay with the main thread: its waitpid must see EINTR.
    sigset_t all;
    sigset_t old;
    sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &old);
    thread_ = std::thread([this] { run(); });
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  }
  AttachReaper(const AttachReaper &) = delete;
  AttachReaper &operator=(const AttachReaper &) = delete;
  ~AttachReaper() { finish(); }

  // Stops the thread; the (tid, raw wait status) events it reaped.
  std::vector<std::pair<pid_t, int>> finish() {
    stop_ = true;
    if (thread_.joinable()) {
      thread_.join();
    }
    return std::move(events_);
  }

 private:
  void run() {
    while (!stop_) {
      int raw = 0;
      const pid_t tid = ::waitpid(-1, &raw, __WALL | WNOHANG);
      if (tid > 0) {
        events_.emplace_back(tid, raw);
      } else {
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
    }
  }

  std::atomic<bool> stop_{false};
  std::vector<std::pair<pid_t, int>> events_; // the thread's until join
  std::thread thread_;
};

bool traced_by_us(pid_t tid) {
  const auto st = read_status(tid);
  return st && st->tracer_pid == ::getpid();
}

} // namespace

void Tracer::attach_all() {
  for (const pid_t pid : config_.attach_pids) {
    check_target(pid);
  }
  AttachReaper reaper;
  for (const pid_t pid : config_.attach_pids) {
    seize_process(pid);
  }
  for (const auto &[tid, raw] : reaper.finish()) {
    dispatch(tid, WaitStatus(raw));
  }
}

void Tracer::seize_process(pid_t pid) {
  // Threads created while we attach would be missed by one scan: re-scan
  // until a pass finds nothing new.
  std::set<pid_t> seized;
  for (bool again = true; again;) {
    again = false;
    for (const pid_t tid : list_threads(pid)) {
      if (tasks_.contains(tid)) {
        if (traced_by_us(tid)) {
          continue;
        }
        // An execve from another thread gave it this tid (the leader's)
        // before we had seized it: the entry is stale.
        tasks_.erase(tid);
        seized.erase(tid);
      }
      switch (seize_thread(tid, seized.empty())) {
      case SeizeResult::seized:
        seized.insert(tid);
        again = true;
        break;
      case SeizeResult::gone:
        again = true; // an exit or an exec changed the thread list
        break;
      case SeizeResult::skipped:
        break;
      case SeizeResult::failed:
        if (seized.empty()) { // the process itself, not a late thread
          throw attach_error(pid, std::strerror(errno));
        }
        spdlog::warn("attach to thread {} of pid {}: {}", tid, pid,
                     std::strerror(errno));
        break;
      }
    }
  }
  if (seized.empty()) {
    throw attach_error(pid, "No such process");
  }
  spdlog::info("attached to pid {} ({} thread{})", pid, seized.size(),
               seized.size() == 1 ? "" : "s");
}

Tracer::SeizeResult Tracer::seize_thread(pid_t tid, bool first) {
  // EPERM also comes from a thread group in the middle of an execve (its
  // leader is briefly a zombie): try again for a moment.
  constexpr int kAttempts = 200; // x 1 ms
  for (int attempt = 0;; ++attempt) {
    if (::ptrace(PTRACE_SEIZE, tid, nullptr, tracer_options()) == 0) {
      ::ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr);
      add_task(tid, nullptr, false).seccomp = false;
      return SeizeResult::seized;
    }
    const int err = errno;
    const auto st = read_status(tid);
    if (err == ESRCH || !st) {
      return SeizeResult::gone;
    }
    if (is_dead(*st) || st->tracer_pid == ::getpid()) {
      return SeizeResult::skipped; // an exited leader, or a thread born
                                   // traced (PTRACE_O_TRACECLONE)
    }
    if (err != EPERM || st->tracer_pid != 0 || attempt + 1 >= kAttempts ||
        !first) {
      errno = err;
      return SeizeResult::failed;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void Tracer::detach_all() {
  detaching_ = true;
  for (auto &[tid, task] : tasks_) {
    if (!task.seccomp && !(captor_ && tid == captor_->tid)) {
      // The task must be in a ptrace-stop to be detached; the interrupt
      // brings it there (also out of PTRACE_LISTEN).
      ::ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr);
    }
  }
}

void Tracer::detach_task(pid_t tid, WaitStatus status) {
  // A signal about to be delivered goes back with the detach, so none is
  // lost. A group-stopped task stays stopped: the kernel re-instates the
  // stop on detach.
  const int sig =
      status.kind() == StopKind::signal_delivery ? status.signal() : 0;
  if (::ptrace(PTRACE_DETACH, tid, nullptr, sig) < 0 && errno != ESRCH) {
    spdlog::debug("detach {}: {}", tid, std::strerror(errno));
  }
  tasks_.erase(tid);
}

} // namespace syscallmon

namespace syscallmon {

bool Tracer::aims_at_us(SyscallKey key, const std::uint64_t *args) const {
  if (key.arch >= ptrace_nr_.size() || key.nr != ptrace_nr_[key.arch]) {
    return false;
  }
  // As in the launch guard: compat arches read 32 bits, and the pid is a
  // pid_t on every arch.
  constexpr std::uint64_t kLow32 = 0xFFFFFFFF;
  const std::uint64_t request = args[0] & kLow32;
  if (request != PTRACE_ATTACH && request != PTRACE_SEIZE) {
    return false;
  }
  const auto st = read_status(static_cast<pid_t>(args[1] & kLow32));
  return st && st->tgid == ::getpid();
}

// An attached task about to trace its tracer. Once it did, we would stop
// at our next signal (at once for PTRACE_ATTACH's SIGSTOP) and wait for it
// while it waits for us in a tracing stop: both hang for good. So it stays
// in this syscall-entry stop while every other task is detached, and then
// we exit: the kernel detaches it as we die, when its call can only fail.
void Tracer::on_hostage(const Task &task) {
  spdlog::debug("task {} calls ptrace on syscallmon", task.tid);
  captor_ = Captor{task.tid, task.tgid, task.comm};
  detach_all();
}

// The backstop for a tracer whose call we did not see (a process we do
// not trace). SIGCHLD is blocked (start_ptrace_engine), so the tracee
// stops we cause do not stop us in its hands; any other signal would, so
// we check soon: at the first event 100 ms after the last check. Reading
// /proc costs a few syscalls; a clock read (vDSO) is all the others pay.
void Tracer::check_traced() {
  constexpr std::uint64_t kTracedCheckNs = 100'000'000;
  const std::uint64_t now = now_ns();
  if (now < next_traced_check_ns_ || captor_) {
    return;
  }
  next_traced_check_ns_ = now + kTracedCheckNs;
  const auto st = read_status(::getpid());
  if (st && st->tracer_pid != 0) {
    spdlog::debug("traced by pid {}", st->tracer_pid);
    captor_ =
        Captor{0, st->tracer_pid, read_comm(st->tracer_pid).value_or("?")};
    detach_all();
  }
}

void Tracer::end_if_captor_alone() const {
  for (const auto &[tid, task] : tasks_) {
    if (!task.seccomp && tid != captor_->tid) {
      return; // not detached yet
    }
  }
  throw FatalError(
      kExitFailure,
      fmt::format("pid {} ({}) {} syscallmon: detached from "
                  "every process",
                  captor_->tgid, captor_->comm,
                  captor_->tid != 0 ? "tried to trace" : "traces"));
}

} // namespace syscallmon
