#include "report_model.hpp"

#include <algorithm>
#include <cstring>
#include <set>
#include <tuple>

namespace syscallmon::detail {
namespace {

// Strict weak order of entries for a sort key; ties fall back to
// image, uid, pid so output is deterministic.
bool entry_before(const EntrySnapshot *a, const EntrySnapshot *b, SortKey key) {
  const auto tie = [](const EntrySnapshot *e) {
    return std::tie(e->key.image, e->key.uid, e->key.pid);
  };
  switch (key) {
  case SortKey::calls:
    if (a->stats.calls != b->stats.calls) {
      return a->stats.calls > b->stats.calls;
    }
    break;
  case SortKey::errors:
    if (a->stats.errors != b->stats.errors) {
      return a->stats.errors > b->stats.errors;
    }
    break;
  case SortKey::time:
    if (a->stats.time_total_ns != b->stats.time_total_ns) {
      return a->stats.time_total_ns > b->stats.time_total_ns;
    }
    break;
  case SortKey::name:
    break;
  }
  return tie(a) < tie(b);
}

bool group_before(const ReportGroup &a, const ReportGroup &b, SortKey key) {
  switch (key) {
  case SortKey::calls:
    if (a.row->calls != b.row->calls) {
      return a.row->calls > b.row->calls;
    }
    break;
  case SortKey::errors:
    if (a.errors != b.errors) {
      return a.errors > b.errors;
    }
    break;
  case SortKey::time:
    if (a.time_ns != b.time_ns) {
      return a.time_ns > b.time_ns;
    }
    break;
  case SortKey::name:
    break;
  }
  return std::tie(a.name, a.row->syscall.arch) <
         std::tie(b.name, b.row->syscall.arch);
}

} // namespace

std::string arch_name(const RenderOptions &opts, SyscallKey key) {
  if (key.arch < opts.arch_names.size()) {
    return opts.arch_names[key.arch];
  }
  return "arch" + std::to_string(key.arch);
}

std::string errno_name(int err) {
  if (const char *name = strerrorname_np(err)) {
    return name;
  }
  // Kernel-internal codes an exit stop shows for a call a signal
  // interrupted; the kernel restarts it (include/linux/errno.h).
  switch (err) {
  case 512:
    return "ERESTARTSYS";
  case 513:
    return "ERESTARTNOINTR";
  case 514:
    return "ERESTARTNOHAND";
  case 516:
    return "ERESTART_RESTARTBLOCK";
  default:
    return std::to_string(err);
  }
}

std::vector<ReportGroup> order_groups(const TableSnapshot &table,
                                      const RenderOptions &opts) {
  std::vector<ReportGroup> groups;
  groups.reserve(table.rows.size());
  for (const RowSnapshot &row : table.rows) {
    ReportGroup &g = groups.emplace_back();
    g.row = &row;
    g.name = opts.syscall_name ? opts.syscall_name(row.syscall)
                               : "syscall_" + std::to_string(row.syscall.nr);
    g.arch = arch_name(opts, row.syscall);
    for (const EntrySnapshot &e : row.entries) {
      g.errors += e.stats.errors;
      g.time_ns += e.stats.time_total_ns;
      g.shown.push_back(&e);
    }
    std::sort(g.shown.begin(), g.shown.end(),
              [&](const EntrySnapshot *a, const EntrySnapshot *b) {
                return entry_before(a, b, opts.sort);
              });
    if (opts.top && g.shown.size() > *opts.top) {
      g.hidden = g.shown.size() - *opts.top;
      g.shown.resize(*opts.top);
    }
  }
  std::sort(groups.begin(), groups.end(),
            [&](const ReportGroup &a, const ReportGroup &b) {
              return group_before(a, b, opts.sort);
            });
  return groups;
}

ReportTotals totals(const TableSnapshot &table) {
  ReportTotals t;
  std::set<std::string_view> images;
  std::set<std::uint32_t> users;
  for (const RowSnapshot &row : table.rows) {
    t.calls += row.calls;
    for (const EntrySnapshot &e : row.entries) {
      images.insert(e.key.image);
      users.insert(e.key.uid);
    }
  }
  t.images = images.size();
  t.users = users.size();
  return t;
}

} // namespace syscallmon::detail
