#pragma once
// Records drained from a kernel staging map, brought into the stats table
// in the order their keys first appeared there. Pure: no OS access.

#include <linux/types.h>

#include <vector>

#include "counts.h"
#include "syscallmon/stats_table.hpp"

namespace syscallmon {

struct StagedRecord {
  sm_count_key key;
  sm_count_value value;
};

// Adds the records to the table: each key's first appearance in the
// kernel is its FIFO arrival. A record of failures (err != 0) or of time
// alone (no calls) adds to the entry already there, as an exit stop does
// under ptrace. Sorts `records`.
void apply_staged(std::vector<StagedRecord> &records, StatsTable &table);

} // namespace syscallmon
