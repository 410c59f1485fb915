#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "linear_scan_table.hpp"
#include "syscallmon/stats_table.hpp"

using namespace syscallmon;

namespace {

SyscallKey sc(std::uint32_t nr, std::uint16_t arch = 0) { return {arch, nr}; }
EntryKeyView who(std::string_view image, std::uint32_t uid = 0) {
  return {image, uid, 0};
}

} // namespace

TEST_CASE("record counts calls per syscall and image/uid", "[stats]") {
  StatsTable t(16, 1024);
  t.record(sc(1), who("bash", 0));
  t.record(sc(1), who("bash", 0));
  t.record(sc(1), who("bash", 1000));
  t.record(sc(0), who("sshd", 0));
  const auto snap = t.snapshot();
  REQUIRE(snap.rows.size() == 2);
  REQUIRE(snap.rows[0].syscall == sc(1));
  REQUIRE(snap.rows[0].calls == 3);
  REQUIRE(snap.rows[0].entries.size() == 2);
  REQUIRE(snap.rows[0].entries[0].key == EntryKey{"bash", 0, 0});
  REQUIRE(snap.rows[0].entries[0].stats.calls == 2);
  REQUIRE(snap.rows[0].entries[1].stats.calls == 1);
  REQUIRE(snap.rows[1].calls == 1);
  REQUIRE(snap.evicted == EvictionCounters{});
}

TEST_CASE("same syscall number in another arch is another row", "[stats]") {
  StatsTable t(16, 4);
  t.record(sc(4, 0), who("a"));
  t.record(sc(4, 1), who("a"));
  REQUIRE(t.snapshot().rows.size() == 2);
}

TEST_CASE("pid is part of the entry key", "[stats]") {
  StatsTable t(16, 4);
  t.record(sc(1), EntryKeyView{"a", 0, 10});
  t.record(sc(1), EntryKeyView{"a", 0, 11});
  t.record(sc(1), EntryKeyView{"a", 0, 10});
  const auto snap = t.snapshot();
  REQUIRE(snap.rows[0].entries.size() == 2);
  REQUIRE(snap.rows[0].entries[0].stats.calls == 2);
}

TEST_CASE("full table evicts its oldest syscall row with its entries",
          "[stats]") {
  StatsTable t(2, 8);
  t.record(sc(1), who("a"));
  t.record(sc(1), who("b"));
  t.record(sc(1), who("b"));
  t.record(sc(2), who("a"));
  t.record(sc(1), who("c")); // a hit does not refresh the row's age
  t.record(sc(3), who("a")); // evicts row 1: entries a, b, c (4 calls)
  const auto snap = t.snapshot();
  REQUIRE(snap.rows.size() == 2);
  REQUIRE(snap.rows[0].syscall == sc(2));
  REQUIRE(snap.rows[1].syscall == sc(3));
  REQUIRE(snap.evicted.syscalls == 1);
  REQUIRE(snap.evicted.entries == 3);
  REQUIRE(snap.evicted.calls == 4);
}

TEST_CASE("full row evicts its oldest entry", "[stats]") {
  StatsTable t(16, 2);
  t.record(sc(1), who("a"));
  t.record(sc(1), who("a"));
  t.record(sc(1), who("b"));
  t.record(sc(1), who("a")); // a hit does not refresh the entry's age
  t.record(sc(1), who("c")); // evicts a (3 calls)
  const auto snap = t.snapshot();
  REQUIRE(snap.rows[0].entries.size() == 2);
  REQUIRE(snap.rows[0].entries[0].key.image == "b");
  REQUIRE(snap.rows[0].entries[1].key.image == "c");
  REQUIRE(snap.rows[0].calls == 2);
  REQUIRE(snap.evicted.syscalls == 0);
  REQUIRE(snap.evicted.entries == 1);
  REQUIRE(snap.evicted.calls == 3);
}

TEST_CASE("clear forgets everything, eviction counters included", "[stats]") {
  StatsTable t(1, 1);
  t.record(sc(1), who("a"));
  t.record(sc(1), who("b"));
  t.record(sc(2), who("a"));
  REQUIRE(t.evicted().syscalls == 1);
  t.clear();
  const auto snap = t.snapshot();
  REQUIRE(snap.rows.empty());
  REQUIRE(snap.evicted == EvictionCounters{});
  t.record(sc(1), who("a"));
  REQUIRE(t.snapshot().rows[0].calls == 1);
}

TEST_CASE("find returns an entry only while it is in the table", "[stats]") {
  StatsTable t(16, 1);
  t.record(sc(1), who("a"));
  REQUIRE(t.find(sc(1), who("a")) != nullptr);
  REQUIRE(t.find(sc(1), who("b")) == nullptr);
  REQUIRE(t.find(sc(2), who("a")) == nullptr);
  t.record(sc(1), who("b"));
  REQUIRE(t.find(sc(1), who("a")) == nullptr);
}

TEST_CASE("zero limits are rejected", "[stats]") {
  REQUIRE_THROWS(StatsTable(0, 1));
  REQUIRE_THROWS(StatsTable(1, 0));
}

TEST_CASE("memory stays bounded by rows x entries whatever the input",
          "[stats]") {
  StatsTable t(4, 8);
  for (int i = 0; i < 20000; ++i) {
    t.record(sc(static_cast<std::uint32_t>(i % 13)),
             who(std::to_string(i), static_cast<std::uint32_t>(i % 7)));
  }
  const auto snap = t.snapshot();
  REQUIRE(snap.rows.size() == 4);
  std::uint64_t kept = 0;
  for (const auto &row : snap.rows) {
    REQUIRE(row.entries.size() <= 8);
    kept += row.calls;
  }
  REQUIRE(kept + snap.evicted.calls == 20000);
}

TEST_CASE("table matches the paper's linear-scan model under random load",
          "[stats][model]") {
  std::mt19937 rng(GENERATE(1u, 2u, 3u, 42u));
  std::uniform_int_distribution<std::size_t> rows_dist(1, 5);
  std::uniform_int_distribution<std::size_t> entries_dist(1, 6);
  const std::size_t rows = rows_dist(rng);
  const std::size_t entries = entries_dist(rng);
  StatsTable table(rows, entries);
  syscallmon::testing::LinearScanTable model(rows, entries);
  std::uniform_int_distribution<std::uint32_t> nr(0, 7);
  std::uniform_int_distribution<std::uint16_t> arch(0, 1);
  std::uniform_int_distribution<int> image(0, 9);
  std::uniform_int_distribution<std::uint32_t> uid(0, 2);
  std::uniform_int_distribution<int> op(0, 999);
  int checked = 0;
  for (int step = 0; step < 20000; ++step) {
    ++checked;
    if (op(rng) == 0) {
      table.clear();
      model = syscallmon::testing::LinearScanTable(rows, entries);
    } else {
      const SyscallKey s{arch(rng), nr(rng)};
      const EntryKey k{"img" + std::to_string(image(rng)), uid(rng), 0};
      table.record(s, EntryKeyView{k.image, k.uid, k.pid});
      model.record(s, k);
    }
    if (!model.same_as(table.snapshot())) {
      FAIL("table and model diverge at step " << step);
    }
  }
  REQUIRE(checked == 20000);
  REQUIRE(table.evicted().entries + table.evicted().syscalls > 0);
}

TEST_CASE("add of drained counts matches the model under random load",
          "[stats][model]") {
  std::mt19937 rng(GENERATE(7u, 8u, 9u));
  const std::size_t rows =
      std::uniform_int_distribution<std::size_t>(1, 4)(rng);
  const std::size_t entries =
      std::uniform_int_distribution<std::size_t>(1, 5)(rng);
  StatsTable table(rows, entries);
  syscallmon::testing::LinearScanTable model(rows, entries);
  std::uniform_int_distribution<std::uint32_t> nr(0, 6);
  std::uniform_int_distribution<int> image(0, 8);
  std::uniform_int_distribution<std::uint64_t> n(0, 3);
  std::uint64_t added = 0;
  for (int step = 0; step < 5000; ++step) {
    const SyscallKey s{0, nr(rng)};
    const EntryKey k{"img" + std::to_string(image(rng)), 0, 0};
    const EntryKeyView v{k.image, k.uid, k.pid};
    if (step % 3 == 0) {
      table.record(s, v);
      model.record(s, k);
      added += 1;
    } else {
      EntryStats delta;
      delta.calls = n(rng);
      table.add(s, v, delta);
      model.add(s, k, delta.calls);
      added += delta.calls;
    }
    if (!model.same_as(table.snapshot())) {
      FAIL("table and model diverge at step " << step);
    }
  }
  std::uint64_t kept = 0;
  for (const auto &row : table.snapshot().rows) {
    kept += row.calls;
  }
  CHECK(kept + table.evicted().calls == added);
  CHECK(table.evicted().entries > 0);
}

TEST_CASE("add merges errors and time, and drops them for a gone entry",
          "[stats]") {
  StatsTable t(4, 4);
  EntryStats first;
  first.calls = 3;
  first.errors = 1;
  first.errnos[2] = 1;
  first.time_total_ns = 30;
  first.time_max_ns = 20;
  t.add(sc(1), who("a"), first);
  EntryStats results; // results of calls counted before: no calls
  results.errors = 2;
  results.errnos[2] = 1;
  results.errnos[13] = 1;
  results.time_total_ns = 50;
  results.time_max_ns = 40;
  t.add(sc(1), who("a"), results);
  t.add(sc(1), who("gone"), results); // never counted: dropped
  t.add(sc(2), who("a"), results);    // no row: dropped, none created
  const auto snap = t.snapshot();
  REQUIRE(snap.rows.size() == 1);
  REQUIRE(snap.rows[0].entries.size() == 1);
  const EntryStats &s = snap.rows[0].entries[0].stats;
  CHECK(snap.rows[0].calls == 3);
  CHECK(s.calls == 3);
  CHECK(s.errors == 3);
  CHECK(s.errnos == std::map<int, std::uint64_t>{{2, 2}, {13, 1}});
  CHECK(s.time_total_ns == 80);
  CHECK(s.time_max_ns == 40);
}

TEST_CASE("lost calls are counted and cleared with the table", "[stats]") {
  StatsTable t(4, 4);
  t.count_lost(5);
  t.count_lost(2);
  CHECK(t.snapshot().evicted.lost == 7);
  t.clear();
  CHECK(t.snapshot().evicted.lost == 0);
}
