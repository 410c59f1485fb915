// The bpf engine on its own: what only it can do exactly, what it costs
// the kernel to be wrong about (a full map, a SIGKILL), and its errors.

#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <dirent.h>
#include <regex>
#include <set>
#include <sstream>

#include "harness.hpp"

using namespace itest;

namespace {

nlohmann::json run_bpf(std::vector<std::string> args,
                       Outcome *outcome = nullptr) {
  args.insert(args.begin(), {"--engine", "bpf"});
  return run_json(args, outcome);
}

// The ids that "prog_id:" or "link_id:" lines in pid's fdinfo name: the
// BPF objects its descriptors hold.
std::set<std::string> bpf_ids(pid_t pid, const std::string &field) {
  std::set<std::string> ids;
  const std::string dir = "/proc/" + std::to_string(pid) + "/fdinfo";
  DIR *d = ::opendir(dir.c_str());
  if (d == nullptr) {
    return ids;
  }
  while (const dirent *e = ::readdir(d)) {
    std::istringstream info(read_file(dir + "/" + e->d_name));
    std::string line;
    while (std::getline(info, line)) {
      if (line.rfind(field + ":", 0) == 0) {
        std::string id = line.substr(field.size() + 1);
        id.erase(0, id.find_first_not_of(" \t"));
        ids.insert(id);
      }
    }
  }
  ::closedir(d);
  return ids;
}

// The total calls of each text report (snapshots and the final one).
std::vector<long long> bpf_report_totals(const std::string &text) {
  std::vector<long long> totals;
  const std::regex header(R"(monitored by bpf, .*, (\d+) calls? in )");
  for (std::sregex_iterator it(text.begin(), text.end(), header), end;
       it != end; ++it) {
    totals.push_back(std::stoll((*it)[1]));
  }
  return totals;
}

} // namespace

TEST_CASE("bpf: a rename through /proc/self/task/TID/comm is exact", "[bpf]") {
  NEEDS_BPF();
  const auto r = run_bpf({"--", helper("hw_comm_file"), "25", "via-procfs"});
  CHECK(calls(r, "openat", "hw_comm_file") == 2);
  CHECK(calls(r, "write", "hw_comm_file") == 26);
  CHECK(calls(r, "write", "via-procfs") == 25);
  CHECK(calls(r, "close", "via-procfs") == 2);
  CHECK(calls(r, "close", "hw_comm_file") == 0);
  CHECK(r["total_calls"] == 55);
}

TEST_CASE("bpf: 256 threads x 1000 writes are exact", "[bpf]") {
  NEEDS_BPF();
  const auto r = run_bpf({"-e", "write", "--max-entries", "256", "--",
                          helper("hw_threads"), "256", "1000"});
  CHECK(calls(r, "write") == 256000);
  REQUIRE(r["syscalls"].size() == 1);
  CHECK(r["syscalls"][0]["callers"].size() == 256);
  for (const auto &c : r["syscalls"][0]["callers"]) {
    CHECK(c["calls"] == 1000);
  }
}

TEST_CASE("bpf: a full staging map reports its lost calls", "[bpf]") {
  NEEDS_BPF();
  // 16 keys, 3000 names in a few ms: most calls find the map full.
  ::setenv("SYSCALLMON_BPF_STAGING_ENTRIES", "16", 1);
  Outcome o;
  const auto r = run_bpf({"--", helper("hw_rename_loop"), "3000"}, &o);
  ::unsetenv("SYSCALLMON_BPF_STAGING_ENTRIES");
  REQUIRE(o.exit_code == 0);
  const long long lost = r["table"]["lost_calls"];
  const long long kept = r["total_calls"];
  const long long evicted = r["table"]["evicted_calls"];
  CHECK(lost > 0);
  CHECK(kept + evicted + lost == 3002); // openat 1, write 3000, close 1
  // The text footer says it too.
  ::setenv("SYSCALLMON_BPF_STAGING_ENTRIES", "16", 1);
  const auto text = run({syscallmon(), "--engine", "bpf", "-e", "write", "--",
                         helper("hw_rename_loop"), "3000"});
  ::unsetenv("SYSCALLMON_BPF_STAGING_ENTRIES");
  CHECK(text.err.find("; lost ") != std::string::npos);
  CHECK(text.err.find("; lost 0 calls") == std::string::npos);
}

TEST_CASE("bpf: an ignored SIGCHLD keeps the exit status and stays ignored "
          "in the command",
          "[bpf][signals]") {
  NEEDS_BPF();
  // Ignored, SIGCHLD has the kernel reap the command for us: waitpid()
  // fails with ECHILD, and the status was lost (exit 0).
  auto o =
      run({"/usr/bin/env", "--ignore-signal=CHLD", syscallmon(), "--engine",
           "bpf", "-q", "-o", "/dev/null", "--", "/bin/sh", "-c", "exit 3"});
  CHECK(o.exit_code == 3);
  CHECK(o.err.empty());
  o = run({"/usr/bin/env", "--ignore-signal=CHLD", syscallmon(), "--engine",
           "bpf", "-q", "-o", "/dev/null", "--", "/bin/grep", "SigIgn",
           "/proc/self/status"});
  CHECK(o.exit_code == 0);
  CHECK(o.out == "SigIgn:\t0000000000010000\n"); // SIGCHLD
}

TEST_CASE("bpf: failures and times that find the staging map full are lost "
          "calls too",
          "[bpf]") {
  NEEDS_BPF();
  // One key: the calls of openat take it, and each failure (a key of its
  // own, at sys_exit) finds no room, unless a drain came between. Each
  // of the 50 failures is counted or lost, whatever the timing; it was
  // dropped silently.
  ::setenv("SYSCALLMON_BPF_STAGING_ENTRIES", "1", 1);
  Outcome o;
  const auto r = run_bpf(
      {"-e", "openat", "--errors", "--", helper("hw_failopen"), "50"}, &o);
  ::unsetenv("SYSCALLMON_BPF_STAGING_ENTRIES");
  REQUIRE(o.exit_code == 0);
  long long errors = 0;
  for (const auto &s : r["syscalls"]) {
    for (const auto &c : s["callers"]) {
      errors += c.value("errors", 0LL);
    }
  }
  const long long made = calls(r, "openat");
  const long long lost = r["table"]["lost_calls"];
  INFO("calls " << made << ", errors " << errors << ", lost " << lost);
  CHECK(errors + lost >= 50);
  CHECK(made + lost >= 51);
  CHECK(made + errors + lost <= 101);
}

TEST_CASE("bpf: a bad staging size is a usage error", "[bpf]") {
  NEEDS_BPF();
  ::setenv("SYSCALLMON_BPF_STAGING_ENTRIES", "lots", 1);
  const auto o = run({syscallmon(), "--engine", "bpf", "--", "true"});
  ::unsetenv("SYSCALLMON_BPF_STAGING_ENTRIES");
  CHECK(o.exit_code == 2);
  CHECK(o.err == "syscallmon: SYSCALLMON_BPF_STAGING_ENTRIES: 'lots' is not "
                 "a size from 1 to 16777216\n");
}

TEST_CASE("bpf: an unprivileged user gets one line and exit 1", "[bpf]") {
  NEEDS_BPF();
  if (const auto why = needs_program("/usr/bin/setpriv")) {
    SKIP_TEST(*why);
  }
  const auto o = run({"/usr/bin/setpriv", "--reuid", "65534", "--regid",
                      "65534", "--clear-groups", syscallmon(), "--engine",
                      "bpf", "--", helper("hw_rw"), "1"});
  CHECK(o.exit_code == 1);
  CHECK(o.err == "syscallmon: --engine bpf needs CAP_BPF and CAP_PERFMON "
                 "(run it as root); the ptrace engine needs neither\n");
}

TEST_CASE("bpf: a PID namespace of its own gets one line and exit 1, not "
          "a hang",
          "[bpf]") {
  NEEDS_BPF();
  if (const auto why = needs_program("/usr/bin/unshare")) {
    SKIP_TEST(*why);
  }
  // The kernel side sees global pids, syscallmon its namespace's: nothing
  // was counted and the run never ended. --kill-child: a timeout's kill of
  // unshare takes syscallmon with it.
  const auto o = run({"/usr/bin/unshare", "--pid", "--fork", "--mount-proc",
                      "--kill-child", syscallmon(), "--engine", "bpf", "--",
                      helper("hw_rw"), "1"},
                     20);
  CHECK(o.exit_code == 1);
  CHECK(o.err == "syscallmon: --engine bpf needs the initial PID namespace "
                 "and syscallmon runs in another one (a container); the "
                 "ptrace engine works there\n");
  // The ptrace engine does work there.
  const auto p = run({"/usr/bin/unshare", "--pid", "--fork", "--mount-proc",
                      "--kill-child", syscallmon(), "-q", "-o", "/dev/null",
                      "--", "/bin/sh", "-c", "exit 3"},
                     20);
  CHECK(p.exit_code == 3);
  // --system is bpf alone: its line names it, not the other engine.
  const auto s = run({"/usr/bin/unshare", "--pid", "--fork", "--mount-proc",
                      "--kill-child", syscallmon(), "--system"},
                     20);
  CHECK(s.exit_code == 1);
  CHECK(s.err == "syscallmon: --system needs the initial PID namespace and "
                 "syscallmon runs in another one (a container)\n");
}

TEST_CASE("bpf: --affinity is a usage error that names it", "[bpf]") {
  const auto o =
      run({syscallmon(), "--engine", "bpf", "--affinity", "off", "--", "true"});
  CHECK(o.exit_code == 2);
  CHECK(o.err == "syscallmon: --affinity applies to the ptrace engine only, "
                 "not to --engine bpf (see --help)\n");
}

TEST_CASE("bpf: after SIGKILL no program or link of ours is left", "[bpf]") {
  NEEDS_BPF();
  if (const auto why = needs_program("/usr/sbin/bpftool")) {
    SKIP_TEST(*why);
  }
  const std::string dir = temp_dir();
  // The command outlives the test's polling (20 s) even on a loaded host;
  // it is killed at the end.
  const pid_t mon = spawn({syscallmon(), "--engine", "bpf", "--",
                           helper("hw_counter"), "1000", "20"},
                          dir + "/out", dir + "/err");
  std::set<std::string> progs;
  std::set<std::string> links;
  for (int i = 0; i < 200 && (progs.size() < 4 || links.size() < 4); ++i) {
    sleep_ms(10);
    progs = bpf_ids(mon, "prog_id");
    links = bpf_ids(mon, "link_id");
  }
  REQUIRE(progs.size() == 4); // sys_enter, fork, exit, exec
  REQUIRE(links.size() == 4);
  // Attached is not yet released: the command waits on a pipe until we
  // let it exec, and a kill before that ends it too. Wait for its output.
  for (int i = 0; i < 500 && read_file(dir + "/out").empty(); ++i) {
    sleep_ms(10);
  }
  REQUIRE(!read_file(dir + "/out").empty());
  ::kill(mon, SIGKILL);
  CHECK(wait_exit(mon) == 128 + SIGKILL);
  // The kernel frees them once the last fd is gone (after an RCU grace
  // period): look for up to 2 s.
  std::set<std::string> left = progs;
  for (int i = 0; i < 200 && !left.empty(); ++i) {
    std::set<std::string> still;
    for (const auto &id : left) {
      if (run({"/usr/sbin/bpftool", "prog", "show", "id", id}).exit_code == 0) {
        still.insert(id);
      }
    }
    left = still;
    if (!left.empty()) {
      sleep_ms(10);
    }
  }
  CHECK(left.empty());
  const auto link_list = run({"/usr/sbin/bpftool", "link", "show"});
  for (const auto &id : links) {
    CHECK(link_list.out.find("\n" + id + ": ") == std::string::npos);
    CHECK(link_list.out.rfind(id + ": ", 0) == std::string::npos);
  }
  // The command runs on, uncounted, as it would without syscallmon.
  CHECK(!live_group_members(mon).empty());
  ::kill(-mon, SIGKILL);
}

TEST_CASE("bpf: SIGUSR1 and SIGUSR2 work as under ptrace", "[bpf][live]") {
  NEEDS_BPF();
  // 3 batches of 20 writes, 400 ms apart: a snapshot after the first, a
  // clear after the second.
  const std::string dir = temp_dir();
  const pid_t mon = spawn({syscallmon(), "--engine", "bpf", "-e", "write", "--",
                           helper("hw_batches"), "3", "20", "400"},
                          dir + "/out", dir + "/err");
  sleep_ms(200);
  ::kill(mon, SIGUSR1);
  sleep_ms(400);
  ::kill(mon, SIGUSR2);
  CHECK(wait_exit(mon) == 0);
  const std::string err = read_file(dir + "/err");
  INFO(err);
  CHECK(bpf_report_totals(err) == std::vector<long long>{20, 20});
}

TEST_CASE("bpf: -p --interval counts a running process until SIGINT", "[bpf]") {
  NEEDS_BPF();
  const std::string dir = temp_dir();
  const pid_t target = spawn({helper("hw_counter"), "100000", "5"},
                             dir + "/tout", dir + "/terr");
  sleep_ms(50);
  const pid_t mon = spawn({syscallmon(), "--engine", "bpf", "-e", "write", "-p",
                           std::to_string(target), "--interval", "0.1"},
                          dir + "/out", dir + "/err");
  REQUIRE(wait_catches(mon, SIGINT));
  sleep_ms(600);
  ::kill(mon, SIGINT);
  CHECK(wait_exit(mon) == 0);
  const auto totals = bpf_report_totals(read_file(dir + "/err"));
  INFO(read_file(dir + "/err"));
  REQUIRE(totals.size() >= 3);
  CHECK(std::is_sorted(totals.begin(), totals.end()));
  CHECK(totals.back() > 10);
  CHECK(totals.back() < 200);
  // Detached, the target runs on.
  CHECK(::kill(target, 0) == 0);
  ::kill(target, SIGKILL);
  wait_exit(target);
}

TEST_CASE("bpf: a -p target that exits between its check and its counting "
          "does not hang the run",
          "[bpf]") {
  NEEDS_BPF();
  // The target exits when its /proc/PID/status has been read a third
  // time: the last look of syscallmon's checks (the pid is read once
  // when the options are resolved, twice by the check). 30 processes
  // checked after it give it time to go before it is put in the traced
  // set, where the exit program would never take it out. A loaded host
  // may wake it too late: up to 3 tries, every one must end.
  bool exercised = false;
  for (int attempt = 0; attempt < 3 && !exercised; ++attempt) {
    const std::string dir = temp_dir();
    const pid_t target =
        spawn({helper("hw_exit_watched"), "3"}, dir + "/tout", dir + "/terr");
    for (int i = 0; i < 400 && read_file(dir + "/tout").empty(); ++i) {
      sleep_ms(5);
    }
    REQUIRE(read_file(dir + "/tout") == "ready\n");
    std::vector<std::string> args = {"--engine", "bpf", "-e",
                                     "write",    "-p",  std::to_string(target)};
    std::vector<pid_t> others;
    for (int i = 0; i < 30; ++i) {
      others.push_back(
          spawn({"/bin/sleep", "1"}, dir + "/sout", dir + "/serr"));
      args.insert(args.end(), {"-p", std::to_string(others.back())});
    }
    Outcome o;
    const auto r = run_json(args, &o, 20);
    CHECK(o.exit_code == 0);
    CHECK(r["total_calls"] == 0);
    const std::string warning = "syscallmon: warning: pid " +
                                std::to_string(target) +
                                " exited before it could be counted\n";
    INFO("stderr: " << o.err);
    CHECK((o.err.empty() || o.err == warning));
    exercised = o.err == warning;
    CHECK(wait_exit(target) == 0);
    for (const pid_t pid : others) {
      wait_exit(pid);
    }
  }
  CHECK(exercised);
}

TEST_CASE("bpf: a -p process forking while the run stops leaves no child "
          "behind",
          "[bpf]") {
  NEEDS_BPF();
  // Hundreds of members, each 5 s alive, and more forked all the time by
  // 4 loops: stop() took the members out one by one, and a child forked
  // meanwhile by a loop not yet taken out stayed, counted, keeping the run
  // going until it exited (5 s). The run must end at once, with no member
  // left. (That race is a few microseconds wide: this host did not hit it
  // in 6 runs of the old code, so this guards the stop path, not the
  // race itself; docs/design.md says why the flag closes it.)
  const std::string dir = temp_dir();
  const pid_t target =
      spawn({"/bin/sh", "-c",
             "for i in 1 2 3 4; do (while :; do /bin/sleep 5 & done) & done; "
             "wait"},
            dir + "/tout", dir + "/terr");
  sleep_ms(100);
  const pid_t mon =
      spawn({syscallmon(), "--engine", "bpf", "-q", "-o", "/dev/null", "-e",
             "write", "-p", std::to_string(target)},
            dir + "/out", dir + "/err");
  // Its handlers first (ASan's start-up is slow under this fork storm),
  // then time to attach and count.
  REQUIRE(wait_catches(mon, SIGINT));
  sleep_ms(400);
  const auto start = std::chrono::steady_clock::now();
  ::kill(mon, SIGINT);
  CHECK(wait_exit(mon, 20) == 0);
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  CHECK(took < 2.0);
  CHECK(read_file(dir + "/err").empty());
  ::kill(-target, SIGKILL);
  wait_exit(target);
}

TEST_CASE("bpf: SIGTERM is forwarded and the exit status comes through",
          "[bpf]") {
  NEEDS_BPF();
  const auto mon = spawn_json({"--engine", "bpf", "-e", "write", "--",
                               helper("hw_counter"), "1000", "10"});
  sleep_ms(300);
  ::kill(mon.pid, SIGTERM);
  CHECK(wait_exit(mon.pid) == 128 + SIGTERM);
  const auto r = mon.report();
  CHECK(r["exit_status"] == 128 + SIGTERM);
  CHECK(calls(r, "write") > 0);
}

TEST_CASE("bpf: 32-bit calls get their own [i386] rows", "[bpf][i386]") {
  NEEDS_BPF();
  if (auto why = i386_unavailable()) {
    SKIP_TEST(*why);
  }
  // The program reads TS_COMPAT straight from the task (btf_offsets.cpp):
  // a wrong offset would put these calls in x86_64 rows.
  const auto r = run_bpf({"--", helper("hw_rw32"), "11"});
  CHECK(calls(r, "write", "hw_rw32", "i386") == 11);
  CHECK(calls(r, "read", "hw_rw32", "i386") == 11);
  CHECK(calls(r, "openat", "hw_rw32", "i386") == 2);
  CHECK(calls(r, "write", "", "x86_64") == 0);
}
