#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <sstream>

#include "fake_syscall_name.hpp"
#include "syscallmon/escape.hpp"
#include "syscallmon/report.hpp"
#include "syscallmon/stats_table.hpp"

using namespace syscallmon;

namespace {

void add(StatsTable &t, std::uint32_t nr, std::string_view image,
         std::uint32_t uid, int n, std::uint16_t arch = 0) {
  for (int i = 0; i < n; ++i) {
    t.record({arch, nr}, EntryKeyView{image, uid, 0});
  }
}

// The issue's sample: write by three callers, read by one.
StatsTable sample_table() {
  StatsTable t(16, 1024);
  add(t, 0, "avahi-daemon", 104, 993);
  add(t, 1, "bash", 0, 51);
  add(t, 1, "sshd", 0, 91);
  add(t, 1, "avahi-daemon", 104, 17109);
  return t;
}

RunInfo sample_run() {
  RunInfo run;
  run.command = {"make", "-j2"};
  run.monitored = {"close", "open", "openat", "read", "write"};
  run.duration_s = 2.31;
  run.exit_status = 0;
  return run;
}

RenderOptions options() {
  RenderOptions o;
  o.syscall_name = testnames::fake_syscall_name;
  return o;
}

std::string render(ReportFormat f, const StatsTable &t, const RunInfo &run,
                   const RenderOptions &o) {
  std::ostringstream out;
  render_report(out, f, t.snapshot(), run, o);
  return out.str();
}

} // namespace

TEST_CASE("text report has the paper's layout", "[report]") {
  const std::string want =
      R"(syscallmon: 5 system calls monitored by ptrace, 3 images, 2 users, 18244 calls in 2.31 s
System call: write                                              17251 calls
    Image:     avahi-daemon  UID: 0104  Count: ++++++++++++++++++++  17109
    Image:             sshd  UID: 0000  Count:                          91
    Image:             bash  UID: 0000  Count:                          51
System call: read                                                 993 calls
    Image:     avahi-daemon  UID: 0104  Count: ++++++++++++++++++++    993
Table: 16 x 1024; evicted 0 system calls, 0 image/uid entries (0 calls)
)";
  REQUIRE(render(ReportFormat::text, sample_table(), sample_run(), options()) ==
          want);
}

TEST_CASE("text bars scale against the group's largest count", "[report]") {
  StatsTable t(16, 16);
  add(t, 1, "a", 0, 10);
  add(t, 1, "b", 0, 5);
  add(t, 1, "c", 0, 1);
  RenderOptions o = options();
  o.bar_width = 10;
  const std::string want =
      R"(syscallmon: 1 system call monitored by ptrace, 3 images, 1 user, 16 calls in 0.00 s
System call: write                                    16 calls
    Image:                a  UID: 0000  Count: ++++++++++  10
    Image:                b  UID: 0000  Count: +++++        5
    Image:                c  UID: 0000  Count: +            1
Table: 16 x 16; evicted 0 system calls, 0 image/uid entries (0 calls)
)";
  RunInfo run;
  run.monitored = {"write"};
  REQUIRE(render(ReportFormat::text, t, run, o) == want);
}

TEST_CASE("text report labels compat arch rows and --top cuts entries",
          "[report]") {
  StatsTable t(16, 16);
  add(t, 1, "x", 7, 3, 1);
  add(t, 1, "y", 7, 2, 1);
  add(t, 1, "z", 7, 1, 1);
  RenderOptions o = options();
  o.top = 1;
  o.bar_width = 4;
  const std::string want =
      "syscallmon: 1 system call monitored by ptrace, 3 images, 1 user, 6 "
      "calls in 0.00 "
      "s\n"
      "System call: write [i386]                       6 calls\n"
      "    Image:                x  UID: 0007  Count: ++++  3\n"
      "    \u2026 2 more\n"
      "Table: 16 x 16; evicted 0 system calls, 0 image/uid entries (0 calls)\n";
  RunInfo run;
  run.monitored = {"write"};
  REQUIRE(render(ReportFormat::text, t, run, o) == want);
}

TEST_CASE("eviction counters are reported", "[report]") {
  StatsTable t(1, 1);
  add(t, 1, "a", 0, 2);
  add(t, 1, "b", 0, 1);
  add(t, 0, "c", 0, 1);
  const std::string out = render(ReportFormat::text, t, RunInfo{}, options());
  REQUIRE(out.find("Table: 1 x 1; evicted 1 system calls, 2 image/uid entries "
                   "(3 calls)\n") != std::string::npos);
}

TEST_CASE("image names are escaped to one printable line", "[report]") {
  REQUIRE(escape_image("bash") == "bash");
  REQUIRE(escape_image("rs:main Q:Reg") == "rs:main Q:Reg");
  REQUIRE(escape_image("a\\b") == "a\\\\b");
  REQUIRE(escape_image("\x1b[31m\n\"q,\x7f\xff") ==
          "\\x1b[31m\\x0a\"q,\\x7f\\xff");
  StatsTable t(16, 16);
  add(t, 1, "evil\nSystem call: fake", 0, 1);
  const std::string out = render(ReportFormat::text, t, RunInfo{}, options());
  REQUIRE(out.find("evil\\x0aSystem call: fake") != std::string::npos);
  REQUIRE(std::count(out.begin(), out.end(), '\n') == 4);
}

TEST_CASE("error messages keep UTF-8 and escape every terminal control",
          "[report][escape]") {
  CHECK(escape_controls("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") ==
        "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"); // é € emoji stay
  CHECK(escape_controls("a\nb\x1b[31m\x7f") == "a\\x0ab\\x1b[31m\\x7f");
  // 8-bit CSI, its UTF-8 form (U+009B), a stray continuation, a truncated
  // sequence, an overlong '/' and a surrogate: all escaped byte by byte.
  CHECK(escape_controls("\x9b"
                        "31m") == "\\x9b31m");
  CHECK(escape_controls("\xc2\x9b") == "\\xc2\\x9b");
  CHECK(escape_controls("\x80x") == "\\x80x");
  CHECK(escape_controls("\xe2\x82") == "\\xe2\\x82");
  CHECK(escape_controls("\xe0\x80\xaf") == "\\xe0\\x80\\xaf");
  CHECK(escape_controls("\xed\xa0\x80") == "\\xed\\xa0\\x80");
  CHECK(escape_controls("back\\slash") == "back\\slash"); // not an escape
}

TEST_CASE("json report has the documented fields", "[report]") {
  const auto j = nlohmann::json::parse(
      render(ReportFormat::json, sample_table(), sample_run(), options()));
  REQUIRE(j["syscallmon"] == 1);
  REQUIRE(j["command"] == nlohmann::json({"make", "-j2"}));
  REQUIRE(j["pids"].empty());
  REQUIRE(j["exit_status"] == 0);
  REQUIRE(j["total_calls"] == 18244);
  REQUIRE(j["table"]["max_syscalls"] == 16);
  REQUIRE(j["table"]["evicted_calls"] == 0);
  REQUIRE(j["syscalls"][0]["name"] == "write");
  REQUIRE(j["syscalls"][0]["arch"] == "x86_64");
  REQUIRE(j["syscalls"][0]["nr"] == 1);
  REQUIRE(j["syscalls"][0]["calls"] == 17251);
  REQUIRE(j["syscalls"][0]["callers"][0] ==
          nlohmann::json(
              {{"image", "avahi-daemon"}, {"uid", 104}, {"calls", 17109}}));
  REQUIRE(j["syscalls"][1]["name"] == "read");
}

TEST_CASE("errno names include the kernel's restart codes", "[report]") {
  // A call interrupted by a signal returns ERESTARTSYS (512) and friends at
  // its exit stop; they have no libc name, and the kernel restarts it.
  StatsTable t(16, 1024);
  add(t, 0, "app", 0, 5);
  EntryStats *e = t.find({0, 0}, EntryKeyView{"app", 0, 0});
  REQUIRE(e != nullptr);
  for (const int err : {2, 512, 513, 514, 516, 4000}) {
    e->errors += 1;
    e->errnos[err] += 1;
  }
  RenderOptions o = options();
  o.errors = true;
  const auto j =
      nlohmann::json::parse(render(ReportFormat::json, t, sample_run(), o));
  const auto &errnos = j["syscalls"][0]["callers"][0]["errnos"];
  CHECK(errnos == nlohmann::json({{"ENOENT", 1},
                                  {"ERESTARTSYS", 1},
                                  {"ERESTARTNOINTR", 1},
                                  {"ERESTARTNOHAND", 1},
                                  {"ERESTART_RESTARTBLOCK", 1},
                                  {"4000", 1}}));
}

TEST_CASE("json keeps escaped names valid", "[report]") {
  StatsTable t(16, 16);
  add(t, 1, "\x1b\n\"\xff", 0, 1);
  const auto j = nlohmann::json::parse(
      render(ReportFormat::json, t, RunInfo{}, options()));
  REQUIRE(j["syscalls"][0]["callers"][0]["image"] == "\\x1b\\x0a\"\\xff");
  REQUIRE(j["exit_status"].is_null());
}

TEST_CASE("json escapes command arguments that are not UTF-8", "[report]") {
  StatsTable t(16, 16);
  RunInfo run;
  run.command = {"sh", "-c", "exit 7", "\xff\xc3", "caf\xc3\xa9\n"};
  const auto j =
      nlohmann::json::parse(render(ReportFormat::json, t, run, options()));
  REQUIRE(j["command"] ==
          nlohmann::json::array(
              {"sh", "-c", "exit 7", "\\xff\\xc3", "caf\\xc3\\xa9\\x0a"}));
}

TEST_CASE("csv quotes fields per RFC 4180", "[report]") {
  StatsTable t(16, 16);
  add(t, 1, "a,\"b\"", 5, 2);
  const std::string want = "syscall,arch,image,uid,calls,engine\r\n"
                           "write,x86_64,\"a,\"\"b\"\"\",5,2,ptrace\r\n";
  REQUIRE(render(ReportFormat::csv, t, RunInfo{}, options()) == want);
}

TEST_CASE("csv guards fields a spreadsheet would run as a formula",
          "[report][csv]") {
  StatsTable t(16, 16);
  add(t, 1, "=cmd|' /C calc'!A0", 0, 6);
  add(t, 1, "+1", 0, 5);
  add(t, 1, "-2", 0, 4);
  add(t, 1, "@SUM(A1)", 0, 3);
  add(t, 1, "'quoted", 0, 2);
  add(t, 1, "a=b", 0, 1);
  // TAB and CR never start an escaped name (they become \x09, \x0d).
  const std::string want = "syscall,arch,image,uid,calls,engine\r\n"
                           "write,x86_64,'=cmd|' /C calc'!A0,0,6,ptrace\r\n"
                           "write,x86_64,'+1,0,5,ptrace\r\n"
                           "write,x86_64,'-2,0,4,ptrace\r\n"
                           "write,x86_64,'@SUM(A1),0,3,ptrace\r\n"
                           "write,x86_64,''quoted,0,2,ptrace\r\n"
                           "write,x86_64,a=b,0,1,ptrace\r\n";
  CHECK(render(ReportFormat::csv, t, RunInfo{}, options()) == want);
}

TEST_CASE("text quotes image names whose spaces padding would hide",
          "[report][escape]") {
  CHECK(text_image("sh") == "sh");
  CHECK(text_image("a b") == "a b");
  CHECK(text_image(" sh") == "\" sh\"");
  CHECK(text_image("sh ") == "\"sh \"");
  CHECK(text_image("") == "\"\"");
  CHECK(text_image("\"q\" x") == "\"\\\"q\\\" x\"");
  CHECK(text_image("a\"b") == "a\"b");
  StatsTable t(16, 16);
  add(t, 1, "sh", 0, 2);
  add(t, 1, "sh ", 0, 1);
  const std::string out = render(ReportFormat::text, t, RunInfo{}, options());
  CHECK(out.find("    Image:               sh  UID: 0000") !=
        std::string::npos);
  CHECK(out.find("    Image:            \"sh \"  UID: 0000") !=
        std::string::npos);
}

TEST_CASE("bidi overrides are escaped in messages and reports",
          "[report][escape]") {
  // U+202E RIGHT-TO-LEFT OVERRIDE, U+2066 LEFT-TO-RIGHT ISOLATE, U+2069 POP
  // DIRECTIONAL ISOLATE; U+2029 and U+206A, just outside, stay.
  CHECK(escape_controls("a\xe2\x80\xae"
                        "b") == "a\\xe2\\x80\\xaeb");
  CHECK(escape_controls("\xe2\x80\xaa\xe2\x81\xa6\xe2\x81\xa9") ==
        "\\xe2\\x80\\xaa\\xe2\\x81\\xa6\\xe2\\x81\\xa9");
  CHECK(escape_controls("\xe2\x80\xa9\xe2\x81\xaa") ==
        "\xe2\x80\xa9\xe2\x81\xaa");
  StatsTable t(16, 16);
  add(t, 1,
      "gpj.\xe2\x80\xae"
      "exe",
      0, 1);
  const std::string out = render(ReportFormat::text, t, RunInfo{}, options());
  CHECK(out.find("gpj.\\xe2\\x80\\xaeexe") != std::string::npos);
}

TEST_CASE("openmetrics escapes label values and ends with EOF", "[report]") {
  StatsTable t(16, 16);
  add(t, 1, "a\"b\\", 5, 2);
  const std::string out =
      render(ReportFormat::openmetrics, t, RunInfo{}, options());
  REQUIRE(out.find("# TYPE syscallmon_calls counter\n") != std::string::npos);
  REQUIRE(out.find("syscallmon_calls_total{syscall=\"write\",arch=\"x86_64\","
                   "image=\"a\\\"b\\\\\\\\\",uid=\"5\",engine=\"ptrace\"} "
                   "2\n") != std::string::npos);
  REQUIRE(out.find("syscallmon_evicted_calls_total{engine=\"ptrace\"} 0\n") !=
          std::string::npos);
  REQUIRE(out.size() >= 6);
  REQUIRE(out.substr(out.size() - 6) == "# EOF\n");
}

TEST_CASE("every format names the engine and the calls it lost", "[report]") {
  StatsTable t(16, 16);
  add(t, 1, "img", 0, 3);
  t.count_lost(7);
  RunInfo run;
  run.engine = "bpf";
  const std::string text = render(ReportFormat::text, t, run, options());
  REQUIRE(text.find("monitored by bpf, ") != std::string::npos);
  REQUIRE(text.find("(0 calls); lost 7 calls\n") != std::string::npos);
  const auto json =
      nlohmann::json::parse(render(ReportFormat::json, t, run, options()));
  REQUIRE(json["engine"] == "bpf");
  REQUIRE(json["table"]["lost_calls"] == 7);
  const std::string csv = render(ReportFormat::csv, t, run, options());
  REQUIRE(csv == "syscall,arch,image,uid,calls,engine\r\n"
                 "write,x86_64,img,0,3,bpf\r\n");
  const std::string om = render(ReportFormat::openmetrics, t, run, options());
  REQUIRE(om.find("syscallmon_lost_calls_total{engine=\"bpf\"} 7\n") !=
          std::string::npos);
  // ptrace never loses calls: its footer does not mention them.
  const std::string ptrace_text =
      render(ReportFormat::text, t, RunInfo{}, options());
  REQUIRE(ptrace_text.find("monitored by ptrace, ") != std::string::npos);
  StatsTable none(16, 16);
  REQUIRE(render(ReportFormat::text, none, RunInfo{}, options()).find("lost") ==
          std::string::npos);
}

TEST_CASE("sort by name orders groups and entries by name", "[report]") {
  RenderOptions o = options();
  o.sort = SortKey::name;
  const auto j = nlohmann::json::parse(
      render(ReportFormat::json, sample_table(), sample_run(), o));
  REQUIRE(j["syscalls"][0]["name"] == "read");
  REQUIRE(j["syscalls"][1]["callers"][0]["image"] == "avahi-daemon");
  REQUIRE(j["syscalls"][1]["callers"][1]["image"] == "bash");
  REQUIRE(j["syscalls"][1]["callers"][2]["image"] == "sshd");
}

TEST_CASE("wide uids and long names widen their columns", "[report]") {
  StatsTable t(16, 16);
  add(t, 1, "a", 0, 2);
  add(t, 1, "a-very-long-image-name", 65534, 1);
  RenderOptions o = options();
  o.bar_width = 2;
  const std::string want =
      R"(syscallmon: 1 system call monitored by ptrace, 2 images, 2 users, 3 calls in 0.00 s
System call: write                                   3 calls
    Image:                      a  UID:  0000  Count: ++  2
    Image: a-very-long-image-name  UID: 65534  Count: +   1
Table: 16 x 16; evicted 0 system calls, 0 image/uid entries (0 calls)
)";
  RunInfo run;
  run.monitored = {"write"};
  REQUIRE(render(ReportFormat::text, t, run, o) == want);
}
