#pragma once
// The command line, parsed into a passive struct. Only cli.cpp includes
// Boost.Program_options.

#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "syscallmon/ptrace_engine.hpp"
#include "syscallmon/report.hpp"
#include "syscallmon/result.hpp"

namespace syscallmon {

// What main() should do.
enum class Action { run, help, version, list_syscalls };

// A --stats-file [FORMAT:]PATH: a file kept holding the current report.
struct StatsFile {
  std::string path;
  std::optional<ReportFormat> format; // FORMAT: given; else the -f format
};

struct Options {
  Action action = Action::run;
  std::string list_class;            // --list-syscalls CLASS (may be empty)
  std::vector<std::string> command;  // after "--" (or the first operand)
  std::vector<pid_t> pids;           // -p
  std::string syscalls;              // -e, default kDefaultSyscalls
  std::optional<std::string> output; // -o FILE
  ReportFormat format = ReportFormat::text;
  std::optional<std::size_t> max_syscalls; // set only if given
  std::size_t max_entries = 1024;
  std::size_t bar_width = 20;
  SortKey sort = SortKey::calls;
  std::optional<std::size_t> top;
  bool errors = false;
  bool time = false;
  bool by_pid = false;
  std::optional<double> interval;     // seconds
  std::vector<StatsFile> stats_files; // --stats-file, repeatable
  bool system = false;                // --system: every process but ours
  bool live = false;                  // --live: the full-screen view
  std::optional<std::string> user;    // -u USER
  EngineKind engine = EngineKind::ptrace;
  Affinity affinity = Affinity::automatic; // ptrace engine only
  int verbosity = 0;                       // -1 quiet, 0 warn, 1 info, 2 debug
};

// Parses argv. Errors are usage errors (exit 2), one line each.
Result<Options> parse_options(int argc, const char *const *argv);

// The --help text.
std::string help_text();

} // namespace syscallmon
