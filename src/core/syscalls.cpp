#include "syscallmon/syscalls.hpp"

#include <seccomp.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <memory>
#include <set>

#include "syscallmon/syscall_classes.hpp"

namespace syscallmon {
namespace {

// Syscall numbers above this are not real syscalls in any traced arch.
constexpr std::uint32_t kMaxSyscallNr = 1024;

constexpr std::array<ArchInfo, 2> kArches{{
    {"x86_64", SCMP_ARCH_X86_64},
    {"i386", SCMP_ARCH_X86},
}};

// Edit distance counting a swap of two neighbours as one edit (optimal
// string alignment), so "wirte" is one typo away from "write".
std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::size_t w = b.size() + 1;
  std::vector<std::size_t> d((a.size() + 1) * w);
  for (std::size_t i = 0; i <= a.size(); ++i) {
    for (std::size_t j = 0; j <= b.size(); ++j) {
      if (i == 0 || j == 0) {
        d[i * w + j] = i + j;
        continue;
      }
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      std::size_t best = std::min({d[(i - 1) * w + j] + 1, d[i * w + j - 1] + 1,
                                   d[(i - 1) * w + j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        best = std::min(best, d[(i - 2) * w + j - 2] + 1);
      }
      d[i * w + j] = best;
    }
  }
  return d.back();
}

Error unknown_name_error(std::string_view name) {
  std::string msg = "unknown system call '" + std::string(name) + "'";
  if (auto guess = closest_syscall_name(name)) {
    msg += " (did you mean '" + *guess + "'?)";
  }
  return Error{msg};
}

bool is_known_name(std::string_view name) {
  const auto &all = all_syscall_names();
  return std::binary_search(all.begin(), all.end(), name);
}

// Adds or removes the names one -e item stands for.
std::optional<Error> apply_item(std::string_view item,
                                std::set<std::string> &selected) {
  const bool exclude = !item.empty() && item.front() == '!';
  if (exclude) {
    item.remove_prefix(1);
  }
  if (item.empty()) {
    return Error{exclude ? "'!' must be followed by a system call name"
                         : "empty item in system call list"};
  }
  std::vector<std::string> names;
  if (item == "all") {
    names = all_syscall_names();
  } else if (item.front() == '%') {
    auto members = syscall_class_members(item);
    if (!members) {
      return members.error();
    }
    names = std::move(members.value());
  } else if (is_known_name(item)) {
    names.emplace_back(item);
  } else {
    return unknown_name_error(item);
  }
  for (auto &name : names) {
    if (exclude) {
      selected.erase(name);
    } else {
      selected.insert(std::move(name));
    }
  }
  return std::nullopt;
}

} // namespace

std::span<const ArchInfo> traced_arches() { return kArches; }

std::string libseccomp_version() {
  const scmp_version *v = seccomp_version();
  return std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
         std::to_string(v->micro);
}

std::optional<std::uint16_t> arch_index(std::uint32_t scmp_arch) {
  for (std::size_t i = 0; i < kArches.size(); ++i) {
    if (kArches[i].scmp_arch == scmp_arch) {
      return static_cast<std::uint16_t>(i);
    }
  }
  return std::nullopt;
}

std::string syscall_name(SyscallKey key) {
  if (key.arch < kArches.size()) {
    std::unique_ptr<char, decltype(&std::free)> name(
        seccomp_syscall_resolve_num_arch(kArches[key.arch].scmp_arch,
                                         static_cast<int>(key.nr)),
        &std::free);
    if (name) {
      return name.get();
    }
  }
  return "syscall_" + std::to_string(key.nr);
}

std::optional<std::uint32_t> syscall_number(std::string_view name,
                                            std::uint16_t arch) {
  if (arch >= kArches.size()) {
    return std::nullopt;
  }
  const std::string s(name);
  const int nr =
      seccomp_syscall_resolve_name_arch(kArches[arch].scmp_arch, s.c_str());
  if (nr < 0 || static_cast<std::uint32_t>(nr) >= kMaxSyscallNr) {
    return std::nullopt; // __NR_SCMP_ERROR or a pseudo-syscall
  }
  return static_cast<std::uint32_t>(nr);
}

const std::vector<std::string> &all_syscall_names() {
  static const std::vector<std::string> names = [] {
    std::set<std::string> unique;
    for (const ArchInfo &arch : kArches) {
      for (std::uint32_t nr = 0; nr < kMaxSyscallNr; ++nr) {
        std::unique_ptr<char, decltype(&std::free)> name(
            seccomp_syscall_resolve_num_arch(arch.scmp_arch,
                                             static_cast<int>(nr)),
            &std::free);
        if (name) {
          unique.insert(name.get());
        }
      }
    }
    return std::vector<std::string>(unique.begin(), unique.end());
  }();
  return names;
}

std::optional<std::string> closest_syscall_name(std::string_view name) {
  const std::size_t limit = std::max<std::size_t>(1, name.size() / 3);
  std::optional<std::string> best;
  std::size_t best_distance = limit + 1;
  for (const auto &candidate : all_syscall_names()) {
    const std::size_t d = edit_distance(name, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

Result<std::vector<std::string>> syscall_class_members(std::string_view cls) {
  for (const auto &c : syscall_classes()) {
    if (c.name != cls) {
      continue;
    }
    std::vector<std::string> names;
    for (std::string_view member : c.members) {
      if (is_known_name(member)) {
        names.emplace_back(member);
      }
    }
    std::sort(names.begin(), names.end());
    return names;
  }
  std::string known;
  for (const auto &c : syscall_classes()) {
    if (!known.empty()) {
      known += ' ';
    }
    known += c.name;
  }
  return Error{"unknown system call class '" + std::string(cls) +
               "' (known: " + known + ")"};
}

Result<SyscallSelection> parse_syscall_list(std::string_view list) {
  if (list.empty()) {
    return Error{"empty system call list"};
  }
  std::set<std::string> selected;
  if (list.front() == '!') {
    selected.insert(all_syscall_names().begin(), all_syscall_names().end());
  }
  std::size_t pos = 0;
  while (pos <= list.size()) {
    const std::size_t comma = std::min(list.find(',', pos), list.size());
    if (auto err = apply_item(list.substr(pos, comma - pos), selected)) {
      return *err;
    }
    pos = comma + 1;
  }
  if (selected.empty()) {
    return Error{"no system calls selected by '" + std::string(list) + "'"};
  }
  SyscallSelection sel;
  sel.names.assign(selected.begin(), selected.end());
  sel.numbers.resize(kArches.size());
  for (std::size_t arch = 0; arch < kArches.size(); ++arch) {
    for (const auto &name : sel.names) {
      if (auto nr = syscall_number(name, static_cast<std::uint16_t>(arch))) {
        sel.numbers[arch].push_back(*nr);
      }
    }
  }
  return sel;
}

} // namespace syscallmon
