#include "engine/forward_signal.hpp"

#include <csignal>

#include <spdlog/spdlog.h>

#include "syscallmon/proc_info.hpp"

namespace syscallmon {

void forward_signal(int sig, const std::set<pid_t> &targets) {
  for (const pid_t pid : targets) {
    spdlog::info("forwarding signal {} to pid {}", sig, pid);
    ::kill(pid, sig);
    if (const auto st = read_status(pid);
        st && (st->state == 'T' || st->state == 't')) {
      ::kill(pid, SIGCONT);
    }
  }
}

} // namespace syscallmon
