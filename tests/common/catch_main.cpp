// The Catch2 main of both test binaries: runs the session, and exits with
// kSkipExitCode when every test case that ran was skipped (ctest runs one
// test case per process, so that is one skipped ctest test).

#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <iostream>
#include <map>
#include <set>
#include <string>

#include "skip.hpp"

namespace {

std::set<std::string> &started() {
  static std::set<std::string> names;
  return names;
}

std::map<std::string, std::string> &skipped() { // test case -> reason
  static std::map<std::string, std::string> reasons;
  return reasons;
}

// Counts the test cases that start, so a run of several is told apart
// from a run of one skipped case.
struct StartCounter : Catch::TestEventListenerBase {
  using TestEventListenerBase::TestEventListenerBase;
  void testCaseStarting(const Catch::TestCaseInfo &info) override {
    started().insert(info.name);
  }
};
CATCH_REGISTER_LISTENER(StartCounter)

} // namespace

namespace testskip {

void skip_because(const std::string &reason) {
  const std::string name = Catch::getResultCapture().getCurrentTestName();
  skipped().emplace(name, reason);
}

} // namespace testskip

int main(int argc, char **argv) {
  const int failed = Catch::Session().run(argc, argv);
  for (const auto &[name, reason] : skipped()) {
    std::cout << "SKIPPED: " << reason << '\n';
  }
  if (failed == 0 && !skipped().empty() &&
      skipped().size() == started().size()) {
    return testskip::kSkipExitCode;
  }
  return failed;
}
