// The bpf engine in a build configured with -DSYSCALLMON_BPF=OFF: asking
// for it is an error that says so, never a silent fallback to ptrace.

#include "syscallmon/bpf_engine.hpp"

#include "syscallmon/result.hpp"

namespace syscallmon {

bool bpf_engine_built() { return false; }

std::unique_ptr<Engine> start_bpf_engine(const EngineConfig & /*config*/,
                                         StatsTable & /*table*/) {
  throw FatalError(kExitFailure,
                   "this syscallmon was built without the bpf engine "
                   "(cmake -DSYSCALLMON_BPF=ON needs libbpf, bpftool and "
                   "clang)");
}

} // namespace syscallmon
