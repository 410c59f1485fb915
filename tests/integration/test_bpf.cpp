// The bpf engine on its own: what only it can do exactly, what it costs
// the kernel to be wrong about (a full map, a SIGKILL), and its errors.

#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <dirent.h>
#include <regex>
#include <set>
#include <sstream>

#include "harness.hpp"

using namespace itest;

namespace {

#define NEEDS_BPF()                                                            \
  do {                                                                         \
    if (const auto why_ = bpf_unavailable()) {                                 \
      SKIP_TEST(*why_);                                                        \
    }                                                                          \
  } while (0)

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
