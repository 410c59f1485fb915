// Microbenchmark of StatsTable::record() against the paper's linear scan,
// with the table full (16 x 1024) and under constant eviction.
// Built by CMake as bench/table_bench; run: build/table_bench

#define CATCH_CONFIG_MAIN
#define CATCH_CONFIG_ENABLE_BENCHMARKING
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "linear_scan_table.hpp"
#include "syscallmon/stats_table.hpp"

using namespace syscallmon;

namespace {

constexpr std::uint32_t kRows = 16;
constexpr std::uint32_t kEntries = 1024;

// Keys that fill every row and entry; lookups then cycle over them.
std::vector<std::string> images() {
  std::vector<std::string> v;
  for (std::uint32_t i = 0; i < kEntries; ++i) {
    v.push_back("image-" + std::to_string(i));
  }
  return v;
}

} // namespace

TEST_CASE("record() on a full 16 x 1024 table", "[bench]") {
  const auto names = images();
  StatsTable table(kRows, kEntries);
  testing::LinearScanTable linear(kRows, kEntries);
  std::vector<EntryKey> keys;
  for (std::uint32_t r = 0; r < kRows; ++r) {
    for (const auto &n : names) {
      table.record({0, r}, EntryKeyView{n, 0, 0});
      linear.record({0, r}, EntryKey{n, 0, 0});
    }
  }
  for (const auto &n : names) {
    keys.push_back(EntryKey{n, 0, 0});
  }
  std::uint32_t i = 0;
  BENCHMARK("hash indexes (syscallmon)") {
    const auto &k = keys[(i * 7919u) % kEntries];
    return table.record({0, ++i % kRows}, EntryKeyView{k.image, 0, 0}).calls;
  };
  std::uint32_t j = 0;
  BENCHMARK("linear scan (the paper)") {
    const auto &k = keys[(j * 7919u) % kEntries];
    linear.record({0, ++j % kRows}, k);
    return j;
  };
}

TEST_CASE("record() under constant eviction", "[bench]") {
  std::vector<std::string> names;
  for (int i = 0; i < 4096; ++i) {
    names.push_back("image-" + std::to_string(i));
  }
  StatsTable table(kRows, 64);
  testing::LinearScanTable linear(kRows, 64);
  std::uint32_t i = 0;
  BENCHMARK("hash indexes (syscallmon)") {
    ++i;
    return table.record({0, i % 20}, EntryKeyView{names[i % 4096], 0, 0}).calls;
  };
  std::uint32_t j = 0;
  BENCHMARK("linear scan (the paper)") {
    ++j;
    linear.record({0, j % 20}, EntryKey{names[j % 4096], 0, 0});
    return j;
  };
}
