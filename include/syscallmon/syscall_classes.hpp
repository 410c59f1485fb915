#pragma once
// strace-style syscall classes ("%file", "%network", ...) for -e lists.

#include <span>
#include <string_view>

namespace syscallmon {

// One strace-style syscall class such as "%file" and its member names.
struct SyscallClass {
  std::string_view name; // with the leading '%', e.g. "%file"
  std::span<const std::string_view> members; // syscall names, any arch
};

// All classes, in a stable order: %file %desc %network %process %signal %ipc
// %memory %creds
std::span<const SyscallClass> syscall_classes();

} // namespace syscallmon
