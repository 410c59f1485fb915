#pragma once
// The few kernel struct offsets the BPF program reads, found in the
// running kernel's BTF (/sys/kernel/btf/vmlinux). A direct scan of the
// type section takes about a millisecond; libbpf's full BTF parse, which
// CO-RE needs, takes tens.

#include <cstdint>
#include <span>

#include "syscallmon/result.hpp"

namespace syscallmon {

struct KernelOffsets {
  std::uint32_t task_pid = 0;    // task_struct.pid
  std::uint32_t task_tgid = 0;   // task_struct.tgid
  std::uint32_t task_signal = 0; // task_struct.signal
  std::uint32_t signal_live = 0; // signal_struct.live
  // task_struct.thread_info.status, where TS_COMPAT marks a 32-bit call;
  // 0 if this kernel has none (every call is then taken as native).
  std::uint32_t thread_status = 0;
  // task_struct.comm, task_struct.cred and cred.uid, read directly at each
  // call; 0 if not found (the program then calls the helpers).
  std::uint32_t task_comm = 0;
  std::uint32_t task_cred = 0;
  std::uint32_t cred_uid = 0;
};

// Finds the offsets in raw BTF bytes. Pure: no OS access.
Result<KernelOffsets> parse_kernel_offsets(std::span<const std::uint8_t> btf);

// The running kernel's BTF.
inline constexpr const char *kVmlinuxBtf = "/sys/kernel/btf/vmlinux";

// Reads a BTF file (the running kernel's by default) and finds the
// offsets: mapped where the file allows it (6.16 and later), read where
// it does not.
Result<KernelOffsets> read_kernel_offsets(const char *path = kVmlinuxBtf);

} // namespace syscallmon
