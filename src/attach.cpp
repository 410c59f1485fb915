// Attach mode: seize every thread of running processes, and detach them
// cleanly when asked to stop. Attached tasks have no seccomp filter (one
// cannot be added from outside), so they are traced with PTRACE_SYSCALL:
// two stops per syscall, counted at the entry stop.

#include <sys/ptrace.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "syscallmon/proc_info.hpp"
#include "syscallmon/result.hpp"
#include "tracer_internal.hpp"

namespace syscallmon {
namespace {

FatalError attach_error(pid_t pid, const std::string &why) {
  return {kExitFailure, fmt::format("attach to pid {}: {}", pid, why)};
}

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

bool is_dead(const TaskStatus &st) {
  return st.state == 'Z' || st.state == 'X';
}

// The status of a live thread of pid: its leader's, or, when the leader
// called pthread_exit (a zombie while its threads run on), another's.
std::optional<TaskStatus> live_status(pid_t pid) {
  for (const pid_t tid : list_threads(pid)) {
    if (auto st = read_status(tid); st && !is_dead(*st)) {
      return st;
    }
  }
  return std::nullopt;
}

// Checks one target before anything is seized, so a bad pid in a list
// leaves the others untouched.
void check_target(pid_t pid) {
  if (!read_status(pid)) {
    throw attach_error(pid, "No such process");
  }
  const auto st = live_status(pid);
  if (!st) {
    throw attach_error(pid, "the process has exited (a zombie its parent "
                            "has not reaped)");
  }
  if (pid == ::getpid()) {
    throw attach_error(pid, "refusing to trace syscallmon itself");
  }
  if (::geteuid() != 0 && st->real_uid != ::getuid()) {
    throw attach_error(
        pid, fmt::format("Operation not permitted (it runs as uid {}; "
                         "syscallmon runs as uid {} and is not root)",
                         st->real_uid, ::getuid()));
  }
  if (st->tracer_pid != 0) {
    const auto comm = read_comm(st->tracer_pid).value_or("?");
    throw attach_error(pid, fmt::format("Operation not permitted (already "
                                        "traced by pid {}, {})",
                                        st->tracer_pid, comm));
  }
  if (is_self_or_ancestor(pid)) {
    throw attach_error(pid, "refusing to trace an ancestor of syscallmon "
                            "(it would deadlock)");
  }
}

} // namespace

void Tracer::attach_all() {
  for (const pid_t pid : config_.attach_pids) {
    check_target(pid);
  }
  for (const pid_t pid : config_.attach_pids) {
    // Threads created while we attach would be missed by one scan:
    // re-scan until a pass finds no new thread.
    std::set<pid_t> seized;
    for (bool found = true; found;) {
      found = false;
      for (const pid_t tid : list_threads(pid)) {
        if (seized.contains(tid) || tasks_.contains(tid)) {
          continue;
        }
        if (::ptrace(PTRACE_SEIZE, tid, nullptr, tracer_options()) < 0) {
          const int err = errno;
          const auto st = read_status(tid);
          if (err == ESRCH || !st || is_dead(*st)) {
            continue; // the thread exited meanwhile, or is an exited leader
          }
          if (seized.empty()) { // the process itself, not a late thread
            throw attach_error(pid, std::strerror(err));
          }
          spdlog::warn("attach to thread {} of pid {}: {}", tid, pid,
                       std::strerror(err));
          continue;
        }
        ::ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr);
        seized.insert(tid);
        found = true;
        Task &task = add_task(tid, nullptr, false);
        task.seccomp = false;
      }
    }
    if (seized.empty()) {
      throw attach_error(pid, "No such process");
    }
    spdlog::info("attached to pid {} ({} thread{})", pid, seized.size(),
                 seized.size() == 1 ? "" : "s");
  }
}

void Tracer::detach_all() {
  detaching_ = true;
  for (auto &[tid, task] : tasks_) {
    if (!task.seccomp) {
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
