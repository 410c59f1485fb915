// The shipped docs stay in step with the binary.

#include <catch2/catch.hpp>
#include <regex>
#include <set>

#include "harness.hpp"

using namespace itest;

namespace {

std::set<std::string> long_options(const std::string &text) {
  std::set<std::string> found;
  const std::regex option(R"(--([a-z][a-z-]*[a-z]))");
  for (std::sregex_iterator it(text.begin(), text.end(), option), end;
       it != end; ++it) {
    found.insert((*it)[1]);
  }
  return found;
}

// The man page's source with roff's escaped hyphens made plain.
std::string man_page_text() {
  std::string roff = read_file(SOURCE_DIR "/docs/syscallmon.1");
  REQUIRE(!roff.empty());
  return std::regex_replace(roff, std::regex(R"(\\-)"), "-");
}

} // namespace

TEST_CASE("every long option in --help is in the man page and back", "[docs]") {
  const auto help = run({syscallmon(), "--help"});
  REQUIRE(help.exit_code == 0);
  const auto in_help = long_options(help.out);
  const auto in_man = long_options(man_page_text());
  REQUIRE(in_help.size() >= 20);
  for (const auto &opt : in_help) {
    INFO("--" << opt << " is in --help but not in docs/syscallmon.1");
    CHECK(in_man.count(opt) == 1);
  }
  for (const auto &opt : in_man) {
    INFO("--" << opt << " is in docs/syscallmon.1 but not in --help");
    CHECK(in_help.count(opt) == 1);
  }
}

TEST_CASE("the README shows the two commands first", "[docs]") {
  const std::string readme = read_file(SOURCE_DIR "/README.md");
  const auto run_at = readme.find("scripts/run -- ls -l /");
  const auto test_at = readme.find("scripts/test");
  REQUIRE(run_at != std::string::npos);
  REQUIRE(test_at != std::string::npos);
  CHECK(run_at < readme.find("## "));
}
