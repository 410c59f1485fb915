#pragma once
// The sorted, trimmed view of a snapshot that every renderer prints.
// Private to the renderers.

#include <string>
#include <vector>

#include "syscallmon/report.hpp"

namespace syscallmon::detail {

// One syscall group as shown.
struct ReportGroup {
  const RowSnapshot *row = nullptr;
  std::string name; // syscall name
  std::string arch; // arch name
  std::uint64_t errors = 0;
  std::uint64_t time_ns = 0;
  std::vector<const EntrySnapshot *> shown; // sorted, cut to --top
  std::size_t hidden = 0;                   // entries cut by --top
};

// Totals over the whole table, for the header.
struct ReportTotals {
  std::uint64_t calls = 0;
  std::size_t images = 0;
  std::size_t users = 0;
};

std::vector<ReportGroup> order_groups(const TableSnapshot &table,
                                      const RenderOptions &opts);
ReportTotals totals(const TableSnapshot &table);

// The arch name for a syscall key.
std::string arch_name(const RenderOptions &opts, SyscallKey key);

// errno value to its symbolic name ("ENOENT"), or the number as text.
std::string errno_name(int err);

} // namespace syscallmon::detail
