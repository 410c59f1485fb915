#include "engine/attach_target.hpp"

#include <unistd.h>

#include <fmt/format.h>

#include <chrono>
#include <optional>
#include <thread>

namespace syscallmon {
namespace {

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

// live_status, looked at again for up to 20 ms: an execve from a thread
// swaps tids for a moment, with every thread looking dead.
std::optional<TaskStatus> settled_live_status(pid_t pid) {
  auto st = live_status(pid);
  for (int attempt = 0; !st && attempt < 20; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    st = live_status(pid);
  }
  return st;
}

} // namespace

bool has_exited(pid_t pid) {
  // Exiting, a process may still show as running for a while (zombie only
  // once its exit is done): its threads' PF_EXITING flag says it sooner.
  for (int attempt = 0; attempt < 20; ++attempt) {
    for (const pid_t tid : list_threads(pid)) {
      if (!is_exiting(tid)) {
        return false;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

FatalError attach_error(pid_t pid, const std::string &why) {
  return {kExitFailure, fmt::format("attach to pid {}: {}", pid, why)};
}

bool is_dead(const TaskStatus &st) {
  return st.state == 'Z' || st.state == 'X';
}

TaskStatus check_attach_target(pid_t pid) {
  if (!read_status(pid)) {
    throw attach_error(pid, "No such process");
  }
  const auto st = settled_live_status(pid);
  if (!st) {
    throw attach_error(pid, "the process has exited (a zombie its parent "
                            "has not reaped)");
  }
  if (pid == ::getpid()) {
    throw attach_error(pid, "refusing to trace syscallmon itself");
  }
  if (is_kernel_thread(pid)) {
    throw attach_error(pid, "a kernel thread makes no system calls to count");
  }
  if (::geteuid() != 0 && st->real_uid != ::getuid()) {
    throw attach_error(
        pid, fmt::format("Operation not permitted (it runs as uid {}; "
                         "syscallmon runs as uid {} and is not root)",
                         st->real_uid, ::getuid()));
  }
  return *st;
}

} // namespace syscallmon
