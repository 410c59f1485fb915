#include "affinity.hpp"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>

namespace syscallmon {

AffinityPolicy::AffinityPolicy(Affinity mode) : mode_(mode) {
  CPU_ZERO(&original_);
  CPU_ZERO(&single_);
  if (mode_ == Affinity::off ||
      sched_getaffinity(0, sizeof original_, &original_) < 0 ||
      CPU_COUNT(&original_) < 2) {
    mode_ = Affinity::off; // nothing to gain on one CPU
    return;
  }
  int cpu = sched_getcpu();
  if (cpu < 0 || !CPU_ISSET(cpu, &original_)) {
    for (cpu = 0; !CPU_ISSET(cpu, &original_); ++cpu) {
    }
  }
  CPU_SET(cpu, &single_);
  pinned_ = true; // the launched child starts alone
}

const cpu_set_t *AffinityPolicy::child_mask() const {
  return pinned_ ? &single_ : nullptr;
}

void AffinityPolicy::start() {
  if (pinned_ && sched_setaffinity(0, sizeof single_, &single_) < 0) {
    spdlog::debug("pin tracer: {}", std::strerror(errno));
  }
}

void AffinityPolicy::apply(const std::vector<pid_t> &tids,
                           const cpu_set_t &mask) {
  for (const pid_t tid : tids) {
    // ESRCH: a dying task; nothing to move.
    sched_setaffinity(tid, sizeof mask, &mask);
  }
  sched_setaffinity(0, sizeof mask, &mask);
}

void AffinityPolicy::update(const std::vector<pid_t> &tids, bool want_pinned) {
  if (!managing()) {
    return;
  }
  if (want_pinned != pinned_) {
    apply(tids, want_pinned ? single_ : original_);
    pinned_ = want_pinned;
  }
}

void AffinityPolicy::place(pid_t tid) const {
  if (managing()) {
    sched_setaffinity(tid, sizeof original_, pinned_ ? &single_ : &original_);
  }
}

void AffinityPolicy::release(const std::vector<pid_t> &tids) {
  if (!managing()) {
    return;
  }
  managed_ = false;
  if (pinned_) {
    apply(tids, original_);
    pinned_ = false;
  }
  spdlog::info("the command sets its own CPU affinity: --affinity auto "
               "stops placing it");
}

} // namespace syscallmon
