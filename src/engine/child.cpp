#include "engine/child.hpp"

#include <csignal>
#include <fcntl.h>
#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "syscallmon/result.hpp"
#include "syscallmon/signals.hpp"

namespace syscallmon {
namespace {

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

// The command's argv, and "/bin/sh PATH ARGS..." for a script without
// "#!": built before fork, so the child only calls execve.
struct ExecArgs {
  std::vector<char *> argv;
  std::string shell = "/bin/sh";
  std::vector<char *> sh_argv;

  explicit ExecArgs(const EngineConfig &config) {
    for (const auto &arg : config.argv) {
      argv.push_back(const_cast<char *>(arg.c_str()));
    }
    argv.push_back(nullptr);
    sh_argv = {shell.data(), const_cast<char *>(config.exec_path.c_str())};
    sh_argv.insert(sh_argv.end(), argv.begin() + 1, argv.end());
  }
};

// In the child, after fork: never returns.
[[noreturn]] void child_main(const EngineConfig &config, const ExecArgs &args,
                             const ChildHooks &hooks, int error_fd) {
  reset_signal_handlers();
  if (hooks.wait_until_counted && !hooks.wait_until_counted()) {
    ::_exit(kExitFailure);
  }
  int err = 0;
  LaunchStep step = LaunchStep::exec;
  const auto &run_as = config.run_as;
  if (const int rc = hooks.before_exec ? hooks.before_exec() : 0; rc != 0) {
    err = rc;
    step = LaunchStep::filter;
  } else if (run_as &&
             (::setgroups(run_as->groups.size(), run_as->groups.data()) < 0 ||
              ::setgid(run_as->gid) < 0 || ::setuid(run_as->uid) < 0)) {
    err = errno;
    step = LaunchStep::credentials;
  } else {
    const char *path = config.exec_path.c_str();
    ::execve(path, args.argv.data(), environ);
    err = errno;
    if (err == ENOEXEC && looks_like_text(path)) {
      // A script without "#!": run it with /bin/sh, as execvp, env and
      // perf do.
      ::execve(args.sh_argv[0], args.sh_argv.data(), environ);
      err = ENOEXEC; // report the command's error, not the shell's
    }
  }
  const int code = (err == ENOENT) ? kExitNotFound : kExitNotExecutable;
  const int report[2] = {err, static_cast<int>(step)};
  [[maybe_unused]] ssize_t n = ::write(error_fd, report, sizeof report);
  ::_exit(code);
}

} // namespace

CommandChild CommandChild::start(const EngineConfig &config,
                                 const ChildHooks &hooks) {
  const ExecArgs args(config);
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
    child_main(config, args, hooks, write_end.get());
  }
  return {pid, std::move(read_end)};
}

CommandChild::CommandChild(CommandChild &&other) noexcept
    : pid_(other.pid_), error_fd_(std::move(other.error_fd_)),
      owned_(std::exchange(other.owned_, false)) {}

CommandChild::~CommandChild() {
  if (owned_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
}

std::optional<LaunchFailure> CommandChild::launch_failure() {
  // {errno, LaunchStep} from the child; nothing (EOF) after a good exec.
  int report[2] = {0, 0};
  ssize_t n = 0;
  do {
    n = error_fd_.valid() ? ::read(error_fd_.get(), report, sizeof report) : 0;
  } while (n < 0 && errno == EINTR);
  error_fd_.reset();
  if (n != sizeof report) {
    return std::nullopt;
  }
  return LaunchFailure{report[0], static_cast<LaunchStep>(report[1])};
}

} // namespace syscallmon
