#pragma once
// The seam between the app and a source of counts. An engine launches the
// command and/or attaches to processes, counts their selected syscalls into
// the stats table and reports how the run ended. The app owns the loop's
// policy (signals, timers, reports); an engine owns its mechanism.

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "syscallmon/stats_table.hpp"
#include "syscallmon/syscalls.hpp"

namespace syscallmon {

// Which engine counts (--engine).
enum class EngineKind { ptrace, bpf };

// The engine's name as the report shows it: "ptrace" or "bpf".
std::string_view engine_name(EngineKind kind);

// Credentials to run the command with (-u USER).
struct RunAs {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
};

// What to count, and for whom. Passive.
struct EngineConfig {
  SyscallSelection selection;
  std::vector<std::string> argv;  // command to launch; empty: none
  std::string exec_path;          // argv[0] resolved against PATH
  std::vector<pid_t> attach_pids; // processes to attach to (-p), tgids
  bool system_wide = false;       // every process but ours (--system)
  CountOptions count;
  std::optional<RunAs> run_as; // drop to these ids before exec
};

// The step of the launch that failed, before the command could run.
enum class LaunchStep : int { exec = 0, filter = 1, credentials = 2 };

// Why the command never ran.
struct LaunchFailure {
  int err = 0; // errno
  LaunchStep step = LaunchStep::exec;
};

// How the run ended.
struct EngineResult {
  std::optional<int> command_status;   // raw wait status, once it ended
  std::optional<LaunchFailure> launch; // set if the command never ran
};

// One source of counts, writing only to its table. Destruction detaches,
// unloads and reaps on every path.
class Engine {
 public:
  explicit Engine(StatsTable &table) : table_(table) {}
  virtual ~Engine() = default;
  Engine(const Engine &) = delete;
  Engine &operator=(const Engine &) = delete;

  // Counts until a signal arrives (true: act on it, then call again) or
  // nothing is left to count (false).
  virtual bool run() = 0;
  // Who a signal passed on by stop() reaches.
  enum class Reach {
    command,  // the command, as a shell's kill; once it is gone, what it
              // left behind
    launched, // the command and every process it started (the live
              // view's q: the run must end)
  };
  // Sends sig (0: none) to the launched processes reach names, and stops
  // counting the attached processes (-p) and the system (--system).
  virtual void stop(int sig, Reach reach) = 0;
  // Valid once run() has returned false.
  virtual EngineResult result() const = 0;

  // The counts so far.
  TableSnapshot snapshot() {
    flush();
    return table_.snapshot();
  }
  // Forgets every count (SIGUSR2).
  void clear() {
    flush();
    table_.clear();
  }

 protected:
  // Brings counts held elsewhere (a kernel map) into the table.
  virtual void flush() {}

  StatsTable &table_;
};

} // namespace syscallmon
