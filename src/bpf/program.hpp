#pragma once
// The loaded BPF program (syscallmon.bpf.c) and its maps: the only code
// that talks to libbpf. Destruction detaches and unloads; the links and
// maps are owned by fds, so a SIGKILL of syscallmon leaves nothing behind.

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "btf_offsets.hpp"
#include "staging.hpp"
#include "syscallmon/engine.hpp"
#include "syscallmon/result.hpp"
#include "syscallmon/unique_fd.hpp"

struct syscallmon_bpf; // the generated skeleton

namespace syscallmon {

// What the program is built for; fixed at load.
struct ProgramConfig {
  const SyscallSelection *selection = nullptr;
  CountOptions count;
  bool system_wide = false;
  KernelOffsets offsets;
  std::uint32_t staging_entries = 0; // 0: the program's default
};

class BpfProgram {
 public:
  // Opens, loads and attaches. The error names what is missing.
  static Result<std::unique_ptr<BpfProgram>> load(const ProgramConfig &config);
  ~BpfProgram();
  BpfProgram(const BpfProgram &) = delete;
  BpfProgram &operator=(const BpfProgram &) = delete;

  // The traced set (bitmaps shared with the program). add_member fails
  // with ERANGE for a tgid beyond kernel.pid_max at load.
  bool add_member(pid_t tgid, bool counting, bool attached);
  void remove_member(pid_t tgid);
  // Stops counting and following the members joined through -p and
  // takes them out of the set: none is left, even one that forks
  // meanwhile.
  void remove_attached();
  // The members' tgids, those joined through -p marked.
  struct Member {
    pid_t tgid;
    bool attached;
  };
  std::vector<Member> members() const;
  bool no_members() const;

  // Keys inserted into the current staging map so far, and its size.
  std::uint64_t staged_keys() const;
  std::uint32_t staging_capacity() const { return capacity_; }
  // What a drain took, and why it could not take everything.
  struct Drain {
    std::vector<StagedRecord> records;
    std::string error;    // what failed, even if a fallback took it all
    bool complete = true; // nothing is left in either staging map
  };
  // Swaps the staging maps (waiting for programs still running on the old
  // one) and takes the old one's records: exact, whatever runs meanwhile.
  // A record is deleted only once it is read: what a failure leaves in
  // the kernel is taken at the next drain (the old map is the active one
  // again after the next swap).
  // quiescent: no traced process is left to write to the map, so a plain
  // drain is exact and the swap's wait (an RCU grace period, 12-16 ms
  // here) is saved.
  Drain take_staged(bool quiescent = false);
  // Calls not counted because the staging map was full, since load.
  std::uint64_t lost_calls() const;
  // Children not followed since load: their tgid is beyond the traced
  // set, sized to kernel.pid_max at load.
  std::uint64_t orphans() const;

 private:
  // Returns once no program run that began before the call is running:
  // the update of a map-in-map slot waits for an RCU grace period.
  bool wait_for_programs();

  explicit BpfProgram(syscallmon_bpf *skel) : skel_(skel) {}

  syscallmon_bpf *skel_;
  // Which staging map the program writes: 0 a (also while the active slot
  // is still empty), 1 b.
  int current_ = 0;
  std::uint64_t seq_at_swap_ = 0;
  std::uint32_t capacity_ = 0;
  UniqueFd staging_b_;            // created at the first swap
  bool left_[2] = {false, false}; // records a failed drain left, per map
  sm_members *traced_ = nullptr;  // the mmap'ed traced set
  std::size_t traced_entries_ = 0;
};

} // namespace syscallmon
