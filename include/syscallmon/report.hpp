#pragma once
// Report renderers: pure functions of a table snapshot plus run metadata.
// They never touch the OS.

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "syscallmon/stats_table.hpp"

namespace syscallmon {

// Output formats of a report.
enum class ReportFormat { text, json, csv, openmetrics };

// Orders of the entries (and groups) in a report.
enum class SortKey { calls, name, errors, time };

// What the run was: printed in the report header.
struct RunInfo {
  std::string engine = "ptrace";        // which engine counted
  std::vector<std::string> command;     // empty in pure attach mode
  std::vector<int> pids;                // attached pids (-p)
  bool system = false;                  // every process was counted
  std::vector<std::string> monitored;   // selected syscall names, sorted
  double duration_s = 0;                // since tracing began
  std::optional<int> exit_status;       // the command's, once it ended
  std::optional<std::string> timestamp; // set on live snapshots (UTC, ISO)
};

// How to render; the syscall namer keeps the renderers free of libseccomp.
struct RenderOptions {
  std::size_t bar_width = 20;
  SortKey sort = SortKey::calls;
  std::optional<std::size_t> top; // entries shown per group
  bool errors = false;            // show error counts (--errors)
  bool time = false;              // show time in calls (--time)
  bool by_pid = false;            // entries are keyed by pid too
  std::vector<std::string> arch_names{"x86_64", "i386"};
  std::function<std::string(SyscallKey)> syscall_name;
};

// Renders the report in the given format.
void render_report(std::ostream &out, ReportFormat format,
                   const TableSnapshot &table, const RunInfo &run,
                   const RenderOptions &opts);

void render_text(std::ostream &out, const TableSnapshot &table,
                 const RunInfo &run, const RenderOptions &opts);
void render_json(std::ostream &out, const TableSnapshot &table,
                 const RunInfo &run, const RenderOptions &opts);
void render_csv(std::ostream &out, const TableSnapshot &table,
                const RunInfo &run, const RenderOptions &opts);
void render_openmetrics(std::ostream &out, const TableSnapshot &table,
                        const RunInfo &run, const RenderOptions &opts);

} // namespace syscallmon
