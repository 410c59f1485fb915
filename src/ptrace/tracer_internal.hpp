#pragma once
// The tracer's private parts, shared by tracer.cpp (event loop), launch.cpp
// (fork, seccomp filter, exec) and attach.cpp (seize and detach).

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "affinity.hpp"
#include "engine/child.hpp"
#include "syscallmon/ptrace_engine.hpp"
#include "syscallmon/stats_table.hpp"
#include "wait_status.hpp"

namespace syscallmon {

// What a syscall number means to the tracer, per arch (bit flags).
enum SyscallFlag : std::uint8_t {
  kCount = 1,        // selected with -e: count it
  kRefreshComm = 2,  // may rename the thread (prctl): re-read comm at exit
  kRefreshUid = 4,   // may change the real uid: re-read uid at exit
  kAffinityGet = 8,  // sched_getaffinity: show the unpinned mask at exit
  kAffinitySet = 16, // sched_setaffinity: the command places itself
  kWaitCall = 32,    // wait4/waitpid: may block until a child changes
  kWaitIdCall = 64,  // waitid: the same, with its options in argument 3
};

// The flags whose handling reads the call's arguments.
constexpr std::uint8_t kNeedsArgs = kAffinityGet | kWaitCall | kWaitIdCall;

// One traced thread. comm and uid are cached and refreshed only on exec and
// on the syscalls that change them, never per counted call.
struct Task {
  pid_t tid = 0;
  pid_t tgid = 0;
  std::string comm;
  std::uint32_t uid = 0;
  bool seccomp = false;        // under our filter: resumed with PTRACE_CONT
  bool counting = true;        // false for the launched child until it execs
  bool awaiting_exit = false;  // resumed with PTRACE_SYSCALL for the exit
  bool waiting = false;        // inside a blocking wait (auto affinity only)
  std::uint8_t exit_work = 0;  // SyscallFlag bits to act on at the exit stop
  SyscallKey pending{};        // the counted call awaiting its exit stop
  std::string pending_image;   // comm when that call was made
  std::uint64_t start_ns = 0;  // when that call's stop was seen
  std::uint64_t mask_addr = 0; // sched_getaffinity's buffer, for the exit
};

// The event loop and its state.
class Tracer final : public Engine {
 public:
  Tracer(EngineConfig config, Affinity affinity, StatsTable &table);

  // Engine
  bool run() override;
  void stop(int sig, Reach reach) override;
  EngineResult result() const override { return result_; }

  // launch.cpp
  void launch();
  // attach.cpp
  void attach_all();

 private:
  enum class SeizeResult { seized, gone, skipped, failed };
  void seize_process(pid_t pid);
  SeizeResult seize_thread(pid_t tid, bool first); // failed: errno says why
  void detach_all();
  pid_t wait_for_event(int *raw);
  void track_event_gap(std::uint64_t now);
  void dispatch(pid_t tid, WaitStatus status);
  // Who a signal syscallmon received goes to.
  std::set<pid_t> signal_targets(Reach reach) const;
  Task &task_for(pid_t tid);
  Task &add_task(pid_t tid, const Task *parent, bool is_thread);
  void on_exit(pid_t tid, WaitStatus status);
  void on_seccomp_stop(Task &task);
  void on_syscall_stop(Task &task);
  void on_fork(Task &task);
  void on_exec(pid_t tid);
  void count_call(Task &task, SyscallKey key, std::uint8_t flags);
  void finish_call(Task &task, std::int64_t rval, bool is_error);
  void refresh_comm(Task &task);
  void refresh_uid(Task &task);
  void resume(Task &task, int sig = 0);
  std::uint8_t flags_of(SyscallKey key) const;
  bool needs_exit_stop(std::uint8_t flags) const;
  void detach_task(pid_t tid, WaitStatus status);
  // Whether a call (args: its six arguments) is a PTRACE_ATTACH or
  // PTRACE_SEIZE of one of our threads.
  bool aims_at_us(SyscallKey key, const std::uint64_t *args) const;
  void on_hostage(const Task &task);
  void check_traced();
  void end_if_captor_alone() const; // throws FatalError once it is
  // args: the call's six arguments; may be null unless its flags include
  // kNeedsArgs.
  void on_call(Task &task, SyscallKey key, const std::uint64_t *args);
  void update_affinity();
  void show_original_mask(const Task &task, std::int64_t rval);

  const EngineConfig config_;
  std::vector<std::vector<std::uint8_t>> flags_; // [arch][nr]
  std::unordered_map<pid_t, Task> tasks_;
  pid_t command_pid_ = 0;
  bool detaching_ = false;
  std::vector<std::uint32_t> ptrace_nr_; // [arch]; kMaxNr if none
  // Who tries to trace us, or does (attach mode ends the run for it).
  struct Captor {
    pid_t tid = 0;  // a task of ours left in its ptrace call; 0: not ours
    pid_t tgid = 0; // its process
    std::string comm;
  };
  std::optional<Captor> captor_;
  std::uint64_t next_traced_check_ns_ = 0;
  EngineResult result_;
  std::optional<CommandChild> command_; // the launched command, if any
  AffinityPolicy affinity_;
  static constexpr double kNoGapYetNs = 1e9;
  double gap_ema_ns_ = kNoGapYetNs; // average time between events
  std::uint64_t last_event_ns_ = 0;
  bool stop_bound_ = false; // several tasks in a storm of stops
  std::uint64_t stop_bound_left_ns_ = 0;
};

// The PTRACE_O_* options every tracee gets.
unsigned long tracer_options();

// Monotonic clock in nanoseconds (vDSO: no syscall).
std::uint64_t now_ns();

} // namespace syscallmon
