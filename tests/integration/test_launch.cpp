// Launch mode: syscallmon -- COMMAND on helpers with exact syscall counts.

#include <catch2/catch.hpp>

#include "harness.hpp"

using namespace itest;

TEST_CASE("counts N writes and N reads exactly", "[launch]") {
  Outcome o;
  auto r = run_json({"--", helper("hw_rw"), "1000"}, &o);
  REQUIRE(o.exit_code == 0);
  CHECK(calls(r, "write") == 1000);
  CHECK(calls(r, "read") == 1000);
  CHECK(calls(r, "openat") == 2);
  CHECK(calls(r, "close") == 2);
  CHECK(r["total_calls"] == 2004);
  CHECK(r["exit_status"] == 0);
  CHECK(r["command"][1] == "1000");
}

TEST_CASE("-e write counts only writes", "[launch]") {
  auto r = run_json({"-e", "write", "--", helper("hw_rw"), "300"});
  CHECK(calls(r, "write", "hw_rw") == 300);
  CHECK(r["syscalls"].size() == 1);
  CHECK(r["monitored"] == nlohmann::json({"write"}));
}
