#pragma once
// The bpf engine: a BPF program on the raw_syscalls tracepoints counts the
// selected syscalls of the traced processes in the kernel; the engine
// drains its staging map into the stats table. Needs CAP_BPF and
// CAP_PERFMON (in practice, root).

#include <memory>

#include "syscallmon/engine.hpp"

namespace syscallmon {

// Whether this syscallmon was built with the bpf engine (-DSYSCALLMON_BPF).
bool bpf_engine_built();

// Loads the program, then launches and/or attaches. Throws FatalError,
// naming what is missing, if the kernel or our privileges cannot run it,
// or for a bad pid.
std::unique_ptr<Engine> start_bpf_engine(const EngineConfig &config,
                                         StatsTable &table);

} // namespace syscallmon
