// Torture tests: exact counts under load, faults and hostile input. Each
// is bounded in time and cleans up after itself.

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <regex>

#include "harness.hpp"

using namespace itest;

namespace {

// syscallmon's own peak RSS in KiB, as it logs it with -v (GNU time's %M
// would include the command it reaps).
long peak_rss_kib(const std::vector<std::string> &args) {
  std::vector<std::string> argv = {syscallmon(), "-v", "-o", "/dev/null"};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto o = run(argv);
  REQUIRE(o.exit_code == 0);
  std::smatch m;
  REQUIRE(std::regex_search(o.err, m, std::regex(R"(peak RSS (\d+) KiB)")));
  return std::stol(m[1]);
}

} // namespace

TEST_CASE("a storm of 1981 short-lived processes is counted exactly",
          "[torture]") {
  Outcome o;
  // 1 + 44 + 44*44 processes in three levels, 3 writes each.
  auto r = run_json({"--", helper("hw_forktree"), "2", "44", "3"}, &o);
  CHECK(o.exit_code == 0);
  CHECK(calls(r, "write") == 1981 * 3);
  CHECK(calls(r, "openat") == 1981);
  CHECK(calls(r, "close") == 1981);
}

TEST_CASE("64 threads created and exiting concurrently", "[torture]") {
  auto r = run_json({"-e", "write", "--", helper("hw_threads"), "64", "500"});
  CHECK(calls(r, "write") == 64 * 500);
  CHECK(r["syscalls"][0]["callers"].size() == 64);
  CHECK(calls(r, "write", "worker-63") == 500);
}

TEST_CASE("5000 image names with 64 entries: evictions counted exactly",
          "[torture]") {
  auto r = run_json({"-e", "write", "--max-entries", "64", "--",
                     helper("hw_rename_loop"), "5000"});
  const auto &t = r["table"];
  CHECK(t["max_entries"] == 64);
  CHECK(t["evicted_entries"] == 5000 - 64);
  CHECK(t["evicted_calls"] == 5000 - 64);
  CHECK(r["total_calls"].get<long long>() +
            t["evicted_calls"].get<long long>() ==
        5000);
  CHECK(r["syscalls"][0]["callers"].size() == 64);
  // The last 64 names survive (FIFO).
  CHECK(calls(r, "write", "n4999") == 1);
  CHECK(calls(r, "write", "n4936") == 1);
  CHECK(calls(r, "write", "n4935") == 0);
}

TEST_CASE("5000 image names with 64 entries stay under 16 MiB of RSS",
          "[torture]") {
  if (SANITIZED_BUILD) {
    SKIP_TEST("sanitizer shadow memory inflates RSS in this build");
  }
  const long rss = peak_rss_kib({"-e", "write", "--max-entries", "64", "--",
                                 helper("hw_rename_loop"), "5000"});
  CHECK(rss < 16 * 1024);
}

TEST_CASE("syscallmon killed by SIGKILL leaves no filtered process behind",
          "[torture][signals]") {
  const std::string dir = temp_dir();
  const pid_t mon = spawn({syscallmon(), "-e", "write", "--", "/bin/sh", "-c",
                           helper("hw_batches") + " 1000 1 20 & " +
                               helper("hw_batches") + " 1000 1 20 & wait"},
                          dir + "/out", dir + "/err");
  sleep_ms(300);
  REQUIRE(live_group_members(mon).size() >= 4); // syscallmon, sh, 2 helpers
  ::kill(mon, SIGKILL);
  CHECK(wait_exit(mon) == 128 + SIGKILL);
  std::vector<pid_t> left;
  for (int i = 0; i < 300; ++i) {
    left = live_group_members(mon);
    if (left.empty()) {
      break;
    }
    sleep_ms(10);
  }
  CHECK(left.empty());
  for (const pid_t p : left) {
    ::kill(p, SIGKILL);
  }
}

TEST_CASE("a tracer inside the command ends with its own status, no hang",
          "[torture]") {
  if (auto why = needs_program("/usr/bin/strace")) {
    SKIP_TEST(*why);
  }
  // A task has one tracer: the inner strace cannot trace what we trace.
  // It must fail cleanly, and its exit status must come through.
  const auto plain =
      run({"/usr/bin/strace", "-f", "-o", "/dev/null", "--", "/usr/bin/strace",
           "-o", "/dev/null", helper("hw_rw"), "5"});
  auto o = run({syscallmon(), "-q", "-o", "/dev/null", "--", "/usr/bin/strace",
                "-f", "-o", "/dev/null", helper("hw_rw"), "5"},
               30);
  CHECK(o.exit_code == plain.exit_code);
  CHECK(o.err.find("Operation not permitted") != std::string::npos);
}

TEST_CASE("the command can run as another user", "[torture][root]") {
  if (auto why = needs_root()) {
    SKIP_TEST(*why);
  }
  Outcome o;
  auto r = run_json({"-u", "nobody", "-e", "write", "--", "/usr/bin/id"}, &o);
  CHECK(o.exit_code == 0);
  CHECK(o.out.find(
            "uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)") == 0);
  const auto &callers = r["syscalls"][0]["callers"];
  REQUIRE(callers.size() == 1);
  CHECK(callers[0]["uid"] == 65534);
  // A numeric uid, with and without a passwd entry.
  r = run_json({"-u", "65534", "-e", "write", "--", "/usr/bin/id"}, &o);
  CHECK(o.exit_code == 0);
  CHECK(o.out.find("uid=65534(nobody) gid=65534(nogroup)") == 0);
  r = run_json({"-u", "4000000", "-e", "write", "--", "/usr/bin/id"}, &o);
  CHECK(o.exit_code == 0);
  CHECK(o.out == "uid=4000000 gid=4000000 groups=4000000\n");
  REQUIRE(r["syscalls"][0]["callers"].size() == 1);
  CHECK(r["syscalls"][0]["callers"][0]["uid"] == 4000000);
  auto bad = run({syscallmon(), "-u", "no-such-user-xyz", "--", "true"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err == "syscallmon: unknown user 'no-such-user-xyz'\n");
  bad = run({syscallmon(), "-u", "4294967295", "--", "true"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err == "syscallmon: invalid uid '4294967295'\n");
}

TEST_CASE("malformed options each exit 2 with one line", "[torture][errors]") {
  const std::vector<std::vector<std::string>> table = {
      {"-e", ""},
      {"-e", ",,"},
      {"-e", "!"},
      {"--max-entries", "0"},
      {"--max-entries", "99999999999999999999"},
      {"--max-entries", "-5"},
      {"--max-syscalls", "-1"},
      {"--bar-width", "-2"},
      {"--top", "-1"},
      {"-p", "abc"},
      {"-p", "0"},
      {"--format", "yaml"},
      {"--interval", "-1"},
      {"--sort", "bogus"},
      {"--by", "user"},
      {"--no-such-option"},
  };
  for (const auto &args : table) {
    std::vector<std::string> argv = {syscallmon()};
    argv.insert(argv.end(), args.begin(), args.end());
    if (args.front() != "-p") {
      argv.insert(argv.end(), {"--", "/bin/true"});
    }
    const auto o = run(argv);
    INFO(args.front() << " " << (args.size() > 1 ? args[1] : ""));
    INFO(o.err);
    CHECK(o.exit_code == 2);
    CHECK(std::count(o.err.begin(), o.err.end(), '\n') == 1);
    CHECK(o.err.rfind("syscallmon: ", 0) == 0);
  }
}

TEST_CASE("another user's symlink in a sticky directory is never followed",
          "[torture][security]") {
  if (auto why = needs_root()) {
    SKIP_TEST(*why);
  }
  // fs.protected_symlinks may be off: syscallmon applies the rule itself.
  const std::string outside = temp_dir();
  const std::string sticky = temp_dir();
  REQUIRE(::chmod(sticky.c_str(), 01777) == 0);
  const std::string victim = outside + "/victim";
  {
    std::FILE *f = std::fopen(victim.c_str(), "w");
    std::fputs("precious\n", f);
    std::fclose(f);
  }
  const std::string fifo = outside + "/fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  REQUIRE(reader >= 0);
  for (const char *opt : {"-o", "--stats-file"}) {
    for (const std::string &target : {victim, fifo}) {
      const std::string link = sticky + "/r.txt";
      ::unlink(link.c_str());
      REQUIRE(::symlink(target.c_str(), link.c_str()) == 0);
      REQUIRE(::lchown(link.c_str(), 65534, 65534) == 0);
      auto o = run(
          {syscallmon(), opt, link, "-e", "write", "--", helper("hw_rw"), "1"});
      CHECK(o.exit_code == 0);
      struct stat st {};
      REQUIRE(::lstat(link.c_str(), &st) == 0);
      CHECK(S_ISREG(st.st_mode)); // the link was replaced
      CHECK(read_file(link).find("System call: write") != std::string::npos);
    }
  }
  char buf[64];
  CHECK(::read(reader, buf, sizeof buf) <= 0); // nothing came through
  ::close(reader);
  CHECK(read_file(victim) == "precious\n");
}

TEST_CASE("output files replace a symlink instead of writing through it",
          "[torture][security]") {
  const std::string dir = temp_dir();
  const std::string victim = dir + "/victim";
  {
    std::FILE *f = std::fopen(victim.c_str(), "w");
    std::fputs("precious\n", f);
    std::fclose(f);
  }
  for (const char *opt : {"-o", "--stats-file"}) {
    const std::string link = dir + "/report-" + std::string(opt + 1);
    REQUIRE(::symlink(victim.c_str(), link.c_str()) == 0);
    auto o = run(
        {syscallmon(), opt, link, "-e", "write", "--", helper("hw_rw"), "1"});
    CHECK(o.exit_code == 0);
    struct stat st {};
    REQUIRE(::lstat(link.c_str(), &st) == 0);
    CHECK(S_ISREG(st.st_mode));
    CHECK(read_file(victim) == "precious\n");
    CHECK(read_file(link).find("System call: write") != std::string::npos);
  }
}
