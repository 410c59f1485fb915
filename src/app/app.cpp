#include "syscallmon/app.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>
#include <iostream>
#include <sstream>

#include "live_session.hpp"
#include "syscallmon/bpf_engine.hpp"
#include "syscallmon/escape.hpp"
#include "syscallmon/output.hpp"
#include "syscallmon/proc_info.hpp"
#include "syscallmon/ptrace_engine.hpp"
#include "syscallmon/report.hpp"
#include "syscallmon/signals.hpp"
#include "syscallmon/syscalls.hpp"
#include "syscallmon/version.hpp"

namespace syscallmon {
namespace {

void setup_logging(int verbosity) {
  auto logger = spdlog::stderr_color_mt("syscallmon");
  logger->set_pattern("syscallmon: %^%l%$: %v");
  spdlog::set_default_logger(logger);
  switch (verbosity) {
  case -1:
    spdlog::set_level(spdlog::level::err);
    break;
  case 0:
    spdlog::set_level(spdlog::level::warn);
    break;
  case 1:
    spdlog::set_level(spdlog::level::info);
    break;
  default:
    spdlog::set_level(spdlog::level::debug);
    break;
  }
}

std::string version_text() {
  return fmt::format("syscallmon {} (libseccomp {})\n", kVersion,
                     libseccomp_version());
}

int list_syscalls(const std::string &cls) {
  if (cls.empty()) {
    for (const auto &name : all_syscall_names()) {
      std::cout << name << '\n';
    }
    return kExitOk;
  }
  auto members = syscall_class_members(cls);
  if (!members) {
    throw FatalError(kExitUsage, members.error().message);
  }
  for (const auto &name : *members) {
    std::cout << name << '\n';
  }
  return kExitOk;
}

// Finds the command like execvp would; exits 127/126 as a shell does.
std::string resolve_command(const std::string &name) {
  const auto check = [&](const std::string &path) -> int {
    struct stat st {};
    if (::stat(path.c_str(), &st) < 0) {
      return ENOENT;
    }
    if (S_ISDIR(st.st_mode) || ::access(path.c_str(), X_OK) < 0) {
      return EACCES;
    }
    return 0;
  };
  if (name.empty()) {
    throw FatalError(kExitNotFound, "'': command not found");
  }
  if (name.find('/') != std::string::npos) {
    const int err = check(name);
    if (err == ENOENT) {
      throw FatalError(kExitNotFound, name + ": No such file or directory");
    }
    if (err != 0) {
      throw FatalError(kExitNotExecutable, name + ": Permission denied");
    }
    return name;
  }
  const char *env = std::getenv("PATH");
  const std::string path_var = env ? env : "/usr/local/bin:/usr/bin:/bin";
  bool denied = false;
  std::size_t pos = 0;
  while (pos <= path_var.size()) {
    const std::size_t colon =
        std::min(path_var.find(':', pos), path_var.size());
    std::string dir = path_var.substr(pos, colon - pos);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    const int err = check(candidate);
    if (err == 0) {
      return candidate;
    }
    denied = denied || err == EACCES;
    pos = colon + 1;
  }
  if (denied) {
    throw FatalError(kExitNotExecutable, name + ": Permission denied");
  }
  throw FatalError(kExitNotFound, name + ": command not found");
}

// A user name, or a numeric uid as setpriv and sudo '#uid' take it; a uid
// with no passwd entry runs with gid = uid and no supplementary groups.
RunAs resolve_user(const std::string &user) {
  const passwd *pw = ::getpwnam(user.c_str());
  if (pw == nullptr && !user.empty() && user.size() <= 10 &&
      user.find_first_not_of("0123456789") == std::string::npos) {
    const unsigned long id = std::stoul(user);
    if (id >= static_cast<uid_t>(-1)) {
      throw FatalError(kExitUsage, fmt::format("invalid uid '{}'", user));
    }
    pw = ::getpwuid(static_cast<uid_t>(id));
    if (pw == nullptr) {
      const auto uid = static_cast<uid_t>(id);
      return RunAs{uid, static_cast<gid_t>(uid), {}};
    }
  }
  if (pw == nullptr) {
    throw FatalError(kExitUsage, fmt::format("unknown user '{}'", user));
  }
  RunAs ids{pw->pw_uid, pw->pw_gid, {}};
  int n = 64;
  ids.groups.resize(static_cast<std::size_t>(n));
  if (::getgrouplist(pw->pw_name, pw->pw_gid, ids.groups.data(), &n) < 0) {
    ids.groups.resize(static_cast<std::size_t>(n));
    ::getgrouplist(pw->pw_name, pw->pw_gid, ids.groups.data(), &n);
  }
  ids.groups.resize(static_cast<std::size_t>(n));
  return ids;
}

std::size_t table_rows(const Options &o, std::size_t selected) {
  constexpr std::size_t kPaperRows = 16;
  if (o.max_syscalls) {
    if (*o.max_syscalls < selected) {
      spdlog::warn("{} system calls selected but --max-syscalls is {}: the "
                   "oldest rows will be evicted",
                   selected, *o.max_syscalls);
    }
    return *o.max_syscalls;
  }
  if (selected > kPaperRows) {
    spdlog::info("table grown to {} rows to fit the selection", selected);
    return selected;
  }
  return kPaperRows;
}

int exit_code_of(int status) {
  if (WIFEXITED(status)) {
    return WEXITSTATUS(status);
  }
  if (WIFSIGNALED(status)) {
    return 128 + WTERMSIG(status);
  }
  return kExitFailure;
}

std::string utc_timestamp() {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      now.time_since_epoch()) %
                  1000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z",
                     fmt::gmtime(std::chrono::system_clock::to_time_t(now)),
                     ms.count());
}

} // namespace

namespace {

// How long a stats file rewrite waits for a slow FIFO reader before it is
// dropped: it runs inside the tracer loop, so the tracees wait too.
constexpr std::chrono::milliseconds kStatsStall{250};

// Renders reports to the report stream (stderr or -o FILE) and keeps the
// --stats-file files up to date, each in its own format.
class Reporter {
 public:
  Reporter(const Options &o, RunInfo run, RenderOptions render)
      : options_(o), run_(std::move(run)), render_(std::move(render)),
        start_(std::chrono::steady_clock::now()),
        stats_file_failed_(o.stats_files.size(), false) {
    if (o.output) {
      auto file = AtomicFile::create(*o.output);
      if (!file) {
        throw FatalError(kExitFailure, file.error().message);
      }
      output_.emplace(std::move(*file));
    }
  }

  // Whether a request asks for a live report (SIGUSR1, the timer).
  static bool wants_snapshot(const SignalRequests &req) {
    return req.snapshot || req.tick;
  }

  // While the live view (--live) owns the terminal, live reports go to
  // the stats file only: the screen shows them.
  void leave_snapshots_to_screen() { screen_ = true; }

  // Writes the live report a request asks for (SIGUSR1 or the timer).
  void publish(const SignalRequests &req, const TableSnapshot &table) {
    const bool to_stream =
        !screen_ && ((req.tick && options_.interval) ||
                     (req.snapshot && options_.stats_files.empty()));
    const bool to_file =
        !options_.stats_files.empty() && (req.tick || req.snapshot);
    if (to_stream) {
      to_report_stream(render(table, true, options_.format));
    }
    if (to_file) {
      update_stats_files(table);
    }
  }

  // The report at exit; commits -o FILE unless a write to it failed (the
  // old FILE then stays whole). False if the report was not delivered.
  bool finish(const TableSnapshot &table, std::optional<int> exit_status) {
    run_.exit_status = exit_status;
    to_report_stream(render(table, false, options_.format));
    update_stats_files(table);
    if (output_ && !report_failed_) {
      if (auto err = output_->commit()) {
        spdlog::error("cannot write the report: {}",
                      escape_controls(err->message));
        return false;
      }
    }
    return !report_failed_;
  }

 private:
  std::string render(const TableSnapshot &table, bool live,
                     ReportFormat format) {
    RunInfo run = run_;
    run.duration_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_)
            .count();
    if (live) {
      run.timestamp = utc_timestamp();
    }
    std::ostringstream out;
    render_report(out, format, table, run, render_);
    return out.str();
  }

  void to_report_stream(const std::string &text) {
    const auto err = output_ ? output_->write(text) : write_all(2, text);
    if (err && !report_failed_) {
      report_failed_ = true;
      spdlog::error("cannot write the report: {}",
                    escape_controls(err->message));
    }
  }

  void update_stats_files(const TableSnapshot &table) {
    for (std::size_t i = 0; i < options_.stats_files.size(); ++i) {
      const StatsFile &file = options_.stats_files[i];
      const std::string text =
          render(table, true, file.format.value_or(options_.format));
      // A stuck reader of a FIFO costs this rewrite, not the tracees' time.
      if (auto err = write_file_atomically(file.path, text, kStatsStall)) {
        if (!stats_file_failed_[i]) {
          stats_file_failed_[i] = true; // logged once; tracing goes on
          spdlog::warn("cannot update the stats file: {}",
                       escape_controls(err->message));
        }
      }
    }
  }

  const Options &options_;
  RunInfo run_;
  RenderOptions render_;
  std::chrono::steady_clock::time_point start_;
  std::optional<AtomicFile> output_;
  bool report_failed_ = false;
  std::vector<bool> stats_file_failed_; // one per --stats-file
  bool screen_ = false;
};

// -p with the id of a thread means its process, as with strace -f -p: the
// thread's /proc/TID/task lists them all anyway. The report names the
// process.
std::vector<pid_t> process_ids(const std::vector<pid_t> &pids) {
  std::vector<pid_t> out;
  for (pid_t pid : pids) {
    const auto st = read_status(pid);
    if (st && st->tgid > 0 && st->tgid != pid) {
      spdlog::info("{} is a thread of process {}: tracing all its threads", pid,
                   st->tgid);
      pid = st->tgid;
    }
    if (std::find(out.begin(), out.end(), pid) == out.end()) {
      out.push_back(pid);
    }
  }
  return out;
}

EngineConfig engine_config(const Options &o, SyscallSelection selection) {
  EngineConfig cfg;
  cfg.selection = std::move(selection);
  cfg.argv = o.command;
  if (!o.command.empty()) {
    cfg.exec_path = resolve_command(o.command.front());
  }
  cfg.attach_pids = process_ids(o.pids);
  cfg.system_wide = o.system;
  cfg.count = {o.errors, o.time, o.by_pid};
  if (o.user) {
    cfg.run_as = resolve_user(*o.user);
  }
  return cfg;
}

// Why the command never ran: its own exec (126/127, as a shell says), or
// our filter or -u step before it (1).
FatalError launch_error(const Options &o, const EngineConfig &cfg,
                        const LaunchFailure &failure) {
  const char *why = std::strerror(failure.err);
  switch (failure.step) {
  case LaunchStep::filter:
    return {
        kExitFailure,
        fmt::format("cannot load the seccomp filter in the command: {}", why)};
  case LaunchStep::credentials:
    return {kExitFailure,
            fmt::format("cannot run the command as user {}: {}{}",
                        o.user.value_or("?"), why,
                        failure.err == EPERM ? " (-u needs root)" : "")};
  case LaunchStep::exec:
    break;
  }
  return {failure.err == ENOENT ? kExitNotFound : kExitNotExecutable,
          fmt::format("cannot run {}: {}", cfg.exec_path, why)};
}

// The live view's part of a wake-up: keys (c clears, q stops the run),
// a resize, and a new snapshot on the timer or SIGUSR1, returned for the
// reporter to use too (under bpf a snapshot swaps the kernel's maps).
std::optional<TableSnapshot>
drive_live(Engine &engine, const SignalRequests &req, LiveSession &live) {
  // Keys are read at every wake-up, not only on SIGIO: one that lands
  // while the last is taken, or keys past one read's share (a paste),
  // would otherwise wait for the next key. The read never blocks.
  const LiveSession::Keys keys = live.read_keys();
  if (keys.clear) {
    engine.clear();
    spdlog::info("counts cleared (c)");
  }
  if (keys.quit) {
    engine.stop(live.quit_signal(), Engine::Reach::launched);
  }
  if (req.resize) {
    live.resize();
  }
  std::optional<TableSnapshot> taken;
  if (keys.clear || req.clear ||
      ((req.tick || req.snapshot) && !live.paused())) {
    taken = engine.snapshot();
    live.update(*taken, keys.clear || req.clear);
  } else if (keys.redraw) {
    live.redraw();
  }
  return taken;
}

// The run loop: the engine counts until a signal arrives, and the policy
// for each request lives here, once for every engine. Keys typed in the
// live view arrive as SIGIO: a wake-up like any signal, so reading them
// costs the tracing nothing while none are typed.
EngineResult drive(Engine &engine, const EngineConfig &cfg, Reporter &reporter,
                   LiveSession *live) {
  while (engine.run()) {
    const SignalRequests req = take_signal_requests();
    if (req.clear) {
      engine.clear();
      spdlog::info("counts cleared (SIGUSR2)");
    }
    // SIGINT is not forwarded in launch mode (the terminal sent it to the
    // command already), but with -p it still detaches, as --help says.
    if (req.terminate != 0 || (req.interrupt && !cfg.attach_pids.empty())) {
      engine.stop(req.terminate, Engine::Reach::command);
    }
    std::optional<TableSnapshot> taken;
    if (live != nullptr) {
      taken = drive_live(engine, req, *live);
    }
    if (Reporter::wants_snapshot(req)) {
      reporter.publish(req, taken ? *taken : engine.snapshot());
    }
  }
  return engine.result();
}

} // namespace

int run_app(const Options &options) {
  Options o = options; // --live may fall back to --interval
  setup_logging(o.verbosity);
  switch (o.action) {
  case Action::help:
    std::cout << help_text();
    return kExitOk;
  case Action::version:
    std::cout << version_text();
    return kExitOk;
  case Action::list_syscalls:
    return list_syscalls(o.list_class);
  case Action::run:
    break;
  }
  // First: a SIGINT or SIGTERM sent just after start must not kill us by
  // default action (it is acted on once the run begins).
  install_signal_handlers(!o.command.empty());
  auto selection = parse_syscall_list(o.syscalls);
  if (!selection) {
    throw FatalError(kExitUsage, selection.error().message);
  }
  const EngineConfig cfg = engine_config(o, std::move(*selection));
  StatsTable table(table_rows(o, cfg.selection.names.size()), o.max_entries);

  RunInfo run;
  run.engine = engine_name(o.engine);
  run.command = o.command;
  run.pids.assign(cfg.attach_pids.begin(), cfg.attach_pids.end());
  run.system = o.system;
  run.monitored = cfg.selection.names;
  RenderOptions render;
  render.bar_width = o.bar_width;
  render.sort = o.sort;
  render.top = o.top;
  render.errors = cfg.count.errors;
  render.time = cfg.count.time;
  render.by_pid = cfg.count.by_pid;
  render.syscall_name = syscall_name;
  Reporter reporter(o, std::move(run), render);
  std::unique_ptr<LiveSession> live;
  if (o.live) {
    live = open_live_view(cfg, engine_name(o.engine), render, o.sort);
    if (live) {
      live->update(table.snapshot(), true); // the table's size, empty
      reporter.leave_snapshots_to_screen();
    } else {
      o.interval = o.interval.value_or(1.0);
    }
  }

  if (o.interval || !o.stats_files.empty() || live) {
    start_interval_timer(o.interval.value_or(1.0));
  }
  const auto engine = o.engine == EngineKind::bpf
                          ? start_bpf_engine(cfg, table)
                          : start_ptrace_engine(cfg, o.affinity, table);
  const EngineResult result = drive(*engine, cfg, reporter, live.get());
  const bool quit = live && live->quit_requested();
  if (live) {
    live->close(); // the report and any error go to a sane terminal
  }
  if (result.launch) {
    throw launch_error(o, cfg, *result.launch);
  }
  std::optional<int> status;
  if (result.command_status) {
    status = exit_code_of(*result.command_status);
  }
  const bool delivered = reporter.finish(engine->snapshot(), status);
  rusage self{};
  if (::getrusage(RUSAGE_SELF, &self) == 0) {
    // Ours alone: a wait4 rusage would include the reaped command's.
    spdlog::info("peak RSS {} KiB", self.ru_maxrss);
  }
  // q is the user ending the run: a success when its own SIGTERM or
  // SIGKILL ended the command (the report still has the status); a status
  // the command gave itself (it had exited before, or it caught q's
  // SIGTERM and failed) stays.
  const bool ended_by_quit = quit && result.command_status &&
                             WIFSIGNALED(*result.command_status) &&
                             (WTERMSIG(*result.command_status) == SIGTERM ||
                              WTERMSIG(*result.command_status) == SIGKILL);
  const int code = quit && (!result.command_status || ended_by_quit)
                       ? kExitOk
                       : status.value_or(kExitOk);
  // A lost report fails the run, but a failed command's status wins.
  return !delivered && code == kExitOk ? kExitFailure : code;
}

} // namespace syscallmon
