#pragma once
// The syscall names the renderers' unit tests give their made-up keys:
// no syscall table needed, and an unknown number shows as "nrN".

#include <string>

#include "syscallmon/stats_table.hpp"

namespace testnames {

inline std::string fake_syscall_name(syscallmon::SyscallKey k) {
  switch (k.nr) {
  case 0:
    return "read";
  case 1:
    return "write";
  case 3:
    return "close";
  default:
    return "nr" + std::to_string(k.nr);
  }
}

} // namespace testnames
