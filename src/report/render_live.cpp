// The live view's screen (--live): the paper's grouping with a rate
// column, fitted to the terminal. Pure: lines of printable ASCII.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string_view>
#include <tuple>

#include "report_model.hpp"
#include "syscallmon/escape.hpp"
#include "syscallmon/live_view.hpp"

namespace syscallmon {
namespace {

constexpr std::size_t kMinImageWidth = 16;
constexpr std::size_t kMinUidDigits = 4;

// What is measured for a row or a group.
struct Measure {
  std::uint64_t calls = 0;
  double rate = 0; // calls per second over the last interval
  std::uint64_t errors = 0;
  std::uint64_t time_ns = 0;
  std::uint64_t max_ns = 0;

  void add(const Measure &m) {
    calls += m.calls;
    rate += m.rate;
    errors += m.errors;
    time_ns += m.time_ns;
    max_ns = std::max(max_ns, m.max_ns);
  }
};

// One entry as the body shows it: in by-syscall grouping the image, uid
// and pid say who; in by-image grouping the syscall says what.
struct LiveRow {
  std::string image; // text_image(): escaped, quoted when space-edged
  std::uint32_t uid = 0;
  std::int32_t pid = 0;
  std::string syscall; // name, with " [arch]" off the native arch
  Measure m;
};

struct LiveGroup {
  LiveRow head; // who or what the group is, and its totals
  std::vector<LiveRow> rows;
  std::size_t hidden = 0; // rows cut by --top
  std::uint64_t max_calls = 0;
};

using PrevKey = std::tuple<std::uint16_t, std::uint32_t, std::string_view,
                           std::uint32_t, std::int32_t>;

// Calls per entry in the previous snapshot.
std::map<PrevKey, std::uint64_t> previous_calls(const TableSnapshot &before) {
  std::map<PrevKey, std::uint64_t> calls;
  for (const RowSnapshot &row : before.rows) {
    for (const EntrySnapshot &e : row.entries) {
      calls[{row.syscall.arch, row.syscall.nr, e.key.image, e.key.uid,
             e.key.pid}] = e.stats.calls;
    }
  }
  return calls;
}

std::string syscall_label(const RowSnapshot &row, const RenderOptions &opts) {
  std::string name = opts.syscall_name
                         ? opts.syscall_name(row.syscall)
                         : "syscall_" + std::to_string(row.syscall.nr);
  if (row.syscall.arch != 0) {
    name += " [" + detail::arch_name(opts, row.syscall) + "]";
  }
  return name;
}

// The entries of `now` the filter lets through, each with its rate, and
// the totals of every entry (the top line's), in one pass.
struct Measured {
  std::vector<LiveRow> rows;
  Measure total;
};

Measured measure_entries(const TableSnapshot &now, const TableSnapshot &before,
                         double interval_s, const RenderOptions &opts,
                         const std::string &filter) {
  const auto prev = previous_calls(before);
  Measured out;
  for (const RowSnapshot &row : now.rows) {
    const std::string name = syscall_label(row, opts);
    for (const EntrySnapshot &e : row.entries) {
      LiveRow r{{}, e.key.uid, e.key.pid, name, {}};
      r.m.calls = e.stats.calls;
      r.m.errors = e.stats.errors;
      r.m.time_ns = e.stats.time_total_ns;
      r.m.max_ns = e.stats.time_max_ns;
      if (interval_s > 0) {
        const auto it = prev.find({row.syscall.arch, row.syscall.nr,
                                   e.key.image, e.key.uid, e.key.pid});
        const std::uint64_t was = it == prev.end() ? 0 : it->second;
        // Fewer calls than before: cleared or evicted since, so all new.
        const std::uint64_t delta =
            r.m.calls >= was ? r.m.calls - was : r.m.calls;
        r.m.rate = static_cast<double>(delta) / interval_s;
      }
      out.total.add(r.m);
      if (!filter.empty() &&
          escape_image(e.key.image).find(filter) == std::string::npos) {
        continue;
      }
      r.image = text_image(e.key.image);
      out.rows.push_back(std::move(r));
    }
  }
  return out;
}

double sort_value(const Measure &m, LiveSort sort) {
  switch (sort) {
  case LiveSort::count:
    return static_cast<double>(m.calls);
  case LiveSort::rate:
    return m.rate;
  case LiveSort::errors:
    return static_cast<double>(m.errors);
  case LiveSort::time:
    return static_cast<double>(m.time_ns);
  }
  return 0;
}

// Busiest first; ties by who, then what, so the order is stable.
bool row_before(const LiveRow &a, const LiveRow &b, LiveSort sort) {
  const double x = sort_value(a.m, sort);
  const double y = sort_value(b.m, sort);
  if (x != y) {
    return x > y;
  }
  return std::tie(a.syscall, a.image, a.uid, a.pid) <
         std::tie(b.syscall, b.image, b.uid, b.pid);
}

std::vector<LiveGroup> group_rows(std::vector<LiveRow> rows,
                                  const LiveState &state,
                                  const RenderOptions &opts) {
  const bool by_syscall = state.grouping == LiveGrouping::syscall;
  std::map<std::tuple<std::string, std::uint32_t, std::int32_t>, LiveGroup>
      groups;
  for (LiveRow &r : rows) {
    LiveGroup &g = by_syscall ? groups[{r.syscall, 0, 0}]
                              : groups[{r.image, r.uid, r.pid}];
    if (by_syscall) {
      g.head.syscall = r.syscall;
    } else {
      g.head.image = r.image;
      g.head.uid = r.uid;
      g.head.pid = r.pid;
    }
    g.head.m.add(r.m);
    g.max_calls = std::max(g.max_calls, r.m.calls);
    g.rows.push_back(std::move(r));
  }
  std::vector<LiveGroup> out;
  for (auto &[key, g] : groups) {
    std::sort(g.rows.begin(), g.rows.end(),
              [&](const LiveRow &a, const LiveRow &b) {
                return row_before(a, b, state.sort);
              });
    if (opts.top && g.rows.size() > *opts.top) {
      g.hidden = g.rows.size() - *opts.top;
      g.rows.resize(*opts.top);
    }
    out.push_back(std::move(g));
  }
  std::sort(out.begin(), out.end(),
            [&](const LiveGroup &a, const LiveGroup &b) {
              return row_before(a.head, b.head, state.sort);
            });
  return out;
}

std::string format_rate(double rate, bool known) {
  if (!known) {
    return "-";
  }
  return rate < 9.95 ? fmt::format("{:.1f}", rate)
                     : fmt::format("{:.0f}", rate);
}

std::size_t digits(std::uint64_t n) { return fmt::formatted_size("{}", n); }

std::string uid_text(std::uint32_t uid) {
  return fmt::format("{:0{}}", uid, kMinUidDigits);
}

// The body's columns: every line of one screen shares them.
class BodyLayout {
 public:
  BodyLayout(const std::vector<LiveGroup> &groups, const LiveState &state,
             const RenderOptions &opts, bool rates, std::size_t width)
      : by_syscall_(state.grouping == LiveGrouping::syscall), opts_(opts),
        rates_(rates) {
    for (const LiveGroup &g : groups) {
      measure(g.head);
      for (const LiveRow &r : g.rows) {
        measure(r);
      }
    }
    std::size_t label = 0;
    std::size_t title = 0;
    for (const LiveGroup &g : groups) {
      title = std::max(title, head_label(g.head).size());
      for (const LiveRow &r : g.rows) {
        label = std::max(label, row_label(r).size());
      }
    }
    label_ = label;
    title_ = title;
    for (const LiveGroup &g : groups) {
      tail_ = std::max(tail_, tail(g.head.m).size());
      for (const LiveRow &r : g.rows) {
        tail_ = std::max(tail_, tail(r.m).size());
      }
    }
    // The bar gives way first when the terminal is narrow.
    bar_ = opts.bar_width;
    const std::size_t full = count_column() + tail_;
    bar_ -= std::min(bar_, full > width ? full - width : 0);
  }

  std::string head_line(const LiveGroup &g) const {
    std::string line = head_label(g.head);
    line.resize(std::max(line.size(), count_column()), ' ');
    return line + tail(g.head.m);
  }

  std::string row_line(const LiveRow &r, std::uint64_t max_calls) const {
    std::string line = row_label(r);
    line.resize(label_, ' ');
    line += "  Count: " + std::string(bar_length(r.m.calls, max_calls), '+');
    line.resize(count_column(), ' ');
    return line + tail(r.m);
  }

 private:
  void measure(const LiveRow &r) {
    image_ = std::max(image_, r.image.size());
    uid_ = std::max(uid_, uid_text(r.uid).size());
    pid_ = std::max(pid_, digits(static_cast<std::uint64_t>(r.pid)));
    syscall_ = std::max(syscall_, r.syscall.size());
    count_ = std::max(count_, digits(r.m.calls));
    rate_ = std::max(rate_, format_rate(r.m.rate, rates_).size());
    errors_ = std::max(errors_, digits(r.m.errors));
  }

  std::string who(const LiveRow &r) const {
    std::string s = fmt::format("Image: {:>{}}  UID: {:>{}}", r.image, image_,
                                uid_text(r.uid), uid_);
    if (opts_.by_pid) {
      s += fmt::format("  PID: {:>{}}", r.pid, pid_);
    }
    return s;
  }

  std::string head_label(const LiveRow &head) const {
    return by_syscall_ ? "System call: " + head.syscall : who(head);
  }

  std::string row_label(const LiveRow &r) const {
    return by_syscall_
               ? "    " + who(r)
               : fmt::format("    System call: {:<{}}", r.syscall, syscall_);
  }

  // Where the count starts: after the entries' bars, or a longer title.
  std::size_t count_column() const {
    return std::max(label_ + 9 + bar_, title_ + 1) + 2;
  }

  std::string tail(const Measure &m) const {
    std::string s = fmt::format("{:>{}}  {:>{}}/s", m.calls, count_,
                                format_rate(m.rate, rates_), rate_);
    if (opts_.errors) {
      s += fmt::format("  Errors: {:>{}}", m.errors, errors_);
    }
    if (opts_.time) {
      s += fmt::format("  Time: {:.6f} s  Max: {:.6f} s",
                       static_cast<double>(m.time_ns) / 1e9,
                       static_cast<double>(m.max_ns) / 1e9);
    }
    return s;
  }

  std::size_t bar_length(std::uint64_t calls, std::uint64_t max) const {
    if (max == 0) {
      return 0;
    }
    const double share = static_cast<double>(calls) / static_cast<double>(max);
    return static_cast<std::size_t>(
        std::lround(share * static_cast<double>(bar_)));
  }

  bool by_syscall_;
  const RenderOptions &opts_;
  bool rates_;
  std::size_t image_ = kMinImageWidth;
  std::size_t uid_ = kMinUidDigits;
  std::size_t pid_ = 1;
  std::size_t syscall_ = 1;
  std::size_t count_ = 1;
  std::size_t rate_ = 1;
  std::size_t errors_ = 1;
  std::size_t label_ = 0;
  std::size_t title_ = 0;
  std::size_t tail_ = 0; // the widest count, rate, errors and time
  std::size_t bar_ = 0;
};

std::vector<std::string> body_lines(std::vector<LiveRow> rows,
                                    const LiveHeader &header,
                                    const RenderOptions &opts,
                                    const LiveState &state, std::size_t width) {
  const bool rates = header.interval_s > 0;
  const auto groups = group_rows(std::move(rows), state, opts);
  std::vector<std::string> lines;
  if (groups.empty()) {
    lines.push_back(state.filter.empty() ? "(no calls counted yet)"
                                         : "(no image matches the filter \"" +
                                               state.filter + "\")");
    return lines;
  }
  const BodyLayout layout(groups, state, opts, rates, width);
  for (const LiveGroup &g : groups) {
    lines.push_back(layout.head_line(g));
    for (const LiveRow &r : g.rows) {
      lines.push_back(layout.row_line(r, g.max_calls));
    }
    if (g.hidden > 0) {
      lines.push_back(fmt::format("    ... {} more", g.hidden));
    }
  }
  return lines;
}

std::string elapsed(double seconds) {
  const auto s = static_cast<std::uint64_t>(std::max(seconds, 0.0));
  return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
}

std::string top_line(const TableSnapshot &now, const Measure &total,
                     const LiveHeader &header) {
  std::uint64_t calls = 0;
  std::size_t fullest = 0;
  for (const RowSnapshot &row : now.rows) {
    calls += row.calls;
    fullest = std::max(fullest, row.entries.size());
  }
  // The most telling first: a narrow terminal cuts the end.
  std::string line = fmt::format(
      "{} | {} | {} | {} calls, {}/s | table {}/{} x {}/{} | evicted {} "
      "rows, {} entries ({} calls)",
      header.engine, header.mode, elapsed(header.elapsed_s), calls,
      format_rate(total.rate, header.interval_s > 0), now.rows.size(),
      now.max_syscalls, fullest, now.max_entries, now.evicted.syscalls,
      now.evicted.entries, now.evicted.calls);
  if (header.engine == "bpf" || now.evicted.lost > 0) {
    line += fmt::format(", lost {}", now.evicted.lost);
  }
  return line;
}

std::string_view sort_name(LiveSort sort) {
  switch (sort) {
  case LiveSort::count:
    return "count";
  case LiveSort::rate:
    return "rate";
  case LiveSort::errors:
    return "errors";
  case LiveSort::time:
    return "time";
  }
  return "?";
}

std::string footer(const LiveState &state, const LiveFrame &frame) {
  if (state.editing) {
    return "Filter images: " + *state.editing +
           "_   (Enter applies, Esc cancels)";
  }
  if (state.quitting) {
    return "Quitting: waiting for the run to end (q again: SIGKILL)";
  }
  std::string line = fmt::format(
      "q quit  c clear  s sort: {}  p {}  g group: {}  / filter  "
      "Up/Down/PgUp/PgDn scroll",
      sort_name(state.sort), state.paused ? "resume (PAUSED)" : "pause",
      state.grouping == LiveGrouping::syscall ? "syscall" : "image");
  if (!state.filter.empty()) {
    line += "  [filter: " + state.filter + "]";
  }
  if (frame.body_lines > frame.page) {
    line += fmt::format("  {}-{}/{}", frame.scroll + 1,
                        std::min(frame.scroll + frame.page, frame.body_lines),
                        frame.body_lines);
  }
  return line;
}

} // namespace

LiveFrame render_live(const TableSnapshot &now, const TableSnapshot &before,
                      const LiveHeader &header, const RenderOptions &opts,
                      const LiveState &state, std::size_t width,
                      std::size_t height) {
  LiveFrame frame;
  if (height == 0) {
    return frame;
  }
  Measured measured =
      measure_entries(now, before, header.interval_s, opts, state.filter);
  std::vector<std::string> body =
      body_lines(std::move(measured.rows), header, opts, state, width);
  // The top line and the footer frame the body; a log line takes the
  // body's last line while there is room for it.
  std::size_t page = height > 2 ? height - 2 : 0;
  const bool message = !header.message.empty() && page > 1;
  if (message) {
    --page;
  }
  frame.page = page;
  frame.body_lines = body.size();
  frame.scroll =
      std::min(state.scroll, body.size() > page ? body.size() - page : 0);
  frame.lines.push_back(top_line(now, measured.total, header));
  for (std::size_t i = 0; i < page; ++i) {
    const std::size_t at = frame.scroll + i;
    frame.lines.push_back(at < body.size() ? body[at] : "");
  }
  if (message) {
    frame.lines.push_back(escape_image(header.message));
  }
  if (height > 1) {
    frame.lines.push_back(footer(state, frame));
  }
  for (std::string &line : frame.lines) {
    if (line.size() > width) {
      line.resize(width);
    }
  }
  return frame;
}

} // namespace syscallmon
