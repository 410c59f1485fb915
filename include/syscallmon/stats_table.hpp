#pragma once
// The paper's per-syscall statistics table: up to R syscall rows, each with
// up to E (image, uid[, pid]) entries, FIFO eviction at both levels, every
// eviction counted. Lookups are O(1) on average through hash indexes.
// Pure code: standard library only.

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace syscallmon {

// A syscall as the kernel sees it: the arch it was made in and its number.
struct SyscallKey {
  std::uint16_t arch = 0; // index into the arch list (0 = native)
  std::uint32_t nr = 0;   // syscall number in that arch
  friend bool operator==(const SyscallKey &, const SyscallKey &) = default;
};

// Who made the calls: the thread's comm (raw bytes), real uid and, when
// requested with --by pid, the thread-group id (otherwise 0).
struct EntryKey {
  std::string image;
  std::uint32_t uid = 0;
  std::int32_t pid = 0;
  friend bool operator==(const EntryKey &, const EntryKey &) = default;
};

// A non-owning view of an EntryKey, used to look entries up without
// allocating on the hot path.
struct EntryKeyView {
  std::string_view image;
  std::uint32_t uid = 0;
  std::int32_t pid = 0;
};

// What is known about the calls of one entry.
struct EntryStats {
  std::uint64_t calls = 0;             // calls recorded
  std::uint64_t errors = 0;            // calls that failed (with --errors)
  std::map<int, std::uint64_t> errnos; // errno -> failures (with --errors)
  std::uint64_t time_total_ns = 0;     // time inside the call (--time)
  std::uint64_t time_max_ns = 0;       // longest single call (--time)
};

// What is measured per call besides the count, and how entries are keyed.
struct CountOptions {
  bool errors = false; // count failures by errno (--errors)
  bool time = false;   // time spent in calls (--time)
  bool by_pid = false; // key entries by thread-group id too (--by pid)
};

// Eviction counters: rows and entries that left the table to make room.
struct EvictionCounters {
  std::uint64_t syscalls = 0; // rows evicted
  std::uint64_t entries = 0;  // entries evicted, alone or with their row
  std::uint64_t calls = 0;    // calls held by the evicted entries
  std::uint64_t lost = 0;     // calls never counted: the bpf engine's kernel
                              // map was full
  friend bool operator==(const EvictionCounters &,
                         const EvictionCounters &) = default;
};

// One entry of a snapshot.
struct EntrySnapshot {
  EntryKey key;
  EntryStats stats;
};

// One syscall row of a snapshot; entries in insertion (FIFO) order.
struct RowSnapshot {
  SyscallKey syscall;
  std::uint64_t calls = 0; // sum of the entries' calls
  std::vector<EntrySnapshot> entries;
};

// A copy of the whole table; rows in insertion (FIFO) order.
struct TableSnapshot {
  std::size_t max_syscalls = 0;
  std::size_t max_entries = 0;
  EvictionCounters evicted;
  std::vector<RowSnapshot> rows;
};

// The statistics table. Not thread-safe: the tracer owns it.
class StatsTable {
 public:
  // max_syscalls and max_entries must both be > 0.
  StatsTable(std::size_t max_syscalls, std::size_t max_entries);

  // Counts one call; returns the entry's stats, valid until the next
  // record() or clear().
  EntryStats &record(SyscallKey syscall, const EntryKeyView &who);

  // The stats of an existing entry, or nullptr if it is not (or no longer)
  // in the table. Used to add a call's result at its exit stop.
  EntryStats *find(SyscallKey syscall, const EntryKeyView &who);

  // Adds counts gathered elsewhere (a drained kernel map). With calls > 0
  // it is record() of that many calls at once: a new entry arrives now
  // (FIFO), evicting as record() does. With calls == 0 (only results of
  // calls: errors, time) it adds to an existing entry, or is dropped, as
  // find() finds nothing for an evicted entry.
  void add(SyscallKey syscall, const EntryKeyView &who,
           const EntryStats &delta);

  // Counts calls that could not be recorded (EvictionCounters::lost).
  void count_lost(std::uint64_t calls) { evicted_.lost += calls; }

  // Forgets every row, entry and eviction count (the paper's clear).
  void clear();

  // A deep copy for the renderers.
  TableSnapshot snapshot() const;

  std::size_t max_syscalls() const { return max_syscalls_; }
  std::size_t max_entries() const { return max_entries_; }
  const EvictionCounters &evicted() const { return evicted_; }

 private:
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(const EntryKeyView &k) const;
    std::size_t operator()(const EntryKey &k) const {
      return (*this)(EntryKeyView{k.image, k.uid, k.pid});
    }
  };
  struct KeyEq {
    using is_transparent = void;
    static EntryKeyView view(const EntryKey &k) {
      return {k.image, k.uid, k.pid};
    }
    static EntryKeyView view(const EntryKeyView &k) { return k; }
    template <class A, class B> bool operator()(const A &a, const B &b) const {
      const EntryKeyView x = view(a);
      const EntryKeyView y = view(b);
      return x.uid == y.uid && x.pid == y.pid && x.image == y.image;
    }
  };
  struct Entry {
    EntryKey key;
    EntryStats stats;
  };
  struct Row {
    SyscallKey syscall;
    std::uint64_t calls = 0;
    std::list<Entry> fifo; // oldest first
    std::unordered_map<EntryKey, std::list<Entry>::iterator, KeyHash, KeyEq>
        index;
  };
  struct SyscallHash {
    std::size_t operator()(SyscallKey k) const {
      return std::hash<std::uint64_t>{}(
          (static_cast<std::uint64_t>(k.arch) << 32) | k.nr);
    }
  };

  Row &find_or_add_row(SyscallKey syscall);
  void evict_oldest_row();
  void evict_oldest_entry(Row &row);
  // A new entry with no calls yet, at the row's tail (evicting if full).
  EntryStats &insert_entry(Row &row, const EntryKeyView &who);

  std::size_t max_syscalls_;
  std::size_t max_entries_;
  EvictionCounters evicted_;
  std::list<Row> rows_; // oldest first
  std::unordered_map<SyscallKey, std::list<Row>::iterator, SyscallHash>
      row_index_;
};

} // namespace syscallmon
