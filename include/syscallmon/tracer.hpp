#pragma once
// The ptrace tracer: launches a command under a seccomp filter and/or
// attaches to running processes, follows every thread and child, and
// records each selected syscall into the stats table.

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "syscallmon/signals.hpp"
#include "syscallmon/stats_table.hpp"
#include "syscallmon/syscalls.hpp"

namespace syscallmon {

// Where tracer and command run (--affinity): see src/affinity.hpp.
enum class Affinity { automatic, same_cpu, off };

// Credentials to run the command with (-u USER).
struct RunAs {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
};

// What to trace and how.
struct TraceConfig {
  SyscallSelection selection;
  std::vector<std::string> argv;  // command to launch; empty: attach only
  std::string exec_path;          // argv[0] resolved against PATH
  std::vector<pid_t> attach_pids; // processes to attach to (-p)
  bool errors = false;            // count failures (needs exit stops)
  bool time = false;              // time calls (needs exit stops)
  bool by_pid = false;            // key entries by thread-group id too
  std::optional<RunAs> run_as;    // drop to these ids before exec
  Affinity affinity = Affinity::automatic;
};

// How the run ended.
// The step of the launch that failed, before the command could run.
enum class LaunchStep : int { exec = 0, filter = 1, credentials = 2 };

struct TraceResult {
  std::optional<int> command_status;         // raw wait status of the command
  int exec_errno = 0;                        // why the command could not start
  LaunchStep failed_step = LaunchStep::exec; // where, if exec_errno != 0
};

// Called by the event loop, between events, for the signal requests it
// does not handle itself (snapshot, tick). Clear is done by the tracer.
using SignalCallback = std::function<void(const SignalRequests &)>;

// Runs the whole trace. Throws FatalError for failures that end the run
// before anything is traced (bad pid, permission).
TraceResult run_trace(const TraceConfig &config, StatsTable &table,
                      const SignalCallback &on_signal);

} // namespace syscallmon
