#pragma once
// The ptrace engine: a seccomp filter in the launched command stops only
// the selected syscalls, one ptrace stop per counted call; attached
// processes are traced at syscall-entry stops.

#include <memory>

#include "syscallmon/engine.hpp"

namespace syscallmon {

// Where tracer and command run (--affinity): see src/ptrace/affinity.hpp.
enum class Affinity { automatic, same_cpu, off };

// Launches and/or attaches. Throws FatalError for failures that end the
// run before anything is traced (bad pid, permission).
std::unique_ptr<Engine> start_ptrace_engine(const EngineConfig &config,
                                            Affinity affinity,
                                            StatsTable &table);

} // namespace syscallmon
