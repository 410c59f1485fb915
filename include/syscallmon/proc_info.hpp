#pragma once
// What /proc says about a task. Off the per-call path: read when a task
// appears, execs or changes its name or uid.

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace syscallmon {

// The fields of /proc/TID/status that the tracer needs.
struct TaskStatus {
  pid_t tgid = 0;
  pid_t ppid = 0;
  pid_t tracer_pid = 0;
  std::uint32_t real_uid = 0;
  char state = '?'; // first letter of "State:" (R, S, T, t, Z, ...)
};

// The raw comm of a task (up to 15 bytes), or nullopt if it is gone.
std::optional<std::string> read_comm(pid_t tid);

// /proc/TID/status, or nullopt if the task is gone.
std::optional<TaskStatus> read_status(pid_t tid);

// Whether the task has begun to exit (PF_EXITING in /proc/TID/stat, set
// before anything else of the exit): it makes no more syscalls. True if
// it is gone.
bool is_exiting(pid_t tid);

// Whether the task is a kernel thread (PF_KTHREAD): it makes no system
// calls of a program's. False if it is gone.
bool is_kernel_thread(pid_t tid);

// The tids listed in /proc/PID/task (empty if the process is gone).
std::vector<pid_t> list_threads(pid_t pid);

} // namespace syscallmon
