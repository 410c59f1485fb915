#pragma once
// Syscall names, numbers and arches (through libseccomp), and the parsing of
// -e lists into the set of syscalls to count.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "syscallmon/result.hpp"
#include "syscallmon/stats_table.hpp"

namespace syscallmon {

// An arch whose syscalls we trace. Index 0 is the native arch; the others
// are compat arches a native process can also use (i386 on x86_64).
struct ArchInfo {
  std::string_view name;   // "x86_64", "i386"
  std::uint32_t scmp_arch; // libseccomp's SCMP_ARCH_* token
};

// The arches we trace, native first. SyscallKey::arch indexes this.
std::span<const ArchInfo> traced_arches();

// The index in traced_arches() of an AUDIT_ARCH/SCMP_ARCH token, if traced.
std::optional<std::uint16_t> arch_index(std::uint32_t scmp_arch);

// The name of a syscall, or "syscall_<nr>" when libseccomp does not know it.
std::string syscall_name(SyscallKey key);

// The number of a named syscall in an arch, if it exists there.
std::optional<std::uint32_t> syscall_number(std::string_view name,
                                            std::uint16_t arch);

// Every syscall name known in any traced arch, sorted.
const std::vector<std::string> &all_syscall_names();

// The known real name closest to a misspelt one (edit distance), if any is
// close enough to be a plausible typo.
std::optional<std::string> closest_syscall_name(std::string_view name);

// The members of a class such as "%file" that exist in a traced arch,
// sorted; an error if the class is unknown.
Result<std::vector<std::string>> syscall_class_members(std::string_view cls);

// libseccomp's version, "major.minor.micro", for --version.
std::string libseccomp_version();

// The syscalls selected with -e.
struct SyscallSelection {
  std::vector<std::string> names; // sorted, unique
  // For each traced arch, the numbers of the selected syscalls that exist
  // in that arch.
  std::vector<std::vector<std::uint32_t>> numbers;
};

// The default selection: the paper's four plus openat.
inline constexpr std::string_view kDefaultSyscalls =
    "read,write,open,openat,close";

// Parses an -e list: names, "all", classes ("%file"), "!item" to exclude.
// A list that starts with an exclusion starts from "all".
Result<SyscallSelection> parse_syscall_list(std::string_view list);

} // namespace syscallmon
