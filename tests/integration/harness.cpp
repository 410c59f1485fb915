#include "harness.hpp"

#include <fcntl.h>
#include <linux/bpf.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace itest {
namespace {

int decode(int status) {
  if (WIFEXITED(status)) {
    return WEXITSTATUS(status);
  }
  if (WIFSIGNALED(status)) {
    return 128 + WTERMSIG(status);
  }
  return -1;
}

[[noreturn]] void exec_in_child(const std::vector<std::string> &argv) {
  std::vector<char *> args;
  for (const auto &a : argv) {
    args.push_back(const_cast<char *>(a.c_str()));
  }
  args.push_back(nullptr);
  // Whatever the test runner inherited: tests about SIGPIPE and SIGXFSZ
  // need the defaults (a shell cannot reset a signal ignored at entry).
  ::signal(SIGPIPE, SIG_DFL);
  ::signal(SIGXFSZ, SIG_DFL);
  ::execv(args[0], args.data());
  ::_exit(127);
}

struct TempDirs {
  std::vector<std::string> dirs;
  ~TempDirs() {
    for (const auto &d : dirs) {
      std::error_code ec;
      std::filesystem::remove_all(d, ec);
    }
  }
};
TempDirs g_temp_dirs;

} // namespace

std::string helper(const std::string &name) {
  return std::string(HELPERS_DIR) + "/" + name;
}

std::string syscallmon() { return SYSCALLMON_BIN; }

std::optional<std::string> i386_unavailable() {
  const std::string bin = helper("hw_rw32");
  if (::access(bin.c_str(), X_OK) != 0) {
    return "no 32-bit toolchain (gcc -m32 -static) built hw_rw32";
  }
  // posix_spawn reports the exec's own errno: ENOEXEC is the kernel
  // saying it has no i386 support (CONFIG_IA32_EMULATION off or disabled).
  std::vector<char *> args = {const_cast<char *>(bin.c_str()),
                              const_cast<char *>("1"), nullptr};
  pid_t pid = 0;
  const int err =
      ::posix_spawn(&pid, bin.c_str(), nullptr, nullptr, args.data(), environ);
  if (err == ENOEXEC) {
    return "this kernel cannot execute i386 programs (hw_rw32: Exec format "
           "error)";
  }
  INFO("running hw_rw32 by hand: " << std::strerror(err));
  REQUIRE(err == 0);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  INFO("hw_rw32 run by hand, wait status " << status);
  REQUIRE(decode(status) == 0);
  return std::nullopt;
}

std::optional<std::string> needs_root() {
  if (::geteuid() == 0) {
    return std::nullopt;
  }
  return "needs root";
}

std::optional<std::string> bpf_unavailable() {
  if (!SYSCALLMON_HAS_BPF) {
    return "syscallmon was built without the bpf engine (SYSCALLMON_BPF=OFF)";
  }
  if (::geteuid() != 0) {
    return "the bpf engine needs root (CAP_BPF and CAP_PERFMON)";
  }
  if (::access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
    return "this kernel has no BTF (/sys/kernel/btf/vmlinux)";
  }
  // PROC_PID_INIT_INO: the bpf engine refuses other PID namespaces.
  struct stat ns {};
  if (::stat("/proc/self/ns/pid", &ns) == 0 && ns.st_ino != 0xEFFFFFFCU) {
    return "the tests run in a PID namespace of their own (a container)";
  }
  union bpf_attr attr {};
  attr.map_type = BPF_MAP_TYPE_ARRAY;
  attr.key_size = 4;
  attr.value_size = 4;
  attr.max_entries = 1;
  const long fd = ::syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof attr);
  if (fd < 0) {
    return std::string("this kernel refuses bpf(2): ") + std::strerror(errno);
  }
  ::close(static_cast<int>(fd));
  return std::nullopt;
}

std::optional<std::string> needs_program(const std::string &path) {
  if (::access(path.c_str(), X_OK) == 0) {
    return std::nullopt;
  }
  return path + " is not installed";
}

void sleep_ms(int ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

bool wait_catches(pid_t pid, int sig, double timeout_s) {
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration<double>(timeout_s);
  const std::string path = "/proc/" + std::to_string(pid) + "/status";
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream status(path);
    if (!status) {
      return false;
    }
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("SigCgt:", 0) == 0) {
        const unsigned long long mask =
            std::stoull(line.substr(7), nullptr, 16);
        if ((mask >> (sig - 1)) & 1ULL) {
          return true;
        }
      }
    }
    sleep_ms(5);
  }
  return false;
}

std::string temp_dir() {
  std::string tmpl =
      (std::filesystem::temp_directory_path() / "syscallmon-test.XXXXXX")
          .string();
  REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
  ::chmod(tmpl.c_str(), 0755);
  g_temp_dirs.dirs.push_back(tmpl);
  return tmpl;
}

std::string read_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

pid_t spawn(const std::vector<std::string> &argv, const std::string &out_file,
            const std::string &err_file) {
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // Its own process group, so a test can find (and clean up) everything
    // it started.
    ::setpgid(0, 0);
    const int in = ::open("/dev/null", O_RDONLY);
    const int out =
        ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err =
        ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    exec_in_child(argv);
  }
  ::setpgid(pid, pid); // also here: no race with the child's own call
  return pid;
}

std::vector<pid_t> live_group_members(pid_t pgid) {
  std::vector<pid_t> pids;
  for (const auto &ent : std::filesystem::directory_iterator("/proc")) {
    const std::string name = ent.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    const std::string stat = read_file(ent.path().string() + "/stat");
    const std::size_t paren = stat.rfind(')');
    if (paren == std::string::npos) {
      continue;
    }
    std::istringstream fields(stat.substr(paren + 2));
    char state = 0;
    long ppid = 0;
    long group = 0;
    fields >> state >> ppid >> group;
    if (group == pgid && state != 'Z' && state != 'X') {
      pids.push_back(std::stoi(name));
    }
  }
  return pids;
}

int wait_exit(pid_t pid, double timeout_s) {
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration<double>(timeout_s);
  int status = 0;
  for (;;) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      return decode(status);
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      FAIL("timed out after " << timeout_s << " s");
    }
    sleep_ms(5);
  }
}

Outcome run(const std::vector<std::string> &argv, double timeout_s) {
  const std::string dir = temp_dir();
  const pid_t pid = spawn(argv, dir + "/out", dir + "/err");
  Outcome o;
  o.exit_code = wait_exit(pid, timeout_s);
  o.out = read_file(dir + "/out");
  o.err = read_file(dir + "/err");
  return o;
}

Background spawn_json(const std::vector<std::string> &args) {
  Background bg;
  bg.dir = temp_dir();
  std::vector<std::string> argv = {syscallmon(), "--format", "json", "-o",
                                   bg.dir + "/r.json"};
  argv.insert(argv.end(), args.begin(), args.end());
  bg.pid = spawn(argv, bg.dir + "/out", bg.dir + "/err");
  return bg;
}

nlohmann::json Background::report() const {
  INFO("stderr: " << read_file(dir + "/err"));
  const std::string text = read_file(dir + "/r.json");
  REQUIRE(!text.empty());
  return nlohmann::json::parse(text);
}

pid_t child_of(pid_t parent, const std::string &comm) {
  const std::string children = "/proc/" + std::to_string(parent) + "/task/" +
                               std::to_string(parent) + "/children";
  for (int tries = 0; tries < 400; ++tries) {
    std::istringstream kids(read_file(children));
    pid_t kid = 0;
    while (kids >> kid) {
      if (comm.empty() ||
          read_file("/proc/" + std::to_string(kid) + "/comm") == comm + "\n") {
        return kid;
      }
    }
    sleep_ms(5);
  }
  FAIL("no child " << comm << " of pid " << parent);
  return 0;
}

nlohmann::json run_json(const std::vector<std::string> &args, Outcome *outcome,
                        double timeout_s) {
  const std::string dir = temp_dir();
  std::vector<std::string> argv = {syscallmon(), "--format", "json", "-o",
                                   dir + "/report.json"};
  argv.insert(argv.end(), args.begin(), args.end());
  Outcome o = run(argv, timeout_s);
  INFO("stderr: " << o.err);
  const std::string text = read_file(dir + "/report.json");
  REQUIRE(!text.empty());
  auto j = nlohmann::json::parse(text);
  if (outcome != nullptr) {
    *outcome = std::move(o);
  }
  return j;
}

long long calls(const nlohmann::json &report, const std::string &name,
                const std::string &image, const std::string &arch) {
  long long n = 0;
  for (const auto &s : report["syscalls"]) {
    if (s["name"] != name || s["arch"] != arch) {
      continue;
    }
    for (const auto &c : s["callers"]) {
      if (image.empty() || c["image"] == image) {
        n += c["calls"].get<long long>();
      }
    }
  }
  return n;
}

} // namespace itest
