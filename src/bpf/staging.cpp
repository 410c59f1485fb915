#include "staging.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>

namespace syscallmon {

void apply_staged(std::vector<StagedRecord> &records, StatsTable &table) {
  std::sort(records.begin(), records.end(),
            [](const StagedRecord &a, const StagedRecord &b) {
              return a.value.first_seq < b.value.first_seq;
            });
  for (const StagedRecord &r : records) {
    const SyscallKey syscall{r.key.arch, r.key.nr};
    const EntryKeyView who{
        std::string_view(r.key.comm, ::strnlen(r.key.comm, SM_COMM_LEN)),
        r.key.uid, static_cast<std::int32_t>(r.key.tgid)};
    EntryStats delta;
    if (r.key.err == 0) {
      delta.calls = r.value.calls;
      delta.time_total_ns = r.value.time_ns;
      delta.time_max_ns = r.value.max_ns;
    } else {
      delta.errors = r.value.calls;
      delta.errnos[r.key.err] = r.value.calls;
    }
    table.add(syscall, who, delta);
  }
}

} // namespace syscallmon
