#pragma once
// Wires parsed options to the table, the tracer and the report outputs.

#include "syscallmon/options.hpp"

namespace syscallmon {

// Runs syscallmon; returns the exit code. Throws FatalError.
int run_app(const Options &options);

} // namespace syscallmon
