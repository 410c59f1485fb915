// The bpf engine's user side: loads the program, puts the launched child
// and the -p processes in its traced set, and drains its staging map into
// the stats table while waiting for the run to end.

#include "syscallmon/bpf_engine.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <set>
#include <string>

#include "engine/attach_target.hpp"
#include "engine/child.hpp"
#include "engine/forward_signal.hpp"
#include "program.hpp"
#include "syscallmon/signals.hpp"
#include "syscallmon/unique_fd.hpp"

namespace syscallmon {
namespace {

// How often the loop looks at the staging map and the traced set.
constexpr int kPollMs = 100;

bool has_capability(const __user_cap_data_struct (&data)[2], int cap) {
  return (data[cap / 32].effective & (1U << (cap % 32))) != 0;
}

// One line naming what is missing, before libbpf gets to say it worse.
void check_privileges(bool system_wide) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  if (::syscall(SYS_capget, &header, data) != 0) {
    return; // let the load say what is wrong
  }
  const bool bpf_perfmon =
      has_capability(data, CAP_BPF) && has_capability(data, CAP_PERFMON);
  if (!bpf_perfmon && !has_capability(data, CAP_SYS_ADMIN)) {
    if (system_wide) {
      throw FatalError(kExitFailure, "--system needs CAP_BPF and CAP_PERFMON "
                                     "(run it as root)");
    }
    throw FatalError(kExitFailure,
                     "--engine bpf needs CAP_BPF and CAP_PERFMON (run it as "
                     "root); the ptrace engine needs neither");
  }
}

// The program compares the kernel's global pids (bpf_get_current_pid_tgid)
// with those syscallmon knows, which are its own PID namespace's: in any
// namespace but the initial one (a container) nothing would be counted
// and the run would never end. The initial namespace's inode is a kernel
// constant (PROC_PID_INIT_INO, include/linux/proc_ns.h, since 3.8).
void check_pid_namespace(bool system_wide) {
  constexpr ino_t kInitialPidNamespace = 0xEFFFFFFCU;
  struct stat st {};
  if (::stat("/proc/self/ns/pid", &st) != 0) {
    return; // no /proc: the launch or attach will say what is wrong
  }
  if (st.st_ino != kInitialPidNamespace) {
    if (system_wide) {
      throw FatalError(kExitFailure,
                       "--system needs the initial PID namespace and "
                       "syscallmon runs in another one (a container)");
    }
    throw FatalError(kExitFailure,
                     "--engine bpf needs the initial PID namespace and "
                     "syscallmon runs in another one (a container); the "
                     "ptrace engine works there");
  }
}

// A map size from the environment (tests shrink the maps); 0 if unset.
std::uint32_t map_entries(const char *name) {
  const char *env = std::getenv(name);
  if (env == nullptr || *env == '\0') {
    return 0;
  }
  char *end = nullptr;
  const unsigned long n = std::strtoul(env, &end, 10);
  if (*end != '\0' || n == 0 || n > (1U << 24)) {
    throw FatalError(
        kExitUsage,
        fmt::format("{}: '{}' is not a size from 1 to 16777216", name, env));
  }
  return static_cast<std::uint32_t>(n);
}

class BpfEngine final : public Engine {
 public:
  BpfEngine(EngineConfig config, std::unique_ptr<BpfProgram> program,
            StatsTable &table)
      : Engine(table), config_(std::move(config)),
        program_(std::move(program)) {}

  void launch();
  void attach_all();
  bool run() override;
  void stop(int sig, Reach reach) override;
  EngineResult result() const override { return result_; }

 protected:
  void flush() override;

 private:
  void reap_command();
  bool done() const;
  std::set<pid_t> signal_targets(Reach reach) const;

  EngineConfig config_;
  std::unique_ptr<BpfProgram> program_;
  std::optional<CommandChild> child_;
  UniqueFd child_pidfd_;
  bool command_running_ = false;
  bool stopped_ = false; // attached processes and the system left
  std::uint64_t lost_seen_ = 0;
  std::uint64_t orphans_seen_ = 0;
  bool drain_warned_ = false; // a failed drain is said once
  bool drain_failed_ = false; // the last drain left records behind
  EngineResult result_;
};

void BpfEngine::launch() {
  int go[2];
  if (::pipe2(go, O_CLOEXEC) != 0) {
    throw FatalError(kExitFailure,
                     fmt::format("pipe: {}", std::strerror(errno)));
  }
  UniqueFd go_read(go[0]);
  UniqueFd go_write(go[1]);
  ChildHooks hooks;
  // The child runs nothing until it is in the traced set: its exec is then
  // seen, and it counts from there on (as under ptrace).
  hooks.wait_until_counted = [&] {
    go_write.reset();
    char byte = 0;
    return ::read(go_read.get(), &byte, 1) == 1;
  };
  hooks.before_exec = [] { return 0; };
  child_.emplace(CommandChild::start(config_, hooks));
  go_read.reset();
  const pid_t pid = child_->pid();
  if (!program_->add_member(pid, false, false)) {
    throw FatalError(kExitFailure, fmt::format("cannot trace pid {}: {}", pid,
                                               std::strerror(errno)));
  }
  // (glibc 2.36's <sys/pidfd.h> lacks extern "C": the raw syscall.)
  child_pidfd_.reset(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  const char byte = 1;
  if (::write(go_write.get(), &byte, 1) != 1) {
    throw FatalError(kExitFailure, fmt::format("cannot start the command: {}",
                                               std::strerror(errno)));
  }
  command_running_ = true;
}

void BpfEngine::attach_all() {
  for (const pid_t pid : config_.attach_pids) {
    check_attach_target(pid);
  }
  for (const pid_t pid : config_.attach_pids) {
    if (!program_->add_member(pid, true, true)) {
      throw attach_error(pid, std::strerror(errno));
    }
    // A process that exited after its check left before the exit program
    // could take it out of the set, where it would keep the run going.
    if (has_exited(pid)) {
      program_->remove_member(pid);
      spdlog::warn("pid {} exited before it could be counted", pid);
      continue;
    }
    spdlog::info("counting pid {}", pid);
  }
}

void BpfEngine::reap_command() {
  int status = 0;
  const pid_t pid = child_->pid();
  const pid_t rc = ::waitpid(pid, &status, WNOHANG);
  if (rc == pid) {
    command_running_ = false;
    child_->release();
    result_.command_status = status;
    result_.launch = child_->launch_failure();
    if (result_.launch) {
      result_.command_status.reset();
    }
  } else if (rc < 0 && errno == ECHILD) {
    command_running_ = false;
    child_->release();
  }
}

bool BpfEngine::done() const {
  if (command_running_) {
    return false;
  }
  if (config_.system_wide) {
    // With a command, the machine is counted while it runs (perf stat -a).
    return stopped_ || !config_.argv.empty();
  }
  return program_->no_members();
}

bool BpfEngine::run() {
  for (;;) {
    if (command_running_) {
      reap_command();
    }
    if (signals_pending()) {
      return true;
    }
    if (done()) {
      flush();
      // What a failed drain left is in the map that is active again after
      // the next swap: two more drains take both maps.
      for (int retry = 0; retry < 2 && drain_failed_; ++retry) {
        flush();
        flush();
      }
      if (drain_failed_) {
        spdlog::warn("counts left in the kernel's staging map are not in "
                     "the report");
      }
      return false;
    }
    // Drained before it can fill, and at every snapshot and the end.
    if (program_->staged_keys() > program_->staging_capacity() / 2) {
      flush();
    }
    pollfd fds[1] = {{child_pidfd_.get(), POLLIN, 0}};
    const nfds_t n = command_running_ && child_pidfd_.valid() ? 1 : 0;
    ::poll(fds, n, kPollMs); // EINTR: a signal, seen at the top
  }
}

std::set<pid_t> BpfEngine::signal_targets(Reach reach) const {
  std::set<pid_t> targets;
  if (command_running_) {
    targets.insert(child_->pid());
  }
  if (config_.system_wide) {
    // The set is not kept in system mode (no exit prunes it): its pids may
    // be reused by now. The run ends with the command anyway.
    return targets;
  }
  if (!command_running_ || reach == Reach::launched) {
    // Once the command is gone, to what it left behind, which would
    // otherwise keep the run going.
    for (const auto &m : program_->members()) {
      if (!m.attached) {
        targets.insert(m.tgid);
      }
    }
  }
  return targets;
}

void BpfEngine::stop(int sig, Reach reach) {
  if (sig != 0 && !config_.argv.empty()) {
    forward_signal(sig, signal_targets(reach));
  }
  if (stopped_) {
    return;
  }
  stopped_ = true;
  // The -p processes and their children are left alone from now on.
  program_->remove_attached();
}

void BpfEngine::flush() {
  // Once the command and every process it left have exited, nothing writes
  // to the staging map any more: drain it without the swap's wait.
  const bool quiescent =
      !command_running_ && !config_.system_wide && program_->no_members();
  auto drain = program_->take_staged(quiescent);
  apply_staged(drain.records, table_);
  drain_failed_ = !drain.complete;
  if (!drain.error.empty() && !drain_warned_) {
    // Not fatal: what was read is counted, and what was not stays in the
    // kernel for the next drain.
    drain_warned_ = true;
    spdlog::warn("{}; {}", drain.error,
                 drain.complete ? "the records were read one by one instead"
                                : "the counts not read yet are read at the "
                                  "next drain");
  }
  const std::uint64_t lost = program_->lost_calls();
  if (lost > lost_seen_) {
    table_.count_lost(lost - lost_seen_);
    lost_seen_ = lost;
  }
  if (const std::uint64_t orphans = program_->orphans();
      orphans > orphans_seen_) {
    orphans_seen_ = orphans;
    spdlog::warn("{} processes not followed so far (their pid is beyond "
                 "kernel.pid_max as it was at start): their calls are not "
                 "counted",
                 orphans);
  }
}

} // namespace

bool bpf_engine_built() { return true; }

std::unique_ptr<Engine> start_bpf_engine(const EngineConfig &config,
                                         StatsTable &table) {
  check_privileges(config.system_wide);
  check_pid_namespace(config.system_wide);
  auto offsets = read_kernel_offsets();
  if (!offsets) {
    throw FatalError(kExitFailure,
                     fmt::format("--engine bpf: {}", offsets.error().message));
  }
  ProgramConfig pc;
  pc.selection = &config.selection;
  pc.count = config.count;
  pc.system_wide = config.system_wide;
  pc.offsets = *offsets;
  pc.staging_entries = map_entries("SYSCALLMON_BPF_STAGING_ENTRIES");
  auto program = BpfProgram::load(pc);
  if (!program) {
    throw FatalError(kExitFailure, program.error().message);
  }
  auto engine = std::make_unique<BpfEngine>(config, std::move(*program), table);
  if (!config.attach_pids.empty()) {
    engine->attach_all();
  }
  if (!config.argv.empty()) {
    engine->launch();
  }
  return engine;
}

} // namespace syscallmon
