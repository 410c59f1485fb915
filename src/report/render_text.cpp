// The text report: the paper's /proc/sys_stat look, cleaned up.

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>
#include <cmath>

#include "report_model.hpp"
#include "syscallmon/escape.hpp"
#include "syscallmon/report.hpp"

namespace syscallmon {
namespace {

constexpr std::size_t kMinImageWidth = 16;
constexpr std::size_t kMinUidDigits = 4;

std::string plural(std::uint64_t n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

std::size_t digits(std::uint64_t n) { return fmt::formatted_size("{}", n); }

// Column widths shared by every line, so counts line up across groups.
struct Widths {
  std::size_t image = kMinImageWidth; // wider only if a name is longer
  std::size_t uid = kMinUidDigits;    // wider only for uids >= 10000
  std::size_t count = 1;
  std::size_t pid = 1;
  std::size_t errors = 1;
  std::size_t count_end = 0; // column where an entry's count ends
};

Widths measure(const std::vector<detail::ReportGroup> &groups,
               const RenderOptions &opts) {
  Widths w;
  for (const auto &g : groups) {
    w.count = std::max(w.count, digits(g.row->calls));
    for (const EntrySnapshot *e : g.shown) {
      w.image = std::max(w.image, text_image(e->key.image).size());
      w.uid = std::max(w.uid, digits(e->key.uid));
      w.pid = std::max(w.pid, digits(static_cast<std::uint64_t>(e->key.pid)));
      w.errors = std::max(w.errors, digits(e->stats.errors));
    }
  }
  // "    Image: " + image + "  UID: " + uid [+ "  PID: " + pid]
  // + "  Count: " + bar + "  " + count
  w.count_end = 4 + 7 + w.image + 2 + 5 + w.uid +
                (opts.by_pid ? 2 + 5 + w.pid : 0) + 2 + 7 + opts.bar_width + 2 +
                w.count;
  return w;
}

// The bar's length: the count against the group's largest, rounded.
std::size_t bar_length(std::uint64_t count, std::uint64_t max,
                       std::size_t width) {
  if (max == 0) {
    return 0;
  }
  const double share = static_cast<double>(count) / static_cast<double>(max);
  return static_cast<std::size_t>(
      std::lround(share * static_cast<double>(width)));
}

void render_entry(std::ostream &out, const EntrySnapshot &e,
                  std::uint64_t max_count, const Widths &w,
                  const RenderOptions &opts) {
  // UIDs are zero-padded to 4 digits, then aligned in the column.
  std::string line = fmt::format(
      "    Image: {:>{}}  UID: {:>{}}", text_image(e.key.image), w.image,
      fmt::format("{:0{}}", e.key.uid, kMinUidDigits), w.uid);
  if (opts.by_pid) {
    line += fmt::format("  PID: {:>{}}", e.key.pid, w.pid);
  }
  const std::string bar(bar_length(e.stats.calls, max_count, opts.bar_width),
                        '+');
  line += fmt::format("  Count: {:<{}}  {:>{}}", bar, opts.bar_width,
                      e.stats.calls, w.count);
  if (opts.errors) {
    line += fmt::format("  Errors: {:>{}}", e.stats.errors, w.errors);
  }
  if (opts.time) {
    line += fmt::format("  Time: {:.6f} s  Max: {:.6f} s",
                        static_cast<double>(e.stats.time_total_ns) / 1e9,
                        static_cast<double>(e.stats.time_max_ns) / 1e9);
  }
  fmt::print(out, "{}\n", line);
}

void render_header(std::ostream &out, const TableSnapshot &table,
                   const RunInfo &run) {
  if (run.timestamp) {
    fmt::print(out, "syscallmon: snapshot at {}\n", *run.timestamp);
  }
  const detail::ReportTotals t = detail::totals(table);
  std::string line =
      fmt::format("syscallmon: {} monitored by {}, {}, {}, {} in {:.2f} s",
                  plural(run.monitored.size(), "system call"), run.engine,
                  plural(t.images, "image"), plural(t.users, "user"),
                  plural(t.calls, "call"), run.duration_s);
  if (!run.pids.empty()) {
    line += fmt::format("; attached pids {}", fmt::join(run.pids, ","));
  }
  if (run.system) {
    line += "; the whole system";
  }
  fmt::print(out, "{}\n", line);
}

} // namespace

void render_text(std::ostream &out, const TableSnapshot &table,
                 const RunInfo &run, const RenderOptions &opts) {
  render_header(out, table, run);
  const auto groups = detail::order_groups(table, opts);
  const Widths w = measure(groups, opts);
  for (const auto &g : groups) {
    std::string title = "System call: " + g.name;
    if (g.row->syscall.arch != 0) {
      title += " [" + g.arch + "]";
    }
    // " calls" ends one column past the entries, as in the paper's layout.
    const std::size_t title_width =
        w.count_end > w.count + 5 ? w.count_end - w.count - 5 : 0;
    fmt::print(out, "{:<{}}{:>{}} calls\n", title, title_width, g.row->calls,
               w.count);
    std::uint64_t max_count = 0;
    for (const EntrySnapshot &e : g.row->entries) {
      max_count = std::max(max_count, e.stats.calls);
    }
    for (const EntrySnapshot *e : g.shown) {
      render_entry(out, *e, max_count, w, opts);
    }
    if (g.hidden > 0) {
      fmt::print(out, "    \u2026 {} more\n", g.hidden);
    }
  }
  fmt::print(out,
             "Table: {} x {}; evicted {} system calls, {} image/uid entries "
             "({} calls)",
             table.max_syscalls, table.max_entries, table.evicted.syscalls,
             table.evicted.entries, table.evicted.calls);
  // Only the bpf engine can lose calls (its kernel map was full).
  if (run.engine == "bpf" || table.evicted.lost > 0) {
    fmt::print(out, "; lost {}", plural(table.evicted.lost, "call"));
  }
  fmt::print(out, "\n");
}

} // namespace syscallmon
