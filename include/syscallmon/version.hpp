#pragma once
// syscallmon's version, shown by --version.

namespace syscallmon {
inline constexpr const char *kVersion = "0.1.0";
} // namespace syscallmon
