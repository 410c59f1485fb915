// The live view's model: screens from snapshots, and what keys do.

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "fake_syscall_name.hpp"
#include "syscallmon/live_view.hpp"
#include "syscallmon/stats_table.hpp"

using namespace syscallmon;

namespace {

RenderOptions options() {
  RenderOptions o;
  o.syscall_name = testnames::fake_syscall_name;
  return o;
}

void add(StatsTable &t, std::uint32_t nr, std::string_view image,
         std::uint32_t uid, int n) {
  for (int i = 0; i < n; ++i) {
    t.record({0, nr}, EntryKeyView{image, uid, 0});
  }
}

LiveHeader header(double interval_s = 1) {
  LiveHeader h;
  h.engine = "ptrace";
  h.mode = "command make";
  h.elapsed_s = 75;
  h.interval_s = interval_s;
  return h;
}

// Two snapshots one second apart: sshd was busy before, avahi-daemon now.
struct Sample {
  TableSnapshot before;
  TableSnapshot now;
};

Sample sample() {
  StatsTable t(16, 1024);
  add(t, 1, "sshd", 0, 900);
  add(t, 1, "avahi-daemon", 104, 100);
  add(t, 0, "avahi-daemon", 104, 40);
  Sample s;
  s.before = t.snapshot();
  add(t, 1, "sshd", 0, 10);
  add(t, 1, "avahi-daemon", 104, 500);
  add(t, 0, "bash", 0, 3);
  s.now = t.snapshot();
  return s;
}

std::string join(const std::vector<std::string> &lines) {
  std::string out;
  for (const auto &l : lines) {
    out += l + "\n";
  }
  return out;
}

std::string screen(const Sample &s, const LiveState &state,
                   std::size_t width = 120, std::size_t height = 12,
                   const RenderOptions &opts = options()) {
  return join(
      render_live(s.now, s.before, header(), opts, state, width, height).lines);
}

LiveKey ch(char c) { return {LiveKey::Kind::character, c}; }
LiveKey key(LiveKey::Kind k) { return {k, 0}; }

} // namespace

TEST_CASE("live screen keeps the paper's grouping with rates", "[live_view]") {
  const std::string want =
      R"(ptrace | command make | 0:01:15 | 1553 calls, 513/s | table 2/16 x 2/1024 | evicted 0 rows, 0 entries (0 calls)
System call: write                                                   1510  510/s
    Image:             sshd  UID: 0000  Count: ++++++++++++++++++++   910   10/s
    Image:     avahi-daemon  UID: 0104  Count: +++++++++++++          600  500/s
System call: read                                                      43  3.0/s
    Image:     avahi-daemon  UID: 0104  Count: ++++++++++++++++++++    40  0.0/s
    Image:             bash  UID: 0000  Count: ++                       3  3.0/s




q quit  c clear  s sort: count  p pause  g group: syscall  / filter  Up/Down/PgUp/PgDn scroll
)";
  CHECK(screen(sample(), LiveState{}) == want);
}

TEST_CASE("live sort by rate puts the busiest now first", "[live_view]") {
  LiveState state;
  state.sort = LiveSort::rate;
  const auto lines = render_live(sample().now, sample().before, header(),
                                 options(), state, 120, 12)
                         .lines;
  CHECK(lines[2].find("avahi-daemon") != std::string::npos);
  CHECK(lines[3].find("sshd") != std::string::npos);
  CHECK(lines[4].find("System call: read") == 0);
  CHECK(lines[5].find("bash") != std::string::npos); // 3/s beats 0/s
}

TEST_CASE("live grouping by image nests the syscalls", "[live_view]") {
  LiveState state;
  state.grouping = LiveGrouping::image;
  const std::string want =
      R"(Image:             sshd  UID: 0000                   910   10/s
    System call: write  Count: ++++++++++++++++++++  910   10/s
Image:     avahi-daemon  UID: 0104                   640  500/s
    System call: write  Count: ++++++++++++++++++++  600  500/s
    System call: read   Count: +                      40  0.0/s
Image:             bash  UID: 0000                     3  3.0/s
    System call: read   Count: ++++++++++++++++++++    3  3.0/s
)";
  auto lines = render_live(sample().now, sample().before, header(), options(),
                           state, 120, 9)
                   .lines;
  REQUIRE(lines.size() == 9);
  CHECK(join({lines.begin() + 1, lines.end() - 1}) == want);
  CHECK(lines.back().find("g group: image") != std::string::npos);
}

TEST_CASE("live filter keeps images containing the text", "[live_view]") {
  LiveState state;
  state.filter = "avahi";
  const auto lines = render_live(sample().now, sample().before, header(),
                                 options(), state, 120, 6)
                         .lines;
  REQUIRE(lines.size() == 6);
  CHECK(lines[1].find("System call: write") == 0);
  CHECK(lines[1].find(" 600  500/s") != std::string::npos); // group: filtered
  CHECK(lines[2].find("avahi-daemon") != std::string::npos);
  CHECK(lines[3].find("System call: read") == 0);
  CHECK(lines[4].find("avahi-daemon") != std::string::npos);
  CHECK(lines[5].find("[filter: avahi]") != std::string::npos);
  state.filter = "nothing";
  const auto none = render_live(sample().now, sample().before, header(),
                                options(), state, 120, 6)
                        .lines;
  CHECK(none[1] == "(no image matches the filter \"nothing\")");
}

TEST_CASE("live screen fits a small terminal", "[live_view]") {
  for (std::size_t width : {10, 40, 80}) {
    for (std::size_t height : {1, 2, 3, 5, 20}) {
      const auto frame = render_live(sample().now, sample().before, header(),
                                     options(), LiveState{}, width, height);
      REQUIRE(frame.lines.size() == height);
      for (const auto &line : frame.lines) {
        CHECK(line.size() <= width);
      }
    }
  }
  // At 70 columns the bar gives way so that counts and rates stay.
  const auto lines = render_live(sample().now, sample().before, header(),
                                 options(), LiveState{}, 70, 10)
                         .lines;
  CHECK(lines[2] == "    Image:             sshd  UID: 0000  Count: ++++++++++"
                    "   910   10/s");
  CHECK(lines[1].size() == 70);
  CHECK(lines[1].substr(59) == "1510  510/s");
}

TEST_CASE("live body scrolls and the footer says where", "[live_view]") {
  LiveState state;
  state.scroll = 2;
  auto frame = render_live(sample().now, sample().before, header(), options(),
                           state, 120, 5);
  CHECK(frame.page == 3);
  CHECK(frame.body_lines == 6);
  CHECK(frame.scroll == 2);
  CHECK(frame.lines[1].find("avahi-daemon") != std::string::npos);
  CHECK(frame.lines[4].find("  3-5/6") != std::string::npos);
  state.scroll = 100;
  frame = render_live(sample().now, sample().before, header(), options(), state,
                      120, 5);
  CHECK(frame.scroll == 3); // the last page, not past it
}

TEST_CASE("live screen escapes hostile names", "[live_view]") {
  StatsTable t(16, 1024);
  add(t, 1, "\x1b[31mE\n", 0, 2);
  add(t, 1, " sh", 0, 1);
  const auto lines = render_live(t.snapshot(), TableSnapshot{}, header(0),
                                 options(), LiveState{}, 120, 6)
                         .lines;
  CHECK(lines[2].find("Image:    \\x1b[31mE\\x0a  UID: 0000") !=
        std::string::npos);
  CHECK(lines[3].find("Image:            \" sh\"  UID: 0000") !=
        std::string::npos);
  CHECK(lines[2].find(" 2  -/s") != std::string::npos); // no rate yet
  for (const auto &line : lines) {
    CHECK(std::none_of(line.begin(), line.end(), [](char c) {
      return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
    }));
  }
}

TEST_CASE("live rates count from zero after a clear", "[live_view]") {
  StatsTable t(16, 1024);
  add(t, 1, "a", 0, 100);
  const TableSnapshot before = t.snapshot();
  t.clear();
  add(t, 1, "a", 0, 4);
  const auto lines = render_live(t.snapshot(), before, header(2), options(),
                                 LiveState{}, 120, 4)
                         .lines;
  CHECK(lines[0].find("| 4 calls, 2.0/s |") != std::string::npos);
  CHECK(lines[2].find("  4  2.0/s") != std::string::npos);
}

TEST_CASE("live errors and time add their columns", "[live_view]") {
  StatsTable t(16, 1024);
  EntryStats &e = t.record({0, 1}, EntryKeyView{"a", 0, 0});
  e.errors = 1;
  e.time_total_ns = 1'500'000'000;
  e.time_max_ns = 1'000'000'000;
  RenderOptions opts = options();
  opts.errors = true;
  opts.time = true;
  const auto lines = render_live(t.snapshot(), TableSnapshot{}, header(1), opts,
                                 LiveState{}, 200, 4)
                         .lines;
  CHECK(lines[2].find("  1  1.0/s  Errors: 1  Time: 1.500000 s  Max: "
                      "1.000000 s") != std::string::npos);
}

TEST_CASE("live log line takes the body's last line", "[live_view]") {
  LiveHeader h = header();
  h.message = "syscallmon: warning: cannot update the stats file: \x1b";
  const auto lines = render_live(sample().now, sample().before, h, options(),
                                 LiveState{}, 120, 6)
                         .lines;
  REQUIRE(lines.size() == 6);
  CHECK(lines[4] == "syscallmon: warning: cannot update the stats file: \\x1b");
}

TEST_CASE("s cycles the sorts that are measured", "[live_view]") {
  LiveState state;
  RenderOptions opts = options();
  std::vector<LiveSort> seen;
  for (int i = 0; i < 3; ++i) {
    CHECK(apply_key(state, ch('s'), opts, 10) == LiveCommand::redraw);
    seen.push_back(state.sort);
  }
  CHECK(seen ==
        std::vector<LiveSort>{LiveSort::rate, LiveSort::count, LiveSort::rate});
  opts.errors = true;
  opts.time = true;
  seen.clear();
  for (int i = 0; i < 4; ++i) {
    apply_key(state, ch('s'), opts, 10);
    seen.push_back(state.sort);
  }
  CHECK(seen == std::vector<LiveSort>{LiveSort::errors, LiveSort::time,
                                      LiveSort::count, LiveSort::rate});
}

TEST_CASE("keys quit, clear, pause and group", "[live_view]") {
  LiveState state;
  const RenderOptions opts = options();
  CHECK(apply_key(state, ch('c'), opts, 10) == LiveCommand::clear);
  CHECK(apply_key(state, ch('p'), opts, 10) == LiveCommand::redraw);
  CHECK(state.paused);
  CHECK(apply_key(state, ch('p'), opts, 10) == LiveCommand::redraw);
  CHECK_FALSE(state.paused);
  CHECK(apply_key(state, ch('g'), opts, 10) == LiveCommand::redraw);
  CHECK(state.grouping == LiveGrouping::image);
  CHECK(apply_key(state, ch('x'), opts, 10) == LiveCommand::none);
  CHECK(apply_key(state, ch('q'), opts, 10) == LiveCommand::quit);
  CHECK(state.quitting);
}

TEST_CASE("slash edits the filter until Enter or Esc", "[live_view]") {
  LiveState state;
  const RenderOptions opts = options();
  apply_key(state, ch('/'), opts, 10);
  REQUIRE(state.editing);
  for (char c : std::string("sshx")) {
    apply_key(state, ch(c), opts, 10);
  }
  // Typed keys are text now, not commands.
  CHECK(apply_key(state, ch('q'), opts, 10) == LiveCommand::redraw);
  apply_key(state, key(LiveKey::Kind::backspace), opts, 10);
  apply_key(state, key(LiveKey::Kind::backspace), opts, 10);
  CHECK(*state.editing == "ssh");
  CHECK(state.filter.empty());
  apply_key(state, key(LiveKey::Kind::enter), opts, 10);
  CHECK(state.filter == "ssh");
  CHECK_FALSE(state.editing);
  apply_key(state, ch('/'), opts, 10);
  apply_key(state, ch('z'), opts, 10);
  apply_key(state, key(LiveKey::Kind::escape), opts, 10);
  CHECK(state.filter == "ssh"); // Esc keeps the old filter
  CHECK_FALSE(state.quitting);
}

TEST_CASE("arrows and pages move the scroll", "[live_view]") {
  LiveState state;
  const RenderOptions opts = options();
  apply_key(state, key(LiveKey::Kind::page_down), opts, 10);
  CHECK(state.scroll == 9);
  apply_key(state, key(LiveKey::Kind::down), opts, 10);
  CHECK(state.scroll == 10);
  apply_key(state, key(LiveKey::Kind::up), opts, 10);
  apply_key(state, key(LiveKey::Kind::page_up), opts, 10);
  CHECK(state.scroll == 0);
  apply_key(state, key(LiveKey::Kind::up), opts, 10);
  CHECK(state.scroll == 0);
  apply_key(state, key(LiveKey::Kind::end), opts, 10);
  CHECK(state.scroll > 1000);
  apply_key(state, key(LiveKey::Kind::home), opts, 10);
  CHECK(state.scroll == 0);
}

TEST_CASE("live top cuts groups and by-pid adds the pid", "[live_view]") {
  StatsTable t(16, 1024);
  for (int pid = 1; pid <= 3; ++pid) {
    for (int i = 0; i < pid; ++i) {
      t.record({0, 1}, EntryKeyView{"w", 0, pid * 100});
    }
  }
  RenderOptions opts = options();
  opts.top = 2;
  opts.by_pid = true;
  const auto lines = render_live(t.snapshot(), TableSnapshot{}, header(0), opts,
                                 LiveState{}, 120, 6)
                         .lines;
  CHECK(lines[1].find("System call: write") == 0);
  CHECK(lines[1].find(" 6  -/s") != std::string::npos); // all 3 pids
  CHECK(lines[2].find("UID: 0000  PID: 300  Count: ") != std::string::npos);
  CHECK(lines[3].find("UID: 0000  PID: 200  Count: ") != std::string::npos);
  CHECK(lines[4] == "    ... 1 more");
}
