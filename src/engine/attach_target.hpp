#pragma once
// The checks of a -p target that both engines make before anything is
// attached, so a bad pid in a list leaves the others untouched.

#include <sys/types.h>

#include <string>

#include "syscallmon/proc_info.hpp"
#include "syscallmon/result.hpp"

namespace syscallmon {

// "attach to pid PID: WHY", exit 1.
FatalError attach_error(pid_t pid, const std::string &why);

// Whether a task is gone (a zombie or dead).
bool is_dead(const TaskStatus &st);

// Whether every thread of pid has begun to exit (or is gone): it makes no
// more syscalls. Looked at long enough that an execve from a thread, whose
// tid swap shows no thread for a moment, is not taken for an exit.
bool has_exited(pid_t pid);

// Throws attach_error unless pid is a live process other than syscallmon
// that we may observe (same real uid, or we are root). Returns the status
// of a live thread of it.
TaskStatus check_attach_target(pid_t pid);

} // namespace syscallmon
