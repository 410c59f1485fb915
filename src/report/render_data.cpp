// The machine-readable reports: JSON, CSV (RFC 4180) and OpenMetrics.

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <nlohmann/json.hpp>

#include "report_model.hpp"
#include "syscallmon/escape.hpp"
#include "syscallmon/report.hpp"

namespace syscallmon {
namespace {

using Json = nlohmann::ordered_json;

double seconds(std::uint64_t ns) { return static_cast<double>(ns) / 1e9; }

Json caller_json(const EntrySnapshot &e, const RenderOptions &opts) {
  Json c;
  c["image"] = escape_image(e.key.image);
  c["uid"] = e.key.uid;
  if (opts.by_pid) {
    c["pid"] = e.key.pid;
  }
  c["calls"] = e.stats.calls;
  if (opts.errors) {
    c["errors"] = e.stats.errors;
    Json errnos = Json::object();
    for (const auto &[err, n] : e.stats.errnos) {
      errnos[detail::errno_name(err)] = n;
    }
    c["errnos"] = errnos;
  }
  if (opts.time) {
    c["time_s"] = seconds(e.stats.time_total_ns);
    c["max_time_s"] = seconds(e.stats.time_max_ns);
  }
  return c;
}

// A leading ' keeps a spreadsheet from running a field as a formula
// (OWASP "CSV Injection"): fields starting with = + - @ TAB or CR get one.
// Fields starting with ' get one too, so that a reader always drops
// exactly one leading ' to get the name back.
std::string formula_guard(std::string_view s) {
  if (!s.empty() &&
      std::string_view("=+-@\t\r'").find(s.front()) != std::string_view::npos) {
    return "'" + std::string(s);
  }
  return std::string(s);
}

// CSV field quoting per RFC 4180 (quote when needed, double inner quotes),
// after the formula guard.
std::string csv_field(std::string_view raw) {
  std::string s = formula_guard(raw);
  if (s.find_first_of(",\"\r\n") == std::string::npos) {
    return s;
  }
  std::string out = "\"";
  for (const char c : s) {
    out += c;
    if (c == '"') {
      out += '"';
    }
  }
  return out + "\"";
}

// OpenMetrics label value escaping: backslash, double quote, newline.
std::string label_value(std::string_view s) {
  std::string out;
  for (const char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string labels(const detail::ReportGroup &g, const EntrySnapshot &e,
                   const RenderOptions &opts) {
  std::string l = fmt::format(
      R"(syscall="{}",arch="{}",image="{}",uid="{}")", label_value(g.name),
      label_value(g.arch), label_value(escape_image(e.key.image)), e.key.uid);
  if (opts.by_pid) {
    l += fmt::format(",pid=\"{}\"", e.key.pid);
  }
  return l;
}

void metric_family(std::ostream &out, std::string_view name,
                   std::string_view type, std::string_view help) {
  fmt::print(out, "# TYPE {} {}\n# HELP {} {}\n", name, type, name, help);
}

} // namespace

void render_json(std::ostream &out, const TableSnapshot &table,
                 const RunInfo &run, const RenderOptions &opts) {
  Json j;
  j["syscallmon"] = 1;
  j["engine"] = run.engine;
  if (run.timestamp) {
    j["timestamp"] = *run.timestamp;
  }
  // Arguments are as untrusted as image names (and JSON needs UTF-8).
  Json command = Json::array();
  for (const std::string &arg : run.command) {
    command.push_back(escape_image(arg));
  }
  j["command"] = std::move(command);
  j["pids"] = run.pids;
  j["system"] = run.system;
  j["monitored"] = run.monitored;
  j["duration_s"] = run.duration_s;
  j["exit_status"] = run.exit_status ? Json(*run.exit_status) : Json(nullptr);
  j["total_calls"] = detail::totals(table).calls;
  j["table"] = {{"max_syscalls", table.max_syscalls},
                {"max_entries", table.max_entries},
                {"evicted_syscalls", table.evicted.syscalls},
                {"evicted_entries", table.evicted.entries},
                {"evicted_calls", table.evicted.calls},
                {"lost_calls", table.evicted.lost}};
  Json syscalls = Json::array();
  for (const auto &g : detail::order_groups(table, opts)) {
    Json s;
    s["name"] = g.name;
    s["arch"] = g.arch;
    s["nr"] = g.row->syscall.nr;
    s["calls"] = g.row->calls;
    if (opts.errors) {
      s["errors"] = g.errors;
    }
    if (opts.time) {
      s["time_s"] = seconds(g.time_ns);
    }
    Json callers = Json::array();
    for (const EntrySnapshot *e : g.shown) {
      callers.push_back(caller_json(*e, opts));
    }
    s["callers"] = std::move(callers);
    if (g.hidden > 0) {
      s["more"] = g.hidden;
    }
    syscalls.push_back(std::move(s));
  }
  j["syscalls"] = std::move(syscalls);
  out << j.dump() << '\n';
}

void render_csv(std::ostream &out, const TableSnapshot &table,
                const RunInfo &run, const RenderOptions &opts) {
  out << "syscall,arch,image,uid," << (opts.by_pid ? "pid," : "") << "calls"
      << (opts.errors ? ",errors" : "") << (opts.time ? ",time_s" : "")
      << ",engine\r\n";
  for (const auto &g : detail::order_groups(table, opts)) {
    for (const EntrySnapshot *e : g.shown) {
      out << csv_field(g.name) << ',' << g.arch << ','
          << csv_field(escape_image(e->key.image)) << ',' << e->key.uid;
      if (opts.by_pid) {
        out << ',' << e->key.pid;
      }
      out << ',' << e->stats.calls;
      if (opts.errors) {
        out << ',' << e->stats.errors;
      }
      if (opts.time) {
        out << ',' << fmt::format("{:.9f}", seconds(e->stats.time_total_ns));
      }
      out << ',' << run.engine << "\r\n";
    }
  }
}

void render_openmetrics(std::ostream &out, const TableSnapshot &table,
                        const RunInfo &run, const RenderOptions &opts) {
  const auto groups = detail::order_groups(table, opts);
  // One counter family per measure, one sample per shown entry.
  const auto family = [&](std::string_view name, std::string_view help,
                          const auto &value) {
    metric_family(out, name, "counter", help);
    for (const auto &g : groups) {
      for (const EntrySnapshot *e : g.shown) {
        fmt::print(out, "{}_total{{{},engine=\"{}\"}} {}\n", name,
                   labels(g, *e, opts), run.engine, value(e->stats));
      }
    }
  };
  family("syscallmon_calls", "System calls made, by syscall, image and user.",
         [](const EntryStats &s) { return std::to_string(s.calls); });
  if (opts.errors) {
    family("syscallmon_errors",
           "System calls that failed, by syscall, image and user.",
           [](const EntryStats &s) { return std::to_string(s.errors); });
  }
  if (opts.time) {
    family("syscallmon_time_seconds", "Wall time spent inside system calls.",
           [](const EntryStats &s) {
             return fmt::format("{:.9f}", seconds(s.time_total_ns));
           });
  }
  const std::pair<const char *, std::uint64_t> evictions[] = {
      {"syscalls", table.evicted.syscalls},
      {"entries", table.evicted.entries},
      {"calls", table.evicted.calls}};
  for (const auto &[what, n] : evictions) {
    const std::string name = fmt::format("syscallmon_evicted_{}", what);
    metric_family(
        out, name, "counter",
        fmt::format("Table evictions: {} dropped to make room.", what));
    fmt::print(out, "{}_total{{engine=\"{}\"}} {}\n", name, run.engine, n);
  }
  metric_family(out, "syscallmon_lost_calls", "counter",
                "Calls not counted: the bpf engine's kernel map was full.");
  fmt::print(out, "syscallmon_lost_calls_total{{engine=\"{}\"}} {}\n",
             run.engine, table.evicted.lost);
  out << "# EOF\n";
}

void render_report(std::ostream &out, ReportFormat format,
                   const TableSnapshot &table, const RunInfo &run,
                   const RenderOptions &opts) {
  switch (format) {
  case ReportFormat::text:
    render_text(out, table, run, opts);
    return;
  case ReportFormat::json:
    render_json(out, table, run, opts);
    return;
  case ReportFormat::csv:
    render_csv(out, table, run, opts);
    return;
  case ReportFormat::openmetrics:
    render_openmetrics(out, table, run, opts);
    return;
  }
}

} // namespace syscallmon
