#pragma once
// Passing a signal syscallmon received on to what it counts, shared by
// both engines (each chooses the targets).

#include <sys/types.h>

#include <set>

namespace syscallmon {

// Sends sig to each process, as a shell would, and continues those that
// are stopped: a stopped process would keep it pending and the run going
// (a shell's kill does the same for a stopped job).
void forward_signal(int sig, const std::set<pid_t> &targets);

} // namespace syscallmon
