// --affinity: co-location must not change what the command sees.

#include <sched.h>

#include <catch2/catch.hpp>

#include "harness.hpp"

using namespace itest;

namespace {
int cpus_allowed() {
  cpu_set_t set;
  CPU_ZERO(&set);
  REQUIRE(sched_getaffinity(0, sizeof set, &set) == 0);
  return CPU_COUNT(&set);
}
} // namespace

TEST_CASE("auto affinity keeps the command's own CPU mask", "[affinity]") {
  const std::string native = std::to_string(cpus_allowed()) + "\n";
  for (const char *policy : {"auto", "off"}) {
    INFO(policy);
    auto o = run({syscallmon(), "-q", "-o", "/dev/null", "--affinity", policy,
                  "--", "/usr/bin/nproc"});
    CHECK(o.exit_code == 0);
    CHECK(o.out == native);
  }
}

TEST_CASE("threads in a storm of stops see their own CPU mask", "[affinity]") {
  // Four threads writing flat out queue their stops at the tracer, which
  // makes auto co-locate them mid-run (see the debug log); each thread
  // then reads its mask, and the smallest count must be the real one.
  const int threads = 4;
  const int writes = 20000;
  for (const char *policy : {"auto", "off"}) {
    INFO(policy);
    Outcome o;
    auto r = run_json({"--affinity", policy, "-e", "write,sched_getaffinity",
                       "--", helper("hw_storm_mask"), std::to_string(threads),
                       std::to_string(writes)},
                      &o);
    CHECK(o.exit_code == 0);
    CHECK(o.out == std::to_string(cpus_allowed()) + "\n");
    CHECK(calls(r, "write", "hw_storm_mask") == threads * writes + 1);
    CHECK(calls(r, "sched_getaffinity", "hw_storm_mask") == threads);
  }
}

TEST_CASE("commands a shell runs one by one see their own CPU mask",
          "[affinity]") {
  // While sh waits for each child, the child is the only task that can
  // run, so auto pins it; its sched_getaffinity must still see the mask.
  const std::string n = std::to_string(cpus_allowed()) + "\n";
  for (const char *policy : {"auto", "off"}) {
    INFO(policy);
    Outcome o;
    auto r = run_json({"--affinity", policy, "-e", "write,wait4", "--",
                       "/bin/sh", "-c", "nproc; nproc; nproc"},
                      &o);
    CHECK(o.exit_code == 0);
    CHECK(o.out == n + n + n);
    CHECK(calls(r, "write", "nproc") == 3);
    CHECK(calls(r, "wait4", "sh") >= 3);
  }
}

TEST_CASE("same-cpu affinity shows the command one CPU", "[affinity]") {
  if (cpus_allowed() < 2) {
    SKIP_TEST("only one CPU is allowed here");
  }
  auto o = run({syscallmon(), "-q", "-o", "/dev/null", "--affinity", "same-cpu",
                "--", "/usr/bin/nproc"});
  CHECK(o.exit_code == 0);
  CHECK(o.out == "1\n");
}

TEST_CASE("a command that sets its own affinity keeps its choice",
          "[affinity]") {
  if (cpus_allowed() < 2) {
    SKIP_TEST("only one CPU is allowed here");
  }
  auto o = run({syscallmon(), "-q", "-o", "/dev/null", "--", "/usr/bin/taskset",
                "-c", "1", "/usr/bin/nproc"});
  CHECK(o.exit_code == 0);
  CHECK(o.out == "1\n");
  // Counting sched_getaffinity itself still shows the unpinned mask.
  auto r = run_json({"-e", "sched_getaffinity", "--", "/usr/bin/nproc"}, &o);
  CHECK(o.out == std::to_string(cpus_allowed()) + "\n");
  CHECK(calls(r, "sched_getaffinity", "nproc") == 1);
}
