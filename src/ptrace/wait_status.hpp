#pragma once
// A waitpid() status classified into the stops a ptrace tracer handles
// (rr's WaitStatus, strace's next_event). Tracer-private.

#include <sys/ptrace.h>
#include <sys/wait.h>

#include <csignal>

namespace syscallmon {

enum class StopKind {
  exited,          // WIFEXITED: exit_code() is valid
  killed,          // WIFSIGNALED: signal() is valid
  syscall,         // syscall-entry or -exit stop (SIGTRAP|0x80)
  seccomp,         // PTRACE_EVENT_SECCOMP
  fork,            // PTRACE_EVENT_FORK, VFORK or CLONE
  exec,            // PTRACE_EVENT_EXEC
  group_stop,      // PTRACE_EVENT_STOP for a stopping signal
  event_stop,      // PTRACE_EVENT_STOP otherwise (new child, interrupt)
  other_event,     // VFORK_DONE, EXIT: nothing to do but resume
  signal_delivery, // a signal is about to be delivered: signal() is valid
  unknown,         // continued, or a status we do not expect
};

class WaitStatus {
 public:
  explicit WaitStatus(int raw) : raw_(raw) {}

  int raw() const { return raw_; }
  int event() const { return raw_ >> 16; }
  int exit_code() const { return WEXITSTATUS(raw_); }
  int signal() const {
    return WIFSIGNALED(raw_) ? WTERMSIG(raw_) : WSTOPSIG(raw_);
  }

  StopKind kind() const {
    if (WIFEXITED(raw_)) {
      return StopKind::exited;
    }
    if (WIFSIGNALED(raw_)) {
      return StopKind::killed;
    }
    if (!WIFSTOPPED(raw_)) {
      return StopKind::unknown;
    }
    const int sig = WSTOPSIG(raw_);
    switch (event()) {
    case 0:
      return sig == (SIGTRAP | 0x80) ? StopKind::syscall
                                     : StopKind::signal_delivery;
    case PTRACE_EVENT_SECCOMP:
      return StopKind::seccomp;
    case PTRACE_EVENT_FORK:
    case PTRACE_EVENT_VFORK:
    case PTRACE_EVENT_CLONE:
      return StopKind::fork;
    case PTRACE_EVENT_EXEC:
      return StopKind::exec;
    case PTRACE_EVENT_STOP:
      // Under PTRACE_SEIZE a group-stop is an event stop carrying the
      // stopping signal; a new child's or an interrupt's carries SIGTRAP.
      return (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN ||
              sig == SIGTTOU)
                 ? StopKind::group_stop
                 : StopKind::event_stop;
    default:
      return StopKind::other_event;
    }
  }

 private:
  int raw_;
};

} // namespace syscallmon
