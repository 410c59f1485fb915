#pragma once
// The paper's statistics table as its authors wrote it, kept plain on
// purpose: linear scans over arrays, FIFO eviction at both levels. The
// reference model of the randomized test and the baseline of the
// microbenchmark.

#include <cstdint>
#include <vector>

#include "syscallmon/stats_table.hpp"

namespace syscallmon::testing {

class LinearScanTable {
 public:
  LinearScanTable(std::size_t rows, std::size_t entries)
      : max_rows_(rows), max_entries_(entries) {}

  // n calls gathered elsewhere: n records in a row; with n == 0 nothing
  // changes (results of calls only ever update an existing entry).
  void add(SyscallKey s, const EntryKey &k, std::uint64_t n) {
    if (n == 0) {
      return;
    }
    record(s, k);
    for (auto &r : rows_) {
      for (auto &e : r.entries) {
        if (r.syscall == s && e.key == k) {
          e.calls += n - 1;
        }
      }
    }
  }

  void record(SyscallKey s, const EntryKey &k) {
    Row *row = nullptr;
    for (auto &r : rows_) {
      if (r.syscall == s) {
        row = &r;
      }
    }
    if (row == nullptr) {
      if (rows_.size() == max_rows_) {
        evicted_.syscalls += 1;
        for (const auto &e : rows_.front().entries) {
          evicted_.entries += 1;
          evicted_.calls += e.calls;
        }
        rows_.erase(rows_.begin());
      }
      rows_.push_back(Row{s, {}});
      row = &rows_.back();
    }
    for (auto &e : row->entries) {
      if (e.key == k) {
        e.calls += 1;
        return;
      }
    }
    if (row->entries.size() == max_entries_) {
      evicted_.entries += 1;
      evicted_.calls += row->entries.front().calls;
      row->entries.erase(row->entries.begin());
    }
    row->entries.push_back(Entry{k, 1});
  }

  // True if the snapshot holds exactly the model's rows, entries, order,
  // counts and eviction counters.
  bool same_as(const TableSnapshot &snap) const {
    if (!(snap.evicted == evicted_) || snap.rows.size() != rows_.size()) {
      return false;
    }
    for (std::size_t i = 0; i < rows_.size(); ++i) {
      const auto &want = rows_[i];
      const auto &got = snap.rows[i];
      if (!(got.syscall == want.syscall) ||
          got.entries.size() != want.entries.size()) {
        return false;
      }
      std::uint64_t total = 0;
      for (std::size_t j = 0; j < want.entries.size(); ++j) {
        if (!(got.entries[j].key == want.entries[j].key) ||
            got.entries[j].stats.calls != want.entries[j].calls) {
          return false;
        }
        total += want.entries[j].calls;
      }
      if (got.calls != total) {
        return false;
      }
    }
    return true;
  }

 private:
  struct Entry {
    EntryKey key;
    std::uint64_t calls;
  };
  struct Row {
    SyscallKey syscall;
    std::vector<Entry> entries;
  };
  std::size_t max_rows_;
  std::size_t max_entries_;
  std::vector<Row> rows_;
  EvictionCounters evicted_;
};

} // namespace syscallmon::testing
