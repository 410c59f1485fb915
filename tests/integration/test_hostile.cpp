// Commands that turn ptrace or seccomp against syscallmon: a command that
// tries to trace its tracer, and one whose own filter forges the data of
// its seccomp stops.

#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <string>

#include <catch2/catch.hpp>

#include "harness.hpp"

using namespace itest;

namespace {

// The 40 lines and the final one hw_counter 40 MS prints when no signal
// came.
std::string counter_output() {
  std::string want;
  for (int i = 1; i <= 40; ++i) {
    want += std::to_string(i) + "\n";
  }
  return want + "done usr1=0\n";
}

// Waits up to 5 s until pid shows a tracer.
void wait_traced(pid_t pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/status";
  for (int i = 0; i < 1000; ++i) {
    const std::string status = read_file(path);
    const std::size_t at = status.find("TracerPid:\t");
    if (at != std::string::npos && status.compare(at + 11, 2, "0\n") != 0) {
      return;
    }
    sleep_ms(5);
  }
  FAIL("pid " << pid << " never traced");
}

// Sets an environment variable for its lifetime (children spawned then
// inherit it) and restores the old value.
class EnvOverride {
 public:
  EnvOverride(const char *name, const std::string &value) : name_(name) {
    if (const char *old = std::getenv(name)) {
      old_ = old;
    }
    ::setenv(name, value.c_str(), 1);
  }
  ~EnvOverride() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  EnvOverride(const EnvOverride &) = delete;
  EnvOverride &operator=(const EnvOverride &) = delete;

 private:
  const char *name_;
  std::optional<std::string> old_;
};

// ASAN_OPTIONS as given, with leak detection off (a later option wins).
std::string asan_options_without_leaks() {
  const char *old = std::getenv("ASAN_OPTIONS");
  return (old != nullptr && *old != '\0' ? std::string(old) + ":" : "") +
         "detect_leaks=0";
}

} // namespace

TEST_CASE("a launched command cannot trace syscallmon, and the run ends",
          "[hostile]") {
  // seize, seize-hi and parent all aim at syscallmon (the command's tracer
  // and parent); the interrupt is other ptrace use, untouched (ESRCH).
  for (const std::string selection : {"write", "write,ptrace"}) {
    INFO("-e " << selection);
    Outcome o;
    const auto r =
        run_json({"-e", selection, "--", helper("hw_hostage"), "0", "seize",
                  "seize-hi", "attach", "parent", "interrupt"},
                 &o, 20);
    CHECK(o.exit_code == 0);
    CHECK(o.out == "EPERM EPERM EPERM EPERM ESRCH\n");
    CHECK(calls(r, "write", "hw_hostage") == 1);
    // The refused calls never reach us; the interrupt is counted.
    CHECK(calls(r, "ptrace", "hw_hostage") == (selection == "write" ? 0 : 1));
  }
}

TEST_CASE("an attached process that traces syscallmon is detached, exit 1",
          "[hostile][attach]") {
  for (const std::string how : {"seize", "attach"}) {
    INFO(how);
    const std::string dir = temp_dir();
    const pid_t h = spawn({helper("hw_hostage"), "10000", how}, dir + "/h.out",
                          dir + "/h.err");
    // A bystander, attached too: it must be detached cleanly.
    const pid_t c = spawn({helper("hw_counter"), "40", "10"}, dir + "/c.out",
                          dir + "/c.err");
    const auto mon = spawn_json(
        {"-e", "write", "-p", std::to_string(h) + "," + std::to_string(c)});
    CHECK(wait_exit(mon.pid, 20) == 1);
    CHECK(read_file(mon.dir + "/err") ==
          "syscallmon: pid " + std::to_string(h) +
              " (hw_hostage) tried to trace syscallmon: detached from every "
              "process\n");
    // Its call fails once we are gone (ESRCH only if we were reaped before
    // it ran); it finishes on its own.
    CHECK(wait_exit(h, 20) == 0);
    const std::string out = read_file(dir + "/h.out");
    CHECK((out == "EPERM\n" || out == "ESRCH\n"));
    CHECK(wait_exit(c, 20) == 7);
    CHECK(read_file(dir + "/c.out") == counter_output());
  }
}

TEST_CASE("a process we do not trace that traces syscallmon ends the run",
          "[hostile][attach]") {
  const std::string dir = temp_dir();
  const pid_t c =
      spawn({helper("hw_counter"), "40", "20"}, dir + "/c.out", dir + "/c.err");
  // LeakSanitizer stops the world with ptrace and signals at exit: in the
  // captor's hands that stop never ends. Leaks are checked by every other
  // test of the sanitizer build.
  const EnvOverride no_lsan("ASAN_OPTIONS", asan_options_without_leaks());
  const auto mon = spawn_json({"-e", "write", "-p", std::to_string(c)});
  wait_traced(c);
  // A hostile tracer from outside: it seizes syscallmon and never resumes
  // it from any stop, waiting only for its end.
  const pid_t captor = ::fork();
  REQUIRE(captor >= 0);
  if (captor == 0) {
    if (::ptrace(PTRACE_SEIZE, mon.pid, nullptr, nullptr) != 0) {
      ::_exit(3);
    }
    int st = 0;
    while (::waitpid(mon.pid, &st, __WALL) == mon.pid && !WIFEXITED(st) &&
           !WIFSIGNALED(st)) {
    }
    ::_exit(0);
  }
  CHECK(wait_exit(mon.pid, 20) == 1);
  const std::string err = read_file(mon.dir + "/err");
  CHECK(err.rfind("syscallmon: pid " + std::to_string(captor) + " (", 0) == 0);
  CHECK(err.ends_with(") traces syscallmon: detached from every process\n"));
  CHECK(wait_exit(captor, 20) == 0);
  CHECK(wait_exit(c, 20) == 7);
  CHECK(read_file(dir + "/c.out") == counter_output());
}

TEST_CASE("a command's own filter cannot forge what is counted", "[hostile]") {
  // hw_forge's filter answers getpid with TRACE and the data our rule for
  // write once carried; the kernel hands us its data, not ours.
  Outcome o;
  auto r = run_json(
      {"-e", "write,getpid", "--", helper("hw_forge"), "10", "1000"}, &o);
  CHECK(o.exit_code == 0);
  CHECK(calls(r, "write", "hw_forge") == 10);
  CHECK(calls(r, "getpid", "hw_forge") == 1000);
  CHECK(r["total_calls"] == 1010);
  // Not selected: its filter's stops are not counted at all.
  r = run_json({"-e", "write", "--", helper("hw_forge"), "10", "1000"}, &o);
  CHECK(o.exit_code == 0);
  CHECK(calls(r, "write", "hw_forge") == 10);
  CHECK(r["total_calls"] == 10);
  // A big selection (rules without data before, too), with the filter
  // setup itself: one prctl, one seccomp.
  r = run_json({"-e", "all", "--", helper("hw_forge"), "10", "1000"}, &o);
  CHECK(o.exit_code == 0);
  CHECK(calls(r, "write", "hw_forge") == 10);
  CHECK(calls(r, "getpid", "hw_forge") == 1000);
  CHECK(calls(r, "prctl", "hw_forge") == 1);
  CHECK(calls(r, "seccomp", "hw_forge") == 1);
}
