// Launch mode: fork, seize the child, install the seccomp filter in it and
// exec the command. Only the selected syscalls (and the few that change a
// thread's name or uid) stop the tracee; every other call runs at full speed.

#include <seccomp.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "syscallmon/proc_info.hpp"
#include "syscallmon/result.hpp"
#include "tracer_internal.hpp"

namespace syscallmon {
namespace {

using FilterPtr = std::unique_ptr<void, decltype(&seccomp_release)>;

FilterPtr new_filter(std::uint32_t scmp_arch) {
  FilterPtr ctx(seccomp_init(SCMP_ACT_ALLOW), &seccomp_release);
  if (!ctx) {
    throw FatalError(kExitFailure, "seccomp_init failed");
  }
  seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW);
  // As root no NO_NEW_PRIVS is needed, and setuid programs keep working
  // (strace issue #126); load_filter() sets it only if the kernel insists.
  seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0);
  if (scmp_arch != seccomp_arch_native()) {
    int rc = seccomp_arch_add(ctx.get(), scmp_arch);
    if (rc == 0) {
      rc = seccomp_arch_remove(ctx.get(), SCMP_ARCH_NATIVE);
    }
    if (rc < 0) {
      throw FatalError(kExitFailure,
                       fmt::format("seccomp_arch_add: {}", std::strerror(-rc)));
    }
  }
  return ctx;
}

// One arch's part of the filter: TRACE for every syscall the tracer needs
// to see. The tracer reads the call from the stop, never the rule's
// SECCOMP_RET_DATA (a filter of the command's can forge it), so every rule
// has data 0: libseccomp then shares their code, and 450 rules (-e all)
// compile in ~3 ms, against ~0.2 s with a data value per rule.
FilterPtr build_arch_filter(std::uint16_t arch,
                            const std::vector<std::uint8_t> &flags) {
  FilterPtr ctx = new_filter(traced_arches()[arch].scmp_arch);
  for (std::uint32_t nr = 0; nr < flags.size(); ++nr) {
    const std::uint8_t f = flags[nr];
    if (f == 0) {
      continue;
    }
    const SyscallKey key{arch, nr};
    // libseccomp takes the name's native (or pseudo) number and maps it.
    const int any_nr = seccomp_syscall_resolve_name(syscall_name(key).c_str());
    if (any_nr == __NR_SCMP_ERROR) {
      continue;
    }
    const std::uint32_t action = SCMP_ACT_TRACE(0);
    int rc = 0;
    if (f == kRefreshComm) {
      // prctl only renames with PR_SET_NAME: let the rest run untraced.
      const scmp_arg_cmp set_name{0, SCMP_CMP_EQ, PR_SET_NAME, 0};
      rc = seccomp_rule_add_array(ctx.get(), action, any_nr, 1, &set_name);
    } else if (f == kWaitCall || f == kWaitIdCall) {
      // Only a wait that can block tells auto affinity anything.
      const scmp_arg_cmp blocking{f == kWaitIdCall ? 3U : 2U,
                                  SCMP_CMP_MASKED_EQ, WNOHANG, 0};
      rc = seccomp_rule_add_array(ctx.get(), action, any_nr, 1, &blocking);
    } else {
      rc = seccomp_rule_add(ctx.get(), action, any_nr, 0);
    }
    if (rc < 0 && rc != -EEXIST) {
      spdlog::debug("seccomp rule for {}: {}", syscall_name(key),
                    std::strerror(-rc));
    }
  }
  return ctx;
}

// The filter: ALLOW by default, TRACE for the syscalls the tracer needs,
// for the native and the i386 compat arch. A syscall of any other arch
// (x32) is allowed rather than killed. Each arch is built on its own, from
// its own flags, then merged into one program.
FilterPtr build_filter(const std::vector<std::vector<std::uint8_t>> &flags) {
  FilterPtr ctx = build_arch_filter(0, flags[0]);
  for (std::size_t i = 1; i < flags.size(); ++i) {
    const auto arch = static_cast<std::uint16_t>(i);
    FilterPtr part = build_arch_filter(arch, flags[arch]);
    if (const int rc = seccomp_merge(ctx.get(), part.get()); rc < 0) {
      throw FatalError(kExitFailure, fmt::format("seccomp_merge {}: {}",
                                                 traced_arches()[arch].name,
                                                 std::strerror(-rc)));
    }
    static_cast<void>(part.release()); // seccomp_merge freed it
  }
  // The kernel's own errno from seccomp_load: libseccomp 2.5 otherwise
  // reports every kernel error as ECANCELED.
  seccomp_attr_set(ctx.get(), SCMP_FLTATR_API_SYSRAWRC, 1);
  return ctx;
}

// The guard: the command's ptrace(PTRACE_ATTACH or PTRACE_SEIZE) of
// syscallmon (any of its tids) fails with EPERM. Were it to succeed, the
// command would trace its own tracer: at its next stop each would wait for
// the other, for good. A filter of its own, because seccomp takes the
// strictest action of all filters (ERRNO beats TRACE): one libseccomp filter
// cannot say "TRACE ptrace except these arguments" (a rule without argument
// comparisons swallows those with). Only ptrace calls run it: the kernel
// skips a filter for the numbers it always allows (Linux 5.11+).
FilterPtr build_guard_filter() {
  FilterPtr ctx = new_filter(seccomp_arch_native());
  // i386 and x32 tasks call ptrace through other numbers.
  for (const std::uint32_t arch : {SCMP_ARCH_X86, SCMP_ARCH_X32}) {
    if (const int rc = seccomp_arch_add(ctx.get(), arch);
        rc < 0 && rc != -EEXIST) {
      spdlog::debug("guard filter arch {:#x}: {}", arch, std::strerror(-rc));
    }
  }
  // The kernel reads both as 32 bits on compat arches, and the pid as a
  // pid_t on every arch: a pid with high bits set still names us.
  constexpr std::uint64_t kLow32 = 0xFFFFFFFF;
  for (const pid_t tid : list_threads(::getpid())) {
    for (const std::uint64_t request : {PTRACE_ATTACH, PTRACE_SEIZE}) {
      const int rc = seccomp_rule_add(
          ctx.get(), SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ptrace), 2,
          SCMP_A0(SCMP_CMP_MASKED_EQ, kLow32, request),
          SCMP_A1(SCMP_CMP_MASKED_EQ, kLow32, static_cast<std::uint64_t>(tid)));
      if (rc < 0) {
        throw FatalError(kExitFailure, fmt::format("seccomp guard rule: {}",
                                                   std::strerror(-rc)));
      }
    }
  }
  seccomp_attr_set(ctx.get(), SCMP_FLTATR_API_SYSRAWRC, 1);
  return ctx;
}

// In the child: load the filter, with NO_NEW_PRIVS only if required.
int load_filter(void *ctx) {
  int rc = seccomp_load(ctx);
  // The kernel says EACCES without CAP_SYS_ADMIN. Only a libseccomp that
  // could not give raw errors says ECANCELED for it (and for any other).
  std::uint32_t raw = 0;
  seccomp_attr_get(ctx, SCMP_FLTATR_API_SYSRAWRC, &raw);
  if (rc == -EACCES || (raw == 0 && rc == -ECANCELED)) {
    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1);
    rc = seccomp_load(ctx);
  }
  return rc;
}

} // namespace

void Tracer::launch() {
  FilterPtr filter = build_filter(flags_);
  FilterPtr guard = build_guard_filter();
  const cpu_set_t *mask = affinity_.child_mask();
  ChildHooks hooks;
  hooks.wait_until_counted = [mask] {
    if (mask != nullptr) {
      sched_setaffinity(0, sizeof *mask, mask);
    }
    // Wait, stopped, until the tracer has seized us: a filtered call made
    // with no tracer attached would fail with ENOSYS.
    ::kill(::getpid(), SIGSTOP);
    return true;
  };
  hooks.before_exec = [ctx = filter.get(), guard = guard.get()] {
    const int rc = load_filter(ctx);
    return rc < 0 ? -rc : -load_filter(guard);
  };
  CommandChild child = CommandChild::start(config_, hooks);
  const pid_t pid = child.pid();

  int raw = 0;
  pid_t waited = 0;
  do { // our handlers have no SA_RESTART: a signal may interrupt the wait
    waited = ::waitpid(pid, &raw, WSTOPPED);
  } while (waited < 0 && errno == EINTR);
  if (waited < 0 || !WIFSTOPPED(raw)) {
    throw FatalError(kExitFailure, "the child did not stop before exec");
  }
  // EXITKILL: a filtered tracee must never outlive its tracer.
  if (::ptrace(PTRACE_SEIZE, pid, nullptr,
               tracer_options() | PTRACE_O_EXITKILL) < 0) {
    throw FatalError(kExitFailure,
                     fmt::format("ptrace(PTRACE_SEIZE) on the command: {}",
                                 std::strerror(errno)));
  }
  child.release(); // reaped by the event loop from now on
  command_.emplace(std::move(child));
  command_pid_ = pid;
  Task &task = tasks_[pid];
  task.tid = pid;
  task.tgid = pid;
  task.seccomp = true;
  task.counting = false; // the tracer's own pre-exec calls are not counted
  affinity_.start();
  ::kill(pid, SIGCONT);
}

} // namespace syscallmon
