#pragma once
// Runs the built syscallmon binary and helpers for integration tests.

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "skip.hpp"

namespace itest {

// What a finished process left behind.
struct Outcome {
  int exit_code = -1; // 128+N if killed by signal N
  std::string out;    // stdout
  std::string err;    // stderr
};

// Path of a helper program.
std::string helper(const std::string &name);
// Path of the syscallmon binary.
std::string syscallmon();

// Runs argv to completion (killed after timeout_s), capturing output.
Outcome run(const std::vector<std::string> &argv, double timeout_s = 60);

// Starts argv in the background, in a new process group, with stdout and
// stderr to files; returns its pid (= its process group id).
pid_t spawn(const std::vector<std::string> &argv, const std::string &out_file,
            const std::string &err_file);
// Waits for pid (killed after timeout_s); returns the exit code as above.
int wait_exit(pid_t pid, double timeout_s = 60);

// The live (not zombie) processes whose process group is pgid.
std::vector<pid_t> live_group_members(pid_t pgid);

// syscallmon started in the background with --format json -o DIR/r.json.
struct Background {
  pid_t pid = 0;   // syscallmon's pid (and process group)
  std::string dir; // holds r.json, and syscallmon's stdout/stderr: out, err
  // The JSON report: call once syscallmon has exited.
  nlohmann::json report() const;
};
Background spawn_json(const std::vector<std::string> &args);

// The first child of parent whose comm is `comm` (any child if empty),
// waiting up to 2 s for one; fails the test if none appears.
pid_t child_of(pid_t parent, const std::string &comm = "");

// Runs syscallmon with --format json -o FILE plus args, returning the
// parsed report; the outcome (exit code, output) goes to *outcome. Fails
// the test if syscallmon runs longer than timeout_s.
nlohmann::json run_json(const std::vector<std::string> &args,
                        Outcome *outcome = nullptr, double timeout_s = 60);

// Calls of syscall `name` (arch x86_64 unless given) in a JSON report,
// optionally only by image.
long long calls(const nlohmann::json &report, const std::string &name,
                const std::string &image = "",
                const std::string &arch = "x86_64");

// A fresh temporary directory, removed at exit.
std::string temp_dir();

// The whole content of a file ("" if missing).
std::string read_file(const std::string &path);

// Why this host cannot run i386 programs (no hw_rw32 was built, or the
// kernel refuses them with ENOEXEC), or nullopt if it can. The probe runs
// hw_rw32 once, outside syscallmon; any other failure of it fails the test.
std::optional<std::string> i386_unavailable();

// Why a test that needs root cannot run (nullopt as root).
std::optional<std::string> needs_root();

// Why this host cannot run the bpf engine (a build without it, not root,
// no kernel BTF, a kernel that refuses bpf(2)), or nullopt if it can. Any
// other failure of --engine bpf then fails the test.
std::optional<std::string> bpf_unavailable();

// Why a test that needs the program at path cannot run (nullopt if there).
std::optional<std::string> needs_program(const std::string &path);

// Sleeps for ms milliseconds.
void sleep_ms(int ms);

// Waits until pid catches sig (SigCgt in /proc/PID/status): a signal sent
// earlier would meet its default action, as under ASan's slow start-up.
// False if that takes longer than timeout_s or pid is gone.
bool wait_catches(pid_t pid, int sig, double timeout_s = 20);

} // namespace itest

// Skips the running test case where the bpf engine cannot run here.
#define NEEDS_BPF()                                                            \
  do {                                                                         \
    if (const auto why_ = ::itest::bpf_unavailable()) {                        \
      SKIP_TEST(*why_);                                                        \
    }                                                                          \
  } while (0)
