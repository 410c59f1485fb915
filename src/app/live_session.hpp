#pragma once
// The live view in the app (--live): the screen, what the user chose with
// keys, the two snapshots that give the rates, and the log lines held
// while the view owns the terminal. The app loop (drive) decides when to
// read keys and when to take a snapshot; this only keeps the view.

#include <chrono>
#include <memory>
#include <string>

#include <spdlog/sinks/ringbuffer_sink.h>

#include "syscallmon/engine.hpp"
#include "syscallmon/live_screen.hpp"
#include "syscallmon/live_view.hpp"
#include "syscallmon/report.hpp"

namespace syscallmon {

class LiveSession {
 public:
  // What the keys typed since the last read ask of the run.
  struct Keys {
    bool clear = false;  // c: forget every count
    bool quit = false;   // q: end the run
    bool redraw = false; // the view changed (sort, scroll, ...)
  };

  // Holds log lines from now on; draws at the first update().
  LiveSession(std::unique_ptr<LiveScreen> screen, LiveHeader header,
              RenderOptions opts, SortKey sort);
  LiveSession(const LiveSession &) = delete;
  LiveSession &operator=(const LiveSession &) = delete;
  ~LiveSession(); // close()

  // Reads the keys waiting on the terminal.
  Keys read_keys();
  // Follows a terminal resize, and redraws.
  void resize();
  // Whether the screen is frozen (p): the app then takes no snapshots.
  bool paused() const { return state_.paused; }
  // Shows a new snapshot. restart: the counts were just cleared, so the
  // rates start again from zero now.
  void update(TableSnapshot now, bool restart);
  // Draws the last snapshot again (keys changed the view).
  void redraw();

  // Whether q ended the run (syscallmon then exits 0).
  bool quit_requested() const { return state_.quitting; }
  // What q sends the command: SIGTERM, and SIGKILL from the second q on.
  int quit_signal();

  // Gives the terminal back as it was, then prints the log lines held
  // meanwhile to stderr. Later calls do nothing.
  void close();

 private:
  void draw(bool full);

  using Clock = std::chrono::steady_clock;
  std::unique_ptr<LiveScreen> screen_;
  LiveHeader header_;
  RenderOptions opts_;
  LiveState state_;
  TableSnapshot before_; // the snapshot the rates are counted from
  TableSnapshot now_;
  Clock::time_point start_;
  Clock::time_point before_at_;
  Clock::time_point now_at_;
  std::size_t page_ = 1; // body lines on the screen, for PgUp/PgDn
  int quits_ = 0;
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> held_;
  std::vector<spdlog::sink_ptr> sinks_; // the logger's own, while held
};

// Opens the live view (--live) for a run, before the engine starts. If the
// terminal cannot show it (stdout not a terminal, TERM dumb or unknown, no
// /dev/tty) it logs one warning and returns null: the caller prints
// --interval reports instead. Throws a usage error (FatalError) when a
// command would read keys from the same terminal: its stdin is a terminal.
std::unique_ptr<LiveSession> open_live_view(const EngineConfig &cfg,
                                            std::string_view engine,
                                            const RenderOptions &render,
                                            SortKey sort);

} // namespace syscallmon
