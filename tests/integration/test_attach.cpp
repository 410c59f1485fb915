// Attach mode: syscallmon -p PID on running helpers.

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <thread>

#include "harness.hpp"

using namespace itest;

namespace {

std::string status_field(pid_t pid, const std::string &key) {
  const std::string status =
      read_file("/proc/" + std::to_string(pid) + "/status");
  const std::size_t at = status.find(key + ":");
  if (at == std::string::npos) {
    return "";
  }
  const std::size_t start =
      status.find_first_not_of(" \t", at + key.size() + 1);
  return status.substr(start, status.find('\n', start) - start);
}

// The first letter of pid's State ('?' if it cannot be read).
char state_of(pid_t pid) {
  const std::string state = status_field(pid, "State");
  return state.empty() ? '?' : state.front();
}

// Waits until pid is traced (TracerPid != 0) or not, as asked.
void wait_traced(pid_t pid, bool traced) {
  for (int i = 0; i < 500; ++i) {
    const std::string t = status_field(pid, "TracerPid");
    if ((t != "0" && !t.empty()) == traced) {
      return;
    }
    sleep_ms(5);
  }
  FAIL("pid " << pid << (traced ? " never traced" : " never detached"));
}

// Runs syscallmon -p PID for about ms milliseconds, then SIGINT; returns
// the JSON report.
nlohmann::json attach_for(pid_t pid, int ms,
                          const std::vector<std::string> &extra = {}) {
  std::vector<std::string> args = {"-p", std::to_string(pid)};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto mon = spawn_json(args);
  wait_traced(pid, true);
  sleep_ms(ms);
  ::kill(mon.pid, SIGINT);
  INFO(read_file(mon.dir + "/err"));
  REQUIRE(wait_exit(mon.pid) == 0);
  wait_traced(pid, false);
  return mon.report();
}

// A thread of pid other than its leader (waits up to 2 s for one).
pid_t some_thread(pid_t pid) {
  for (int i = 0; i < 400; ++i) {
    for (const auto &entry : std::filesystem::directory_iterator(
             "/proc/" + std::to_string(pid) + "/task")) {
      const pid_t tid = std::stoi(entry.path().filename().string());
      if (tid != pid) {
        return tid;
      }
    }
    sleep_ms(5);
  }
  FAIL("pid " << pid << " has no thread besides its leader");
  return 0;
}

} // namespace

TEST_CASE("attach counts exactly the calls made while attached", "[attach]") {
  const std::string dir = temp_dir();
  const std::string fifo = dir + "/go";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const pid_t sh =
      spawn({"/bin/sh", "-c",
             "read x < " + fifo + "; exec " + helper("hw_rw") + " 100"},
            dir + "/sh.out", dir + "/sh.err");
  sleep_ms(50);
  const auto mon = spawn_json({"-e", "write,read", "-p", std::to_string(sh)});
  wait_traced(sh, true);
  {
    const int fd = ::open(fifo.c_str(), O_WRONLY);
    REQUIRE(fd >= 0);
    REQUIRE(::write(fd, "go\n", 3) == 3);
    ::close(fd);
  }
  // The run ends by itself when the attached process exits.
  CHECK(wait_exit(sh) == 0);
  CHECK(wait_exit(mon.pid) == 0);
  const auto r = mon.report();
  CHECK(calls(r, "write", "hw_rw") == 100);
  CHECK(calls(r, "read", "hw_rw") == 100);
  CHECK(r["pids"] == nlohmann::json({sh}));
  CHECK(r["exit_status"].is_null());
}

TEST_CASE("a detached helper keeps running and finishes normally", "[attach]") {
  const std::string dir = temp_dir();
  const pid_t h =
      spawn({helper("hw_counter"), "40", "10"}, dir + "/out", dir + "/err");
  sleep_ms(30);
  auto r = attach_for(h, 150, {"-e", "write"});
  CHECK(calls(r, "write", "hw_counter") > 0);
  CHECK(calls(r, "write", "hw_counter") <= 41);
  CHECK(wait_exit(h) == 7);
  std::string want;
  for (int i = 1; i <= 40; ++i) {
    want += std::to_string(i) + "\n";
  }
  CHECK(read_file(dir + "/out") == want + "done usr1=0\n");
}

TEST_CASE("no signal is lost or duplicated across attach and detach",
          "[attach][signals]") {
  const std::string dir = temp_dir();
  const pid_t h =
      spawn({helper("hw_counter"), "120", "10"}, dir + "/out", dir + "/err");
  sleep_ms(20);
  std::atomic<bool> stop{false};
  std::atomic<int> sent{0};
  // A real-time signal: each one is queued. Two pending SIGUSR1 merge into
  // one, with or without a tracer, which a loaded host makes happen
  // (docs/reliability.md, "Standard signals can merge while attached").
  std::thread sender([&] {
    while (!stop) {
      if (::kill(h, SIGRTMIN) == 0) {
        ++sent;
      }
      sleep_ms(15);
    }
  });
  for (int cycle = 0; cycle < 3; ++cycle) {
    attach_for(h, 80, {"-e", "write"});
    sleep_ms(40);
  }
  stop = true;
  sender.join();
  CHECK(wait_exit(h) == 7);
  const std::string out = read_file(dir + "/out");
  CHECK(out.find("done usr1=" + std::to_string(sent.load()) + "\n") !=
        std::string::npos);
}

TEST_CASE("every thread of a multi-threaded process is attached", "[attach]") {
  const std::string dir = temp_dir();
  const pid_t h = spawn({helper("hw_mt_counter"), "3", "60", "5"}, dir + "/out",
                        dir + "/err");
  sleep_ms(50);
  auto r = attach_for(h, 150, {"-e", "write"});
  for (int i = 0; i < 3; ++i) {
    CHECK(calls(r, "write", "mt-" + std::to_string(i)) > 0);
  }
  CHECK(wait_exit(h) == 0);
}

TEST_CASE("the id of a thread attaches its whole process", "[attach]") {
  const std::string dir = temp_dir();
  const pid_t h = spawn({helper("hw_mt_counter"), "3", "60", "5"}, dir + "/out",
                        dir + "/err");
  const pid_t thread = some_thread(h);
  auto r = attach_for(thread, 150, {"-e", "write"});
  CHECK(r["pids"] == nlohmann::json::array({h}));
  for (int i = 0; i < 3; ++i) {
    CHECK(calls(r, "write", "mt-" + std::to_string(i)) > 0);
  }
  CHECK(wait_exit(h) == 0);
}

TEST_CASE("a process whose leader has exited is attached by its threads",
          "[attach]") {
  const std::string dir = temp_dir();
  // Long-lived (60 s), killed once the report is in: a slow start (ASan)
  // must not find the threads gone.
  const pid_t h = spawn({helper("hw_leader_exit"), "2", "6000", "10"},
                        dir + "/out", dir + "/err");
  struct Reaper { // also when a REQUIRE fails
    pid_t pid;
    ~Reaper() { ::kill(pid, SIGKILL); }
  } reaper{h};
  for (int i = 0; i < 400 && state_of(h) != 'Z'; ++i) {
    sleep_ms(5);
  }
  REQUIRE(state_of(h) == 'Z');
  // The leader is a zombie (never seized), its threads run: not "has
  // exited". Watch a thread for the attach.
  const pid_t thread = some_thread(h);
  const auto mon = spawn_json({"-p", std::to_string(h), "-e", "write"});
  wait_traced(thread, true);
  sleep_ms(100);
  ::kill(mon.pid, SIGINT);
  INFO(read_file(mon.dir + "/err"));
  REQUIRE(wait_exit(mon.pid) == 0);
  const auto r = mon.report();
  CHECK(r["pids"] == nlohmann::json::array({h}));
  CHECK(calls(r, "write", "le-0") > 0);
  CHECK(calls(r, "write", "le-1") > 0);
  ::kill(h, SIGKILL);
  CHECK(wait_exit(h) == 128 + SIGKILL);
}

TEST_CASE("attach and detach during execve from a thread never hang",
          "[attach]") {
  // PTRACE_SEIZE waits for the execve's cred_guard_mutex, and the execve
  // waits for its killed, traced threads to be reaped: without a reaper
  // both hung (about 1 cycle in 4 with 40 threads).
  const std::string dir = temp_dir();
  const pid_t h = spawn({helper("hw_exec_mt"), "40", "400", "2"}, dir + "/out",
                        dir + "/err");
  struct Reaper { // also when a REQUIRE fails
    pid_t pid;
    ~Reaper() { ::kill(pid, SIGKILL); }
  } reaper{h};
  // Its leader is a zombie for a moment in every execve: ask wait instead.
  const auto running = [h] {
    siginfo_t info{};
    return ::waitid(P_PID, static_cast<id_t>(h), &info,
                    WEXITED | WNOHANG | WNOWAIT) == 0 &&
           info.si_pid == 0;
  };
  int cycles = 0;
  while (running() && cycles < 60) {
    const auto mon = spawn_json({"-p", std::to_string(h), "-e", "write"});
    // Until syscallmon has attached (slow under ASan) or the helper ended.
    for (int i = 0; i < 400 && running() &&
                    status_field(h, "TracerPid") != std::to_string(mon.pid);
         ++i) {
      sleep_ms(5);
    }
    sleep_ms(20);
    // A helper that ended first leaves syscallmon to end by itself: a
    // SIGINT then could land before its handlers exist (ASan start-up).
    if (running()) {
      ::kill(mon.pid, SIGINT);
    }
    const int code = wait_exit(mon.pid, 10);
    INFO("exit " << code << ": " << read_file(mon.dir + "/err"));
    // 1 only when the helper ended just before the attach.
    REQUIRE((code == 0 || (code == 1 && !running())));
    ++cycles;
  }
  CHECK(cycles >= 5);
  CHECK(wait_exit(h, 30) == 0);
}

TEST_CASE("a stopped process stays stopped after detach", "[attach]") {
  const std::string dir = temp_dir();
  const pid_t h =
      spawn({helper("hw_counter"), "20", "10"}, dir + "/out", dir + "/err");
  sleep_ms(30);
  ::kill(h, SIGSTOP);
  sleep_ms(30);
  REQUIRE(state_of(h) == 'T');
  attach_for(h, 100, {"-e", "write"});
  sleep_ms(50);
  CHECK(state_of(h) == 'T');
  ::kill(h, SIGCONT);
  CHECK(wait_exit(h) == 7);
}

TEST_CASE("attach errors are one line, exit 1 (usage: 2)", "[attach][errors]") {
  // A dead pid: reap a child, then its pid is free.
  const pid_t dead = spawn({"/bin/true"}, "/dev/null", "/dev/null");
  REQUIRE(wait_exit(dead) == 0);
  auto o = run({syscallmon(), "-p", std::to_string(dead)});
  CHECK(o.exit_code == 1);
  CHECK(o.err == "syscallmon: attach to pid " + std::to_string(dead) +
                     ": No such process\n");

  o = run({syscallmon(), "-p", "abc"});
  CHECK(o.exit_code == 2);
  CHECK(std::count(o.err.begin(), o.err.end(), '\n') == 1);
  o = run({syscallmon(), "-p", "12,,34"});
  CHECK(o.exit_code == 2);

  // A zombie: exited, not yet reaped by us.
  const pid_t zombie = spawn({"/bin/true"}, "/dev/null", "/dev/null");
  for (int i = 0; i < 400 && state_of(zombie) != 'Z'; ++i) {
    sleep_ms(5);
  }
  REQUIRE(state_of(zombie) == 'Z');
  o = run({syscallmon(), "-p", std::to_string(zombie)});
  CHECK(o.exit_code == 1);
  CHECK(o.err == "syscallmon: attach to pid " + std::to_string(zombie) +
                     ": the process has exited (a zombie its parent has "
                     "not reaped)\n");
  CHECK(wait_exit(zombie) == 0);

  // Our own parent (this test) is an ancestor of syscallmon.
  o = run({syscallmon(), "-p", std::to_string(::getpid())});
  CHECK(o.exit_code == 1);
  CHECK(o.err.find("ancestor") != std::string::npos);

  // kthreadd (pid 2 on every Linux): a kernel thread, under both engines
  // (bpf accepted it and counted nothing until stopped).
  std::vector<std::vector<std::string>> engines;
  if (read_file("/proc/2/comm") == "kthreadd\n") { // not in a container
    engines.emplace_back();
  }
  if (!engines.empty() && !bpf_unavailable()) {
    engines.push_back({"--engine", "bpf"});
  }
  for (auto args : engines) {
    args.insert(args.begin(), syscallmon());
    args.insert(args.end(), {"-p", "2"});
    o = run(args, 10);
    INFO(args.size());
    CHECK(o.exit_code == 1);
    CHECK(o.err == "syscallmon: attach to pid 2: a kernel thread makes no "
                   "system calls to count\n");
  }
}

TEST_CASE("attaching to pid 1 as an unprivileged user is refused",
          "[attach][errors]") {
  if (auto why = needs_root()) {
    SKIP_TEST(*why + " to become nobody with setpriv");
  }
  if (auto why = needs_program("/usr/bin/setpriv")) {
    SKIP_TEST(*why);
  }
  auto o = run({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
                "--clear-groups", syscallmon(), "-p", "1"});
  CHECK(o.exit_code == 1);
  CHECK(o.err.find("attach to pid 1: Operation not permitted") == 12);
  CHECK(std::count(o.err.begin(), o.err.end(), '\n') == 1);
}

TEST_CASE("a process traced by another tracer is refused with its name",
          "[attach][errors]") {
  if (auto why = needs_program("/usr/bin/strace")) {
    SKIP_TEST(*why);
  }
  const std::string dir = temp_dir();
  const pid_t st = spawn(
      {"/usr/bin/strace", "-o", "/dev/null", helper("hw_counter"), "30", "10"},
      dir + "/out", dir + "/err");
  // strace forks short-lived children of its own to probe the kernel: wait
  // for the one that became hw_counter.
  const pid_t traced = child_of(st, "hw_counter");
  wait_traced(traced, true);
  auto o = run({syscallmon(), "-p", std::to_string(traced)});
  CHECK(o.exit_code == 1);
  CHECK(o.err.find("already traced by pid " + std::to_string(st) +
                   ", strace") != std::string::npos);
  CHECK(wait_exit(st) == 7);
}

TEST_CASE("a task caught inside a syscall makes no phantom count", "[attach]") {
  const std::string dir = temp_dir();
  // Three sleeps of 1 s: we attach during the first one, which must not
  // count; the two after it must. The sleeps are long so that a slow
  // (sanitizer) build on a loaded host still attaches inside the first.
  const pid_t h = spawn({helper("hw_batches"), "3", "0", "1000"}, dir + "/out",
                        dir + "/err");
  sleep_ms(100);
  const auto mon =
      spawn_json({"-e", "clock_nanosleep,nanosleep", "-p", std::to_string(h)});
  CHECK(wait_exit(h) == 0);
  CHECK(wait_exit(mon.pid) == 0);
  const auto r = mon.report();
  CHECK(calls(r, "clock_nanosleep") + calls(r, "nanosleep") == 2);
}

TEST_CASE("attaching combined with a launched command traces both",
          "[attach]") {
  const std::string dir = temp_dir();
  // hw_counter runs ~1 s, so it is still alive when a slow build attaches.
  const pid_t h =
      spawn({helper("hw_counter"), "100", "10"}, dir + "/out", dir + "/err");
  sleep_ms(20);
  Outcome o;
  auto r = run_json(
      {"-e", "write", "-p", std::to_string(h), "--", helper("hw_rw"), "50"},
      &o);
  CHECK(o.exit_code == 0);
  CHECK(calls(r, "write", "hw_rw") == 50);
  CHECK(calls(r, "write", "hw_counter") > 0);
  CHECK(r["pids"] == nlohmann::json({h}));
  CHECK(wait_exit(h) == 7);
}

TEST_CASE("SIGINT detaches attached processes when a command runs too",
          "[attach][signals]") {
  const std::string dir = temp_dir();
  const pid_t h =
      spawn({helper("hw_counter"), "60", "10"}, dir + "/out", dir + "/err");
  sleep_ms(20);
  const auto mon = spawn_json({"-e", "write", "-p", std::to_string(h), "--",
                               helper("hw_batches"), "6", "1", "100"});
  wait_traced(h, true);
  ::kill(mon.pid, SIGINT);
  wait_traced(h, false); // detached at once; the command runs on
  CHECK(wait_exit(mon.pid) == 0);
  CHECK(calls(mon.report(), "write", "hw_batches") == 6);
  CHECK(wait_exit(h) == 7);
}
