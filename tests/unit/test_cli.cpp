#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "syscallmon/options.hpp"

using namespace syscallmon;

namespace {
Result<Options> parse(std::vector<std::string> args) {
  args.insert(args.begin(), "syscallmon");
  std::vector<const char *> argv;
  for (const auto &a : args) {
    argv.push_back(a.c_str());
  }
  return parse_options(static_cast<int>(argv.size()), argv.data());
}
} // namespace

TEST_CASE("command after -- or at the first operand", "[cli]") {
  auto o = parse({"-e", "write", "--", "ls", "-l"});
  REQUIRE(o.ok());
  REQUIRE(o->command == std::vector<std::string>{"ls", "-l"});
  REQUIRE(o->syscalls == "write");
  o = parse({"-ewrite", "-f", "json", "ls", "-e", "x"});
  REQUIRE(o.ok());
  REQUIRE(o->command == std::vector<std::string>{"ls", "-e", "x"});
  REQUIRE(o->format == ReportFormat::json);
}

TEST_CASE("defaults", "[cli]") {
  auto o = parse({"--", "true"});
  REQUIRE(o.ok());
  REQUIRE(o->syscalls == "read,write,open,openat,close");
  REQUIRE(o->max_entries == 1024);
  REQUIRE(!o->max_syscalls);
  REQUIRE(o->bar_width == 20);
  REQUIRE(o->format == ReportFormat::text);
  REQUIRE(o->verbosity == 0);
}

TEST_CASE("pids, repeated and in comma lists", "[cli]") {
  auto o = parse({"-p", "12,34", "-p", "56"});
  REQUIRE(o.ok());
  REQUIRE(o->pids == std::vector<pid_t>{12, 34, 56});
  o = parse({"-p", "12,12", "-p", "12"});
  REQUIRE(o->pids == std::vector<pid_t>{12});
}

TEST_CASE("verbosity counts -v and -q wins", "[cli]") {
  REQUIRE(parse({"-vv", "--", "true"})->verbosity == 2);
  REQUIRE(parse({"-v", "--verbose", "--", "true"})->verbosity == 2);
  REQUIRE(parse({"-q", "--", "true"})->verbosity == -1);
}

TEST_CASE("numeric options", "[cli]") {
  auto o = parse({"--max-syscalls", "4", "--max-entries=64", "--bar-width", "0",
                  "--top", "3", "--interval", "0.5", "--", "true"});
  REQUIRE(o.ok());
  REQUIRE(o->max_syscalls == 4u);
  REQUIRE(o->max_entries == 64);
  REQUIRE(o->bar_width == 0);
  REQUIRE(o->top == 3u);
  REQUIRE(o->interval == 0.5);
}

TEST_CASE("malformed options are one-line usage errors", "[cli]") {
  const std::vector<std::vector<std::string>> bad = {
      {"--max-entries", "0", "--", "true"},
      {"--max-entries", "99999999999999999999", "--", "true"},
      {"--max-entries", "-1", "--", "true"},
      {"--max-syscalls", "-5", "--", "true"},
      {"--bar-width", "x", "--", "true"},
      {"--top", "0", "--", "true"},
      {"-p", "abc"},
      {"-p", "0"},
      {"-p", "1,,2"},
      {"-p", "-3"},
      {"--format", "xml", "--", "true"},
      {"--sort", "size", "--", "true"},
      {"--sort", "time", "--", "true"},
      {"--sort", "errors", "--time", "--", "true"},
      {"--interval", "-1", "--", "true"},
      {"--interval", "nan", "--", "true"},
      {"--interval", "0x10", "--", "true"},
      {"--interval", " 5", "--", "true"},
      {"--interval", "1e3", "--", "true"},
      {"-o", "", "--", "true"},
      {"--stats-file", "", "--", "true"},
      {"-o", "r.txt", "--stats-file", "r.txt", "--", "true"},
      {"-o", "r.txt", "--stats-file", "./r.txt", "--", "true"},
      {"-o", "/tmp//r.txt", "--stats-file", "/tmp/r.txt", "--", "true"},
      {"--stats-file", "json:", "--", "true"},
      {"--stats-file", "TEXT:/tmp/x", "--", "true"}, // a typo, no file name
      {"--stats-file", "prom:out.prom", "--", "true"},
      {"--stats-file", "a", "--stats-file", "text:./a", "--", "true"},
      {"-o", "r.txt", "--stats-file", "csv:r.txt", "--", "true"},
      {"--system", "--engine", "ptrace"},
      {"--system", "-p", "1"},
      {"--system", "--affinity", "off"},
      {"-u", "", "--", "true"},
      {"--by", "image,comm", "--", "true"},
      {"--no-such-option", "--", "true"},
      {"-e"},
      {},
      {"-u", "root"},
  };
  for (const auto &args : bad) {
    std::string joined;
    for (const auto &a : args) {
      joined += a + " ";
    }
    INFO(joined);
    auto o = parse(args);
    REQUIRE(!o.ok());
    REQUIRE(o.error().message.find('\n') == std::string::npos);
    REQUIRE(o.error().message.find("--help") != std::string::npos);
  }
}

TEST_CASE("help, version and list-syscalls actions", "[cli]") {
  REQUIRE(parse({"--help"})->action == Action::help);
  REQUIRE(parse({"-V"})->action == Action::version);
  auto l = parse({"--list-syscalls", "%file"});
  REQUIRE(l->action == Action::list_syscalls);
  REQUIRE(l->list_class == "%file");
}

TEST_CASE("help documents every option", "[cli]") {
  const std::string help = help_text();
  for (const char *opt :
       {"--syscalls",    "--output",    "--format",        "--max-syscalls",
        "--max-entries", "--bar-width", "--verbose",       "--quiet",
        "--help",        "--version",   "--list-syscalls", "--pid",
        "--sort",        "--top",       "--errors",        "--time",
        "--by",          "--interval",  "--stats-file",    "--user",
        "--affinity",    "--system"}) {
    INFO(opt);
    REQUIRE(help.find(opt) != std::string::npos);
  }
}

TEST_CASE("stats files repeat, each with its own format", "[cli]") {
  auto o = parse({"-f", "json", "--stats-file", "text:/run/x/sys_stat",
                  "--stats-file=openmetrics:/run/x/s.prom", "--stats-file",
                  "plain", "--stats-file", "/tmp/a:b", "--stats-file",
                  "./csv:c", "--", "true"});
  REQUIRE(o.ok());
  const auto &f = o->stats_files;
  REQUIRE(f.size() == 5);
  CHECK(f[0].path == "/run/x/sys_stat");
  CHECK(f[0].format == ReportFormat::text);
  CHECK(f[1].path == "/run/x/s.prom");
  CHECK(f[1].format == ReportFormat::openmetrics);
  CHECK(f[2].path == "plain"); // in the -f format
  CHECK(!f[2].format);
  CHECK(f[3].path == "/tmp/a:b"); // "/tmp/a" is no format
  CHECK(!f[3].format);
  CHECK(f[4].path == "./csv:c");
  CHECK(!f[4].format);
}

TEST_CASE("system mode needs no command and implies the bpf engine", "[cli]") {
  auto o = parse({"--system", "-q"});
  REQUIRE(o.ok());
  CHECK(o->system);
  CHECK(o->engine == EngineKind::bpf);
  CHECK(o->command.empty());
  o = parse({"--system", "--engine", "bpf", "--", "sleep", "5"});
  REQUIRE(o.ok());
  CHECK(o->command == std::vector<std::string>{"sleep", "5"});
  CHECK(!parse({"-q"}).ok()); // without --system, still an error
}
