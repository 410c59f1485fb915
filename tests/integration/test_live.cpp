// Live view (--interval, --stats-file, SIGUSR1/SIGUSR2), the CSV and
// OpenMetrics formats, --errors, --time and --by.

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <sys/wait.h>

#include <algorithm>
#include <regex>
#include <set>

#include "harness.hpp"

using namespace itest;

namespace {

const std::string kPython = "/usr/bin/python3";

std::vector<long long> snapshot_totals(const std::string &text) {
  std::vector<long long> totals;
  const std::regex header(R"(monitored by \w+, .*, (\d+) calls? in )");
  for (std::sregex_iterator it(text.begin(), text.end(), header), end;
       it != end; ++it) {
    totals.push_back(std::stoll((*it)[1]));
  }
  return totals;
}

bool have_prometheus_parser() {
  return run({kPython, "-c", "import prometheus_client.openmetrics.parser"})
             .exit_code == 0;
}

} // namespace

TEST_CASE("interval reports show growing snapshots", "[live]") {
  const std::string dir = temp_dir();
  auto o = run({syscallmon(), "-o", dir + "/r.txt", "-e", "write", "--interval",
                "0.25", "--", helper("hw_batches"), "4", "10", "250"});
  REQUIRE(o.exit_code == 0);
  const std::string text = read_file(dir + "/r.txt");
  const auto totals = snapshot_totals(text);
  REQUIRE(totals.size() >= 3);
  CHECK(totals.back() == 40); // the final report
  CHECK(std::is_sorted(totals.begin(), totals.end()));
  CHECK(totals.front() < 40);
  const auto stamps = std::count(text.begin(), text.end(), 'Z');
  CHECK(text.find("syscallmon: snapshot at ") == 0);
  CHECK(stamps >= static_cast<long>(totals.size() - 1));
}

TEST_CASE("the stats file always holds a complete report", "[live]") {
  const std::string dir = temp_dir();
  const std::string stats = dir + "/stats.json";
  const pid_t mon = spawn({syscallmon(), "-f", "json", "--stats-file", stats,
                           "--interval", "0.01", "-e", "write", "--",
                           helper("hw_batches"), "40", "50", "10"},
                          dir + "/out", dir + "/err");
  int parsed = 0;
  long long last = 0;
  bool monotonic = true;
  bool exited = false;
  for (int i = 0; i < 30000 && !exited; ++i) {
    exited = ::waitpid(mon, nullptr, WNOHANG) == mon;
    const std::string text = read_file(stats);
    if (!text.empty()) {
      const auto j = nlohmann::json::parse(text); // throws if torn
      const long long n = j["total_calls"].get<long long>();
      monotonic = monotonic && n >= last;
      last = n;
      ++parsed;
    }
    sleep_ms(1);
  }
  REQUIRE(exited);
  CHECK(parsed > 20);
  CHECK(monotonic);
  struct stat st {};
  REQUIRE(::stat(stats.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);
  const auto final_report = nlohmann::json::parse(read_file(stats));
  CHECK(final_report["total_calls"] == 2000);
}

TEST_CASE("SIGUSR2 clears the counts", "[live]") {
  // 2 batches of 30 writes, 600 ms apart: clear between them.
  const auto mon =
      spawn_json({"-e", "write", "--", helper("hw_batches"), "2", "30", "600"});
  sleep_ms(300);
  ::kill(mon.pid, SIGUSR2);
  CHECK(wait_exit(mon.pid) == 0);
  CHECK(calls(mon.report(), "write") == 30);
}

TEST_CASE("SIGUSR1 writes a snapshot now", "[live]") {
  const std::string dir = temp_dir();
  const pid_t mon = spawn({syscallmon(), "-e", "write", "--",
                           helper("hw_batches"), "2", "7", "500"},
                          dir + "/out", dir + "/err");
  sleep_ms(250);
  ::kill(mon, SIGUSR1);
  CHECK(wait_exit(mon) == 0);
  const auto totals = snapshot_totals(read_file(dir + "/err"));
  REQUIRE(totals.size() == 2);
  CHECK(totals[0] == 7);
  CHECK(totals[1] == 14);
}

TEST_CASE("SIGUSR1 updates the stats file", "[live]") {
  const std::string dir = temp_dir();
  const std::string stats = dir + "/stats.txt";
  // An hour-long interval: only the signal can write the file early.
  const pid_t mon =
      spawn({syscallmon(), "-e", "write", "--stats-file", stats, "--interval",
             "3600", "--", helper("hw_batches"), "2", "5", "600"},
            dir + "/out", dir + "/err");
  sleep_ms(300);
  CHECK(read_file(stats).empty());
  ::kill(mon, SIGUSR1);
  sleep_ms(100);
  CHECK(snapshot_totals(read_file(stats)) == std::vector<long long>{5});
  CHECK(wait_exit(mon) == 0);
  CHECK(snapshot_totals(read_file(stats)) == std::vector<long long>{10});
}

// Writes the report of one run in JSON and in `format` to dir, and checks
// with check_formats.py (option --csv or --openmetrics) that they agree.
void check_format_matches_json(const std::string &format,
                               const std::string &option) {
  const std::string dir = temp_dir();
  // --errors and --time add columns and metric families: parse those too.
  const std::vector<std::string> cmd = {"--errors", "--time", "--",
                                        helper("hw_badname"), "3"};
  for (const std::string &fmt : {std::string("json"), format}) {
    std::vector<std::string> argv = {syscallmon(), "-f", fmt, "-o",
                                     dir + "/r." + fmt};
    argv.insert(argv.end(), cmd.begin(), cmd.end());
    REQUIRE(run(argv).exit_code == 0);
  }
  auto o = run({kPython, SOURCE_DIR "/tests/integration/check_formats.py",
                dir + "/r.json", option, dir + "/r." + format});
  INFO(o.out << o.err);
  CHECK(o.exit_code == 0);
  CHECK(o.out == "ok: 3 entries agree\n"); // write, openat, close
}

TEST_CASE("CSV parses and matches the JSON", "[formats]") {
  check_format_matches_json("csv", "--csv");
}

TEST_CASE("OpenMetrics parses and matches the JSON", "[formats]") {
  if (!have_prometheus_parser()) {
    SKIP_TEST("no OpenMetrics parser (python3-prometheus-client)");
  }
  check_format_matches_json("openmetrics", "--openmetrics");
}

TEST_CASE("errors are counted failed calls by errno", "[formats][errors]") {
  auto r = run_json(
      {"--errors", "-e", "openat,close", "--", helper("hw_failopen"), "17"});
  const auto &openat = r["syscalls"][0];
  REQUIRE(openat["name"] == "openat");
  CHECK(openat["calls"] == 18);
  CHECK(openat["errors"] == 17);
  CHECK(openat["callers"][0]["errnos"] == nlohmann::json({{"ENOENT", 17}}));
  const std::string dir = temp_dir();
  auto o = run({syscallmon(), "--errors", "-e", "openat", "-o", dir + "/r.txt",
                "--", helper("hw_failopen"), "17"});
  CHECK(o.exit_code == 0);
  CHECK(read_file(dir + "/r.txt").find("  18  Errors: 17\n") !=
        std::string::npos);
}

TEST_CASE("time is measured time inside calls", "[formats]") {
  auto r = run_json({"--time", "-e", "clock_nanosleep,nanosleep", "--",
                     helper("hw_batches"), "3", "0", "50"});
  double total = 0;
  double max = 0;
  for (const auto &s : r["syscalls"]) {
    for (const auto &c : s["callers"]) {
      total += c["time_s"].get<double>();
      max = std::max(max, c["max_time_s"].get<double>());
    }
  }
  CHECK(total >= 0.15);
  CHECK(total < 1.5);
  CHECK(max >= 0.05);
}

TEST_CASE("keying by pid gives one entry per process", "[formats]") {
  auto r = run_json({"--by", "image,uid,pid", "-e", "write", "--",
                     helper("hw_fork"), "4", "25"});
  const auto &callers = r["syscalls"][0]["callers"];
  REQUIRE(callers.size() == 4);
  std::set<int> pids;
  for (const auto &c : callers) {
    CHECK(c["calls"] == 25);
    pids.insert(c["pid"].get<int>());
  }
  CHECK(pids.size() == 4);
}

TEST_CASE("sort and top apply to every format", "[formats]") {
  const std::string dir = temp_dir();
  auto r = run_json({"--top", "2", "--sort", "name", "-e", "write", "--",
                     helper("hw_threads"), "4", "5"});
  const auto &callers = r["syscalls"][0]["callers"];
  REQUIRE(callers.size() == 2);
  CHECK(callers[0]["image"] == "worker-0");
  CHECK(callers[1]["image"] == "worker-1");
  CHECK(r["syscalls"][0]["more"] == 2);
  auto o = run({syscallmon(), "-f", "csv", "--top", "1", "-o", dir + "/r.csv",
                "-e", "write", "--", helper("hw_threads"), "3", "5"});
  CHECK(o.exit_code == 0);
  const std::string csv = read_file(dir + "/r.csv");
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 2);
}

TEST_CASE("an exec that renames the thread keeps its time", "[formats]") {
  // Each execve is timed at its exit stop, after the exec changed the
  // thread's name: the time must still go to the caller's entry.
  auto r = run_json({"-e", "execve", "--time", "--", helper("hw_exec"), "0",
                     helper("hw_exec"), "0", helper("hw_rw"), "1"});
  const auto &c = r["syscalls"][0]["callers"][0];
  CHECK(c["image"] == "hw_exec");
  CHECK(c["calls"] == 2);
  CHECK(c["time_s"].get<double>() > c["max_time_s"].get<double>());
}

TEST_CASE("a -o FIFO with no reader fails at once before the command runs",
          "[live][errors]") {
  const std::string dir = temp_dir();
  const std::string fifo = dir + "/fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  auto o = run({syscallmon(), "-o", fifo, "--", "/bin/sh", "-c",
                "touch " + dir + "/ran"});
  CHECK(o.exit_code == 1);
  CHECK(o.err.find("cannot open " + fifo + ": a FIFO with no reader") !=
        std::string::npos);
  CHECK(std::count(o.err.begin(), o.err.end(), '\n') == 1);
  CHECK(::access((dir + "/ran").c_str(), F_OK) != 0);
}

TEST_CASE("a --stats-file FIFO never stalls the run", "[live][errors]") {
  const std::string dir = temp_dir();
  const std::string fifo = dir + "/fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  // No reader: every rewrite is skipped with one warning, the command runs
  // to its end and the run succeeds.
  auto o = run({syscallmon(), "-o", dir + "/r.txt", "-e", "write",
                "--stats-file", fifo, "--interval", "0.05", "--",
                helper("hw_batches"), "4", "10", "50"});
  CHECK(o.exit_code == 0);
  CHECK(o.err.find("cannot update the stats file: cannot open " + fifo +
                   ": a FIFO with no reader") != std::string::npos);
  CHECK(read_file(dir + "/r.txt").find("40 calls") != std::string::npos);
  // With a reader the report arrives.
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  REQUIRE(reader >= 0);
  o = run({syscallmon(), "-e", "write", "--stats-file", fifo, "--",
           helper("hw_rw"), "3"});
  CHECK(o.exit_code == 0);
  std::string got(65536, '\0');
  const ssize_t n = ::read(reader, got.data(), got.size());
  ::close(reader);
  REQUIRE(n > 0);
  got.resize(static_cast<std::size_t>(n));
  CHECK(got.find("System call: write") != std::string::npos);
}
