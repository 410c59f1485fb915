#pragma once
// CPU placement of tracer and tracees (--affinity). A ptrace stop costs
// ~5 us when tracer and tracee share a CPU and ~50 us across CPUs on a VM,
// so while at most one traced task can run (the others wait for children)
// or the tasks' stops queue up at the tracer, `auto` pins them and the
// tracer to one CPU, and lets go when neither holds. The command still
// sees its own mask: sched_getaffinity results are rewritten.
// Tracer-private.

#include <sched.h>
#include <sys/types.h>

#include <cstdint>
#include <vector>

#include "syscallmon/ptrace_engine.hpp"

namespace syscallmon {

class AffinityPolicy {
 public:
  explicit AffinityPolicy(Affinity mode);

  Affinity mode() const { return mode_; }
  // Whether sched_{get,set}affinity calls must be seen by the tracer.
  bool watches_affinity_calls() const { return mode_ == Affinity::automatic; }

  // The mask a launched child takes before exec (async-signal-safe use).
  const cpu_set_t *child_mask() const;
  // Pins the tracer itself if the mode starts pinned.
  void start();

  // The traced tasks or what they do changed: pins them all (and the
  // tracer) if want_pinned, else gives them their original mask (auto
  // mode, while managing). The caller never asks to pin attached tasks.
  void update(const std::vector<pid_t> &tids, bool want_pinned);

  // A tracee set its own affinity: stop managing for the rest of the run.
  void release(const std::vector<pid_t> &tids);

  // A task met for the first time takes the current placement: one made
  // while pinned but reported after the release must not stay pinned.
  void place(pid_t tid) const;

  // True while tracees run on a mask they did not choose.
  bool pinned() const { return pinned_; }
  // True while auto mode places the tasks (sched_getaffinity results are
  // then rewritten to the original mask).
  bool managing() const { return mode_ == Affinity::automatic && managed_; }
  // The mask the command would have had without syscallmon.
  const cpu_set_t &original() const { return original_; }

 private:
  void apply(const std::vector<pid_t> &tids, const cpu_set_t &mask);

  Affinity mode_;
  cpu_set_t original_{};
  cpu_set_t single_{};
  bool pinned_ = false;
  bool managed_ = true;
};

} // namespace syscallmon
