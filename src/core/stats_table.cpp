#include "syscallmon/stats_table.hpp"

#include <algorithm>
#include <stdexcept>

namespace syscallmon {

StatsTable::StatsTable(std::size_t max_syscalls, std::size_t max_entries)
    : max_syscalls_(max_syscalls), max_entries_(max_entries) {
  if (max_syscalls == 0 || max_entries == 0) {
    throw std::invalid_argument("stats table limits must be > 0");
  }
}

std::size_t StatsTable::KeyHash::operator()(const EntryKeyView &k) const {
  std::size_t h = std::hash<std::string_view>{}(k.image);
  // Mix in uid and pid (boost::hash_combine's constant).
  const std::uint64_t ids = (static_cast<std::uint64_t>(k.uid) << 32) ^
                            static_cast<std::uint32_t>(k.pid);
  h ^= std::hash<std::uint64_t>{}(ids) + 0x9e3779b97f4a7c15ULL + (h << 6) +
       (h >> 2);
  return h;
}

StatsTable::Row &StatsTable::find_or_add_row(SyscallKey syscall) {
  if (auto it = row_index_.find(syscall); it != row_index_.end()) {
    return *it->second;
  }
  if (rows_.size() >= max_syscalls_) {
    evict_oldest_row();
  }
  rows_.emplace_back();
  auto row = std::prev(rows_.end());
  row->syscall = syscall;
  row_index_.emplace(syscall, row);
  return *row;
}

void StatsTable::evict_oldest_row() {
  Row &oldest = rows_.front();
  evicted_.syscalls += 1;
  evicted_.entries += oldest.fifo.size();
  evicted_.calls += oldest.calls;
  row_index_.erase(oldest.syscall);
  rows_.pop_front();
}

void StatsTable::evict_oldest_entry(Row &row) {
  Entry &oldest = row.fifo.front();
  evicted_.entries += 1;
  evicted_.calls += oldest.stats.calls;
  row.calls -= oldest.stats.calls;
  row.index.erase(oldest.key);
  row.fifo.pop_front();
}

EntryStats &StatsTable::insert_entry(Row &row, const EntryKeyView &who) {
  if (row.fifo.size() >= max_entries_) {
    evict_oldest_entry(row);
  }
  row.fifo.push_back(
      Entry{EntryKey{std::string(who.image), who.uid, who.pid}, EntryStats{}});
  auto entry = std::prev(row.fifo.end());
  row.index.emplace(entry->key, entry);
  return entry->stats;
}

EntryStats &StatsTable::record(SyscallKey syscall, const EntryKeyView &who) {
  Row &row = find_or_add_row(syscall);
  row.calls += 1;
  if (auto it = row.index.find(who); it != row.index.end()) {
    it->second->stats.calls += 1;
    return it->second->stats;
  }
  EntryStats &stats = insert_entry(row, who);
  stats.calls = 1;
  return stats;
}

EntryStats *StatsTable::find(SyscallKey syscall, const EntryKeyView &who) {
  auto row = row_index_.find(syscall);
  if (row == row_index_.end()) {
    return nullptr;
  }
  auto it = row->second->index.find(who);
  return it == row->second->index.end() ? nullptr : &it->second->stats;
}

void StatsTable::add(SyscallKey syscall, const EntryKeyView &who,
                     const EntryStats &delta) {
  EntryStats *stats = find(syscall, who);
  if (stats == nullptr && delta.calls == 0) {
    return;
  }
  Row &row = find_or_add_row(syscall);
  if (stats == nullptr) {
    stats = &insert_entry(row, who);
  }
  row.calls += delta.calls;
  stats->calls += delta.calls;
  stats->errors += delta.errors;
  for (const auto &[err, n] : delta.errnos) {
    stats->errnos[err] += n;
  }
  stats->time_total_ns += delta.time_total_ns;
  stats->time_max_ns = std::max(stats->time_max_ns, delta.time_max_ns);
}

void StatsTable::clear() {
  rows_.clear();
  row_index_.clear();
  evicted_ = EvictionCounters{};
}

TableSnapshot StatsTable::snapshot() const {
  TableSnapshot snap;
  snap.max_syscalls = max_syscalls_;
  snap.max_entries = max_entries_;
  snap.evicted = evicted_;
  snap.rows.reserve(rows_.size());
  for (const Row &row : rows_) {
    RowSnapshot &out = snap.rows.emplace_back();
    out.syscall = row.syscall;
    out.calls = row.calls;
    out.entries.reserve(row.fifo.size());
    for (const Entry &e : row.fifo) {
      out.entries.push_back(EntrySnapshot{e.key, e.stats});
    }
  }
  return snap;
}

} // namespace syscallmon
