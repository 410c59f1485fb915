// Launch mode: fork, seize the child, install the seccomp filter in it and
// exec the command. Only the selected syscalls (and the few that change a
// thread's name or uid) stop the tracee; every other call runs at full speed.

#include <fcntl.h>
#include <grp.h>
#include <seccomp.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "syscallmon/result.hpp"
#include "syscallmon/signals.hpp"
#include "tracer_internal.hpp"

namespace syscallmon {
namespace {

using FilterPtr = std::unique_ptr<void, decltype(&seccomp_release)>;

FilterPtr new_filter(std::uint32_t scmp_arch) {
  FilterPtr ctx(seccomp_init(SCMP_ACT_ALLOW), &seccomp_release);
  if (!ctx) {
    throw FatalError(kExitFailure, "seccomp_init failed");
  }
  seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW);
  // As root no NO_NEW_PRIVS is needed, and setuid programs keep working
  // (strace issue #126); load_filter() sets it only if the kernel insists.
  seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0);
  if (scmp_arch != seccomp_arch_native()) {
    int rc = seccomp_arch_add(ctx.get(), scmp_arch);
    if (rc == 0) {
      rc = seccomp_arch_remove(ctx.get(), SCMP_ARCH_NATIVE);
    }
    if (rc < 0) {
      throw FatalError(kExitFailure,
                       fmt::format("seccomp_arch_add: {}", std::strerror(-rc)));
    }
  }
  return ctx;
}

// One arch's part of the filter: TRACE, with the call's arch and number as
// SECCOMP_RET_DATA (data 0 for big selections: rules_carry_data), for
// every syscall the tracer needs to see.
FilterPtr build_arch_filter(std::uint16_t arch,
                            const std::vector<std::uint8_t> &flags) {
  const bool with_data = rules_carry_data(flags);
  FilterPtr ctx = new_filter(traced_arches()[arch].scmp_arch);
  for (std::uint32_t nr = 0; nr < flags.size(); ++nr) {
    const std::uint8_t f = flags[nr];
    if (f == 0) {
      continue;
    }
    const SyscallKey key{arch, nr};
    // libseccomp takes the name's native (or pseudo) number and maps it.
    const int any_nr = seccomp_syscall_resolve_name(syscall_name(key).c_str());
    if (any_nr == __NR_SCMP_ERROR) {
      continue;
    }
    const std::uint32_t action =
        SCMP_ACT_TRACE(with_data ? encode_trace_data(key) : 0);
    int rc = 0;
    if (f == kRefreshComm) {
      // prctl only renames with PR_SET_NAME: let the rest run untraced.
      const scmp_arg_cmp set_name{0, SCMP_CMP_EQ, PR_SET_NAME, 0};
      rc = seccomp_rule_add_array(ctx.get(), action, any_nr, 1, &set_name);
    } else if (f == kWaitCall || f == kWaitIdCall) {
      // Only a wait that can block tells auto affinity anything.
      const scmp_arg_cmp blocking{f == kWaitIdCall ? 3U : 2U,
                                  SCMP_CMP_MASKED_EQ, WNOHANG, 0};
      rc = seccomp_rule_add_array(ctx.get(), action, any_nr, 1, &blocking);
    } else {
      rc = seccomp_rule_add(ctx.get(), action, any_nr, 0);
    }
    if (rc < 0 && rc != -EEXIST) {
      spdlog::debug("seccomp rule for {}: {}", syscall_name(key),
                    std::strerror(-rc));
    }
  }
  return ctx;
}

// The filter: ALLOW by default, TRACE for the syscalls the tracer needs,
// for the native and the i386 compat arch. A syscall of any other arch
// (x32) is allowed rather than killed. Each arch is built on its own, so
// its rules carry its own RET_DATA, then merged into one program.
FilterPtr build_filter(const std::vector<std::vector<std::uint8_t>> &flags) {
  if (flags.size() > kTraceDataArchLimit) {
    throw FatalError(kExitFailure, "too many arches for SECCOMP_RET_DATA");
  }
  FilterPtr ctx = build_arch_filter(0, flags[0]);
  for (std::size_t i = 1; i < flags.size(); ++i) {
    const auto arch = static_cast<std::uint16_t>(i);
    FilterPtr part = build_arch_filter(arch, flags[arch]);
    if (const int rc = seccomp_merge(ctx.get(), part.get()); rc < 0) {
      throw FatalError(kExitFailure, fmt::format("seccomp_merge {}: {}",
                                                 traced_arches()[arch].name,
                                                 std::strerror(-rc)));
    }
    static_cast<void>(part.release()); // seccomp_merge freed it
  }
  // The kernel's own errno from seccomp_load: libseccomp 2.5 otherwise
  // reports every kernel error as ECANCELED.
  seccomp_attr_set(ctx.get(), SCMP_FLTATR_API_SYSRAWRC, 1);
  return ctx;
}

// In the child: load the filter, with NO_NEW_PRIVS only if required.
int load_filter(void *ctx) {
  int rc = seccomp_load(ctx);
  // The kernel says EACCES without CAP_SYS_ADMIN. Only a libseccomp that
  // could not give raw errors says ECANCELED for it (and for any other).
  std::uint32_t raw = 0;
  seccomp_attr_get(ctx, SCMP_FLTATR_API_SYSRAWRC, &raw);
  if (rc == -EACCES || (raw == 0 && rc == -ECANCELED)) {
    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1);
    rc = seccomp_load(ctx);
  }
  return rc;
}

// Whether a file the kernel would not execute may be a shell script: not
// an ELF file (another arch, or corrupt) and no NUL byte in its first line,
// bash's test. In the child: only open, read and close.
bool looks_like_text(const char *path) {
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return false;
  }
  char head[80];
  const ssize_t n = ::read(fd, head, sizeof head);
  ::close(fd);
  static constexpr char kElfMagic[] = {'\x7f', 'E', 'L', 'F'};
  if (n < 0 || (n >= 4 && std::memcmp(head, kElfMagic, 4) == 0)) {
    return false;
  }
  for (ssize_t i = 0; i < n && head[i] != '\n'; ++i) {
    if (head[i] == '\0') {
      return false;
    }
  }
  return true;
}

// In the child, after fork: never returns.
[[noreturn]] void exec_child(void *filter, const char *path, char *const *argv,
                             char *const *sh_argv,
                             const std::optional<RunAs> &run_as,
                             const cpu_set_t *mask, int error_fd) {
  reset_signal_handlers();
  if (mask != nullptr) {
    sched_setaffinity(0, sizeof *mask, mask);
  }
  // Wait, stopped, until the tracer has seized us: a filtered call made
  // with no tracer attached would fail with ENOSYS.
  ::kill(::getpid(), SIGSTOP);
  int err = 0;
  LaunchStep step = LaunchStep::exec;
  if (const int rc = load_filter(filter); rc < 0) {
    err = -rc;
    step = LaunchStep::filter;
  } else if (run_as &&
             (::setgroups(run_as->groups.size(), run_as->groups.data()) < 0 ||
              ::setgid(run_as->gid) < 0 || ::setuid(run_as->uid) < 0)) {
    err = errno;
    step = LaunchStep::credentials;
  } else {
    ::execve(path, argv, environ);
    err = errno;
    if (err == ENOEXEC && looks_like_text(path)) {
      // A script without "#!": run it with /bin/sh, as execvp, env and
      // perf do.
      ::execve(sh_argv[0], sh_argv, environ);
      err = ENOEXEC; // report the command's error, not the shell's
    }
  }
  const int code = (err == ENOENT) ? kExitNotFound : kExitNotExecutable;
  const int report[2] = {err, static_cast<int>(step)};
  [[maybe_unused]] ssize_t n = ::write(error_fd, report, sizeof report);
  ::_exit(code);
}

} // namespace

bool rules_carry_data(const std::vector<std::uint8_t> &flags) {
  constexpr std::ptrdiff_t kMaxRulesWithData = 128;
  return std::count_if(flags.begin(), flags.end(), [](std::uint8_t f) {
           return f != 0;
         }) <= kMaxRulesWithData;
}

void Tracer::launch() {
  FilterPtr filter = build_filter(flags_);
  std::vector<char *> argv;
  for (const auto &arg : config_.argv) {
    argv.push_back(const_cast<char *>(arg.c_str()));
  }
  argv.push_back(nullptr);
  // Built before fork: "/bin/sh PATH ARGS..." for a script without "#!".
  std::string shell = "/bin/sh";
  std::vector<char *> sh_argv = {shell.data(),
                                 const_cast<char *>(config_.exec_path.c_str())};
  sh_argv.insert(sh_argv.end(), argv.begin() + 1, argv.end());

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) < 0) {
    throw FatalError(kExitFailure,
                     fmt::format("pipe: {}", std::strerror(errno)));
  }
  UniqueFd read_end(pipe_fds[0]);
  UniqueFd write_end(pipe_fds[1]);

  const pid_t pid = ::fork();
  if (pid < 0) {
    throw FatalError(kExitFailure,
                     fmt::format("fork: {}", std::strerror(errno)));
  }
  if (pid == 0) {
    exec_child(filter.get(), config_.exec_path.c_str(), argv.data(),
               sh_argv.data(), config_.run_as, affinity_.child_mask(),
               write_end.get());
  }
  write_end.reset();
  exec_error_fd_ = std::move(read_end);
  command_pid_ = pid;

  int raw = 0;
  pid_t waited = 0;
  do { // our handlers have no SA_RESTART: a signal may interrupt the wait
    waited = ::waitpid(pid, &raw, WSTOPPED);
  } while (waited < 0 && errno == EINTR);
  if (waited < 0 || !WIFSTOPPED(raw)) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    throw FatalError(kExitFailure, "the child did not stop before exec");
  }
  // EXITKILL: a filtered tracee must never outlive its tracer.
  if (::ptrace(PTRACE_SEIZE, pid, nullptr,
               tracer_options() | PTRACE_O_EXITKILL) < 0) {
    const int err = errno;
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    throw FatalError(kExitFailure,
                     fmt::format("ptrace(PTRACE_SEIZE) on the command: {}",
                                 std::strerror(err)));
  }
  Task &task = tasks_[pid];
  task.tid = pid;
  task.tgid = pid;
  task.seccomp = true;
  task.counting = false; // the tracer's own pre-exec calls are not counted
  affinity_.start();
  ::kill(pid, SIGCONT);
}

void Tracer::read_launch_error() {
  // {errno, LaunchStep} from the child; nothing (EOF) after a good exec.
  int report[2] = {0, 0};
  if (exec_error_fd_.valid() &&
      ::read(exec_error_fd_.get(), report, sizeof report) == sizeof report) {
    result_.exec_errno = report[0];
    result_.failed_step = static_cast<LaunchStep>(report[1]);
  }
}

} // namespace syscallmon
