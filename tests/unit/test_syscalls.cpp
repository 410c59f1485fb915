#include <catch2/catch.hpp>

#include <algorithm>

#include "syscallmon/syscalls.hpp"

using namespace syscallmon;

namespace {
bool has(const std::vector<std::string> &v, const std::string &s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}
} // namespace

TEST_CASE("default selection is the paper's four plus openat", "[syscalls]") {
  auto sel = parse_syscall_list(kDefaultSyscalls);
  REQUIRE(sel.ok());
  REQUIRE(sel->names ==
          std::vector<std::string>{"close", "open", "openat", "read", "write"});
  REQUIRE(sel->numbers.size() == 2);
  REQUIRE(sel->numbers[0].size() == 5); // x86_64: read=0 write=1 open=2 ...
  REQUIRE(std::count(sel->numbers[0].begin(), sel->numbers[0].end(), 1u) == 1);
  REQUIRE(std::count(sel->numbers[1].begin(), sel->numbers[1].end(), 4u) == 1);
}

TEST_CASE("names resolve per arch", "[syscalls]") {
  REQUIRE(syscall_number("write", 0) == 1u);
  REQUIRE(syscall_number("write", 1) == 4u);
  REQUIRE(!syscall_number("socketcall", 0));
  REQUIRE(syscall_number("socketcall", 1) == 102u);
  REQUIRE(syscall_name({0, 1}) == "write");
  REQUIRE(syscall_name({1, 4}) == "write");
  REQUIRE(syscall_name({0, 999}) == "syscall_999");
}

TEST_CASE("unknown names are errors with a suggestion", "[syscalls]") {
  auto sel = parse_syscall_list("read,wirte");
  REQUIRE(!sel.ok());
  REQUIRE(sel.error().message ==
          "unknown system call 'wirte' (did you mean 'write'?)");
  REQUIRE(parse_syscall_list("zzzzzzzzzzzz").error().message ==
          "unknown system call 'zzzzzzzzzzzz'");
}

TEST_CASE("malformed lists are errors", "[syscalls]") {
  for (const char *bad : {"", ",,", "!", "read,", "%nope", "write,!write"}) {
    INFO(bad);
    REQUIRE(!parse_syscall_list(bad).ok());
  }
}

TEST_CASE("all, classes and exclusions", "[syscalls]") {
  auto all = parse_syscall_list("all");
  REQUIRE(all.ok());
  REQUIRE(all->names.size() > 300);
  auto no_write = parse_syscall_list("!write");
  REQUIRE(no_write.ok());
  REQUIRE(no_write->names.size() == all->names.size() - 1);
  REQUIRE(!has(no_write->names, "write"));
  auto file = parse_syscall_list("%file,!open");
  REQUIRE(file.ok());
  REQUIRE(has(file->names, "openat"));
  REQUIRE(!has(file->names, "open"));
  REQUIRE(!has(file->names, "write"));
  auto net = parse_syscall_list("%network");
  REQUIRE(net.ok());
  REQUIRE(has(net->names, "connect"));
}
