#pragma once
// Visible skips for Catch2 v2, which has no SKIP(): a test that cannot run
// on this host records why and returns. The shared main (catch_main.cpp)
// then prints "SKIPPED: <reason>" and exits with kSkipExitCode, which ctest's
// SKIP_RETURN_CODE reports as Skipped, never as Passed.

#include <string>

namespace testskip {

// The exit code ctest is told means "skipped" (automake's convention).
inline constexpr int kSkipExitCode = 77;

// Records that the running test case cannot run here, and why.
void skip_because(const std::string &reason);

} // namespace testskip

// Skips the rest of the running test case with a one-line reason.
#define SKIP_TEST(reason)                                                      \
  do {                                                                         \
    ::testskip::skip_because(reason);                                          \
    return;                                                                    \
  } while (false)
