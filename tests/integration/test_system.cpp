// --system: every process of the machine is counted, ours excepted. Other
// processes (other tests, the host) count too, so each assertion looks
// only at names that this test's helpers alone use (hw_system).

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "harness.hpp"

using namespace itest;

namespace {

const std::string kPython = "/usr/bin/python3";

// A comm no other process on the machine has: prefix and our pid.
std::string unique_name(const std::string &prefix) {
  return prefix + std::to_string(::getpid() % 1000000);
}

// The calls of `image` in the row of syscall `name`, per uid.
std::map<long long, long long> calls_by_uid(const nlohmann::json &report,
                                            const std::string &name,
                                            const std::string &image) {
  std::map<long long, long long> out;
  for (const auto &s : report["syscalls"]) {
    if (s["name"] != name) {
      continue;
    }
    for (const auto &c : s["callers"]) {
      if (c["image"] == image) {
        out[c["uid"].get<long long>()] += c["calls"].get<long long>();
      }
    }
  }
  return out;
}

// The pids of the entries of a --by image,uid,pid report, per image.
std::map<long long, std::set<std::string>>
images_by_pid(const nlohmann::json &report) {
  std::map<long long, std::set<std::string>> out;
  for (const auto &s : report["syscalls"]) {
    for (const auto &c : s["callers"]) {
      out[c["pid"].get<long long>()].insert(c["image"].get<std::string>());
    }
  }
  return out;
}

// syscallmon --system in the background: JSON report in DIR/r.json, the
// text report kept in DIR/sys_stat every 100 ms.
struct SystemRun {
  pid_t pid = 0;
  std::string dir;
  std::string stats() const { return dir + "/sys_stat"; }
};

// Starts it, and returns once it counts: the first rewrite of the stats
// file comes after the program is attached.
SystemRun start_system(const std::vector<std::string> &args) {
  SystemRun run;
  run.dir = temp_dir();
  std::vector<std::string> argv = {syscallmon(),   "--system",
                                   "-f",           "json",
                                   "-o",           run.dir + "/r.json",
                                   "--stats-file", "text:" + run.stats(),
                                   "--interval",   "0.1"};
  argv.insert(argv.end(), args.begin(), args.end());
  run.pid = spawn(argv, run.dir + "/out", run.dir + "/err");
  for (int i = 0; i < 1000 && ::access(run.stats().c_str(), F_OK) != 0; ++i) {
    sleep_ms(10);
  }
  INFO(read_file(run.dir + "/err"));
  REQUIRE(::access(run.stats().c_str(), F_OK) == 0);
  return run;
}

// The final report: the last line of r.json (after a snapshot a line,
// every 100 ms).
nlohmann::json report_of(const SystemRun &run) {
  INFO("stderr: " << read_file(run.dir + "/err"));
  std::string text = read_file(run.dir + "/r.json");
  REQUIRE(text.size() > 1);
  REQUIRE(text.back() == '\n');
  text.pop_back();
  const auto last = nlohmann::json::parse(text.substr(text.rfind('\n') + 1));
  CHECK(last.count("timestamp") == 0);
  return last;
}

// Runs hw_system to its end, outside syscallmon; fails the test unless it
// exits 0.
void run_helper(const std::vector<std::string> &args) {
  std::vector<std::string> argv = {helper("hw_system")};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto o = run(argv);
  INFO(o.err);
  REQUIRE(o.exit_code == 0);
}

// Resident memory of pid in KiB (VmRSS).
long rss_kib(pid_t pid) {
  std::istringstream status(
      read_file("/proc/" + std::to_string(pid) + "/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::stol(line.substr(6));
    }
  }
  return -1;
}

} // namespace

TEST_CASE("system: a command's writes as two users are exactly N each",
          "[system][bpf]") {
  NEEDS_BPF();
  const std::string name = unique_name("s16u");
  Outcome o;
  const auto r = run_json({"--system", "-e", "write", "--", helper("hw_system"),
                           "uids", name, "1234", "65534"},
                          &o);
  CHECK(o.exit_code == 0);
  CHECK(r["system"] == true);
  CHECK(r["engine"] == "bpf");
  CHECK(calls_by_uid(r, "write", name) ==
        std::map<long long, long long>{{0, 1234}, {65534, 1234}});
  // The command's status is the run's (perf stat -a -- CMD).
  const auto seven = run({syscallmon(), "--system", "-e", "write", "-o",
                          "/dev/null", "--", "/bin/sh", "-c", "exit 7"});
  CHECK(seven.exit_code == 7);
}

TEST_CASE("system: SIGINT and SIGTERM each end a run with a full report",
          "[system][bpf]") {
  NEEDS_BPF();
  for (const int sig : {SIGINT, SIGTERM}) {
    const std::string name = unique_name(sig == SIGINT ? "s16i" : "s16t");
    const auto mon = start_system({"-e", "write"});
    run_helper({"uids", name, "300", "65534"});
    ::kill(mon.pid, sig);
    CHECK(wait_exit(mon.pid) == 0);
    const auto r = report_of(mon);
    INFO("signal " << sig);
    CHECK(r["exit_status"].is_null());
    CHECK(calls_by_uid(r, "write", name) ==
          std::map<long long, long long>{{0, 300}, {65534, 300}});
    // The stats file got the final report too.
    const std::string text = read_file(mon.stats());
    CHECK(text.find("; the whole system\n") != std::string::npos);
    CHECK(text.find("Table: 16 x 1024;") != std::string::npos);
  }
}

TEST_CASE("system: syscallmon's own calls and stats files are never counted",
          "[system][bpf]") {
  NEEDS_BPF();
  // Two monitors at once, each rewriting its stats file every 100 ms: each
  // sees the other's calls, never its own.
  const std::vector<std::string> args = {
      "--by",
      "image,uid,pid",
      "--max-entries",
      "100000",
      "-e",
      "read,write,openat,close,linkat,renameat2,rename,unlinkat,fchmod,"
      "rt_sigaction,execve,ppoll,poll,bpf"};
  const auto a = start_system(args);
  const auto b = start_system(args);
  const std::string name = unique_name("s16o");
  // The command of a --system run: its calls count from its exec on, and
  // its calls before (syscallmon's child setup) never.
  std::vector<std::string> c_args = {"--system",
                                     "-f",
                                     "json",
                                     "-o",
                                     "",
                                     "--by",
                                     "image,uid,pid",
                                     "-e",
                                     "read,write,openat,close,rt_sigaction,"
                                     "execve,setuid"};
  const std::string c_dir = temp_dir();
  c_args[4] = c_dir + "/r.json";
  std::vector<std::string> c_argv = {syscallmon()};
  c_argv.insert(c_argv.end(), c_args.begin(), c_args.end());
  c_argv.insert(c_argv.end(),
                {"--", helper("hw_system"), "uids", name, "10", "0"});
  const auto c = run(c_argv);
  REQUIRE(c.exit_code == 0);
  sleep_ms(300);
  ::kill(a.pid, SIGTERM);
  ::kill(b.pid, SIGTERM);
  REQUIRE(wait_exit(a.pid) == 0);
  REQUIRE(wait_exit(b.pid) == 0);
  const auto in_a = images_by_pid(report_of(a));
  const auto in_b = images_by_pid(report_of(b));
  CHECK(in_a.count(a.pid) == 0);
  CHECK(in_b.count(b.pid) == 0);
  CHECK(in_a.count(b.pid) == 1);
  CHECK(in_b.count(a.pid) == 1);
  // The command's pid: before its exec it was syscallmon's child, whose
  // calls the other monitors count and its own never.
  const auto in_c =
      images_by_pid(nlohmann::json::parse(read_file(c_dir + "/r.json")));
  const auto command_images = [&](const auto &seen) {
    for (const auto &[pid, images] : seen) {
      if (images.count(name) != 0) {
        return images;
      }
    }
    return std::set<std::string>{};
  };
  // (A and B ran longer: with pid_max 32768 and other tests forking, the
  // pid may have had an earlier owner there, so theirs hold at least both.)
  for (const auto *seen : {&in_a, &in_b}) {
    const auto images = command_images(*seen);
    CHECK(images.count("syscallmon") == 1);
    CHECK(images.count(name) == 1);
  }
  CHECK(command_images(in_c) == std::set<std::string>{name});
}

TEST_CASE("system: a name with ESC and a newline forges no line in sys_stat",
          "[system][bpf]") {
  NEEDS_BPF();
  const std::string suffix = unique_name("q");
  const std::string name = "\x1b[1m\n" + suffix;
  const auto mon = start_system({"-e", "write"});
  run_helper({"uids", name, "7", "65534"});
  sleep_ms(300); // a rewrite that holds the helper's calls
  const std::string live = read_file(mon.stats());
  ::kill(mon.pid, SIGTERM);
  CHECK(wait_exit(mon.pid) == 0);
  struct stat st {};
  REQUIRE(::stat(mon.stats().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);
  for (const std::string &text : {live, read_file(mon.stats())}) {
    INFO(text);
    CHECK(text.find('\x1b') == std::string::npos);
    const std::string escaped = "\\x1b[1m\\x0a" + suffix;
    CHECK(std::regex_search(
        text, std::regex("\n    Image: +" +
                         std::regex_replace(escaped, std::regex(R"(\\|\[)"),
                                            R"(\$&)") +
                         "  UID:  0000  Count: [+ ]+ 7\n")));
    // Every line is one the report's grammar allows.
    std::istringstream lines(text);
    std::string line;
    const std::regex allowed(
        R"(syscallmon: (snapshot at .*|\d+ system calls? monitored by .*)|)"
        R"(System call: .*|    Image: .*|Table: .*)");
    while (std::getline(lines, line)) {
      INFO(line);
      CHECK(std::regex_match(line, allowed));
    }
  }
}

// Two rounds of 5000 short-lived processes, each with its own name and
// kCalls tuxcall calls, under --system with --max-entries 64.
struct NamesRun {
  static constexpr int kNames = 5000;
  static constexpr int kCalls = 3;
  nlohmann::json report;
  long rss_first = 0;  // KiB, after the first 5000 names
  long rss_second = 0; // KiB, after 5000 more
};

// Held while a test counts tuxcalls: two such tests at once (ctest -j, or
// the suites of two checkouts on one machine) would count each other's.
class TuxcallLock {
 public:
  TuxcallLock()
      : fd_(::open("/tmp/syscallmon-test-tuxcall.lock",
                   O_RDWR | O_CREAT | O_CLOEXEC, 0666)) {
    REQUIRE(fd_ >= 0);
    REQUIRE(::flock(fd_, LOCK_EX) == 0);
  }
  ~TuxcallLock() { ::close(fd_); }
  TuxcallLock(const TuxcallLock &) = delete;
  TuxcallLock &operator=(const TuxcallLock &) = delete;

 private:
  int fd_;
};

NamesRun run_names() {
  NamesRun out;
  // tuxcall was never implemented (ENOSYS): no other program makes it, so
  // the row's calls are the helper's alone.
  const TuxcallLock lock;
  const auto mon = start_system({"-e", "tuxcall", "--max-entries", "64"});
  for (const char *round : {"a", "b"}) {
    run_helper({"names", unique_name(round), std::to_string(NamesRun::kNames),
                std::to_string(NamesRun::kCalls)});
    sleep_ms(300); // drained, and the stats file rewritten
    (*round == 'a' ? out.rss_first : out.rss_second) = rss_kib(mon.pid);
  }
  ::kill(mon.pid, SIGTERM);
  REQUIRE(wait_exit(mon.pid) == 0);
  out.report = report_of(mon);
  return out;
}

TEST_CASE("system: 10000 short-lived names, every call kept or evicted",
          "[system][bpf]") {
  NEEDS_BPF();
  const auto run = run_names();
  const auto &r = run.report;
  REQUIRE(r["syscalls"].size() == 1);
  const auto &row = r["syscalls"][0];
  CHECK(row["callers"].size() == 64);
  const long long shown = row["calls"];
  const long long evicted = r["table"]["evicted_calls"];
  const long long lost = r["table"]["lost_calls"];
  CHECK(lost == 0);
  CHECK(shown + evicted + lost == 2LL * NamesRun::kNames * NamesRun::kCalls);
  CHECK(r["table"]["evicted_entries"].get<long long>() >=
        2 * NamesRun::kNames - 64);
}

TEST_CASE("system: RSS stays flat over 10000 short-lived names",
          "[system][bpf]") {
  NEEDS_BPF();
  if (SANITIZED_BUILD) {
    SKIP_TEST("ASan keeps freed memory in quarantine: RSS grows in this build");
  }
  // The second 5000 names cost no memory: the table is full already and
  // each drain's records are freed.
  const auto run = run_names();
  INFO("RSS " << run.rss_first << " KiB, then " << run.rss_second << " KiB");
  REQUIRE(run.rss_first > 0);
  CHECK(run.rss_second - run.rss_first <= 256);
}

TEST_CASE("system: without privilege one line and exit 1", "[system][bpf]") {
  NEEDS_BPF();
  if (const auto why = needs_program("/usr/bin/setpriv")) {
    SKIP_TEST(*why);
  }
  const auto o =
      run({"/usr/bin/setpriv", "--reuid", "65534", "--regid", "65534",
           "--clear-groups", syscallmon(), "--system", "-q"});
  CHECK(o.exit_code == 1);
  CHECK(
      o.err ==
      "syscallmon: --system needs CAP_BPF and CAP_PERFMON (run it as root)\n");
}

TEST_CASE("system: --engine ptrace and -p are usage errors", "[system]") {
  auto o = run({syscallmon(), "--system", "--engine", "ptrace"});
  CHECK(o.exit_code == 2);
  CHECK(o.err == "syscallmon: --system counts in the kernel and needs "
                 "--engine bpf, not --engine ptrace (see --help)\n");
  o = run({syscallmon(), "--system", "-p", "1"});
  CHECK(o.exit_code == 2);
  CHECK(o.err == "syscallmon: --system already counts every process: -p PID "
                 "cannot be added to it (see --help)\n");
}
