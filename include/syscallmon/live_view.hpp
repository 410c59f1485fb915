#pragma once
// The live view's model (--live): the screen as lines of text, from two
// snapshots and what the user chose with keys. Pure code, like the other
// renderers: the ncurses front-end (src/live/) only draws these lines and
// decodes keys into LiveKey.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "syscallmon/report.hpp"
#include "syscallmon/stats_table.hpp"

namespace syscallmon {

// Orders of the live view's rows; `s` cycles through those measured.
enum class LiveSort { count, rate, errors, time };

// How rows are grouped; `g` switches.
enum class LiveGrouping { syscall, image };

// A key press, decoded by the front-end.
struct LiveKey {
  enum class Kind {
    character, // ch holds it (printable ASCII)
    up,
    down,
    page_up,
    page_down,
    home,
    end,
    enter,
    escape,
    backspace,
    other, // anything else: ignored
  };
  Kind kind = Kind::other;
  char ch = 0;
};

// What the user chose with keys. Passive; render_live clamps scroll.
struct LiveState {
  LiveSort sort = LiveSort::count;
  LiveGrouping grouping = LiveGrouping::syscall;
  std::string filter;                 // rows whose image contains it; "" all
  std::optional<std::string> editing; // the filter being typed after '/'
  bool paused = false;                // p: the screen is frozen
  bool quitting = false;              // q: waiting for the run to end
  std::size_t scroll = 0;             // first body line on the screen
};

// What a key asks of the app besides a redraw.
enum class LiveCommand { none, redraw, clear, quit };

// The longest filter a user can type.
inline constexpr std::size_t kMaxLiveFilter = 64;

// Applies one key to state; page is the number of body lines on the
// screen (PgUp/PgDn). opts says which measurements exist (sort cycle).
LiveCommand apply_key(LiveState &state, const LiveKey &key,
                      const RenderOptions &opts, std::size_t page);

// The live sort a --sort key starts with (name: count).
LiveSort live_sort_for(SortKey key);

// The run, as the top line shows it.
struct LiveHeader {
  std::string engine;    // "ptrace" or "bpf"
  std::string mode;      // "command ls", "pids 12,34", "system"
  double elapsed_s = 0;  // since counting began
  double interval_s = 0; // between the two snapshots; 0: no rates yet
  std::string message;   // the last log line ("" if none)
};

// One screen: exactly `height` lines, none longer than `width`.
struct LiveFrame {
  std::vector<std::string> lines;
  std::size_t scroll = 0;     // the state's scroll, clamped
  std::size_t body_lines = 0; // lines the body has in all
  std::size_t page = 0;       // body lines the screen shows at once
};

// Renders the screen: the top line, the body (grouped, filtered, sorted,
// scrolled) and the footer. Rates are the entries' calls since `before`
// over header.interval_s; an entry missing from `before` counts from 0.
LiveFrame render_live(const TableSnapshot &now, const TableSnapshot &before,
                      const LiveHeader &header, const RenderOptions &opts,
                      const LiveState &state, std::size_t width,
                      std::size_t height);

} // namespace syscallmon
