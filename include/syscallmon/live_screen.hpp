#pragma once
// The live view's terminal (--live): draws lines of text with ncurses on
// stdout and reads keys from /dev/tty. Only src/live/ includes ncurses;
// what the lines say is the pure model's (live_view.hpp).

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "syscallmon/live_view.hpp"
#include "syscallmon/result.hpp"

namespace syscallmon {

class LiveScreen {
 public:
  // Why stdout cannot show the view (not a terminal, TERM unset or dumb),
  // or nullopt if it may: checked before anything is changed.
  static std::optional<std::string> unavailable();

  // Takes the terminal on stdout over (cbreak, no echo, the alternate
  // screen) and asks for SIGIO on each key typed on /dev/tty. Call before
  // the command starts, with SIGIO handled (install_live_signal_handlers).
  // The error says why not: stdout not a terminal, TERM unset or dumb or
  // unknown, no /dev/tty.
  static Result<std::unique_ptr<LiveScreen>> open();

  LiveScreen(const LiveScreen &) = delete;
  LiveScreen &operator=(const LiveScreen &) = delete;
  // Restores the terminal (close()).
  ~LiveScreen();

  // Gives the terminal back as it was; later calls do nothing.
  void close();

  // Follows the terminal's new size (after SIGWINCH).
  void resize();

  // The screen's size, in columns and lines.
  std::size_t width() const;
  std::size_t height() const;

  // Draws one line per screen line, the first and last in reverse video.
  // full repaints every cell: what the command wrote goes.
  void draw(const std::vector<std::string> &lines, bool full);

  // The keys typed since the last call; never blocks.
  std::vector<LiveKey> read_keys();

 private:
  struct Impl;
  explicit LiveScreen(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

} // namespace syscallmon
