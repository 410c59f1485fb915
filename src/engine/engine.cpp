#include "syscallmon/engine.hpp"

namespace syscallmon {

std::string_view engine_name(EngineKind kind) {
  switch (kind) {
  case EngineKind::bpf:
    return "bpf";
  case EngineKind::ptrace:
    break;
  }
  return "ptrace";
}

} // namespace syscallmon
