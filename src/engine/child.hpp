#pragma once
// Launching the command, shared by both engines: fork; in the child, wait
// until the engine can count it, drop to -u's ids and exec (a script
// without "#!" runs under /bin/sh, as execvp does); a failed step is
// reported to the parent through a close-on-exec pipe.

#include <sys/types.h>

#include <functional>
#include <optional>

#include "syscallmon/engine.hpp"
#include "syscallmon/unique_fd.hpp"

namespace syscallmon {

// What the engine does in the child, between fork and exec. Both run in
// the forked child of a single-threaded parent: async-signal-safe work.
struct ChildHooks {
  // First: returns once the engine can count the child; false if the
  // engine gave up (the child then exits without running anything).
  std::function<bool()> wait_until_counted;
  // Then: 0, or an errno reported as LaunchStep::filter.
  std::function<int()> before_exec;
};

// The launched command's process. Killed and reaped when destroyed, until
// released to the engine's own wait loop.
class CommandChild {
 public:
  // Forks the child. Throws FatalError if it cannot.
  static CommandChild start(const EngineConfig &config,
                            const ChildHooks &hooks);

  CommandChild(CommandChild &&other) noexcept;
  CommandChild &operator=(CommandChild &&) = delete;
  CommandChild(const CommandChild &) = delete;
  ~CommandChild();

  pid_t pid() const { return pid_; }
  // The engine reaps the child from now on.
  void release() { owned_ = false; }
  // Why the command never ran, read once the child has exec'd or exited
  // (nullopt after a good exec).
  std::optional<LaunchFailure> launch_failure();

 private:
  CommandChild(pid_t pid, UniqueFd error_fd)
      : pid_(pid), error_fd_(std::move(error_fd)) {}

  pid_t pid_ = 0;
  UniqueFd error_fd_; // read end of the child's failure pipe
  bool owned_ = true;
};

} // namespace syscallmon
