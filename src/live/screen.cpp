// The live view's ncurses front-end: draws lines, reads keys. The only
// file that includes ncurses.

#include "syscallmon/live_screen.hpp"

// Functions, not macros: curses' clear() or move() would rewrite C++.
#define NCURSES_NOMACROS
#include <curses.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "syscallmon/escape.hpp"

namespace syscallmon {
namespace {

// How long a lone ESC waits for the rest of an arrow key's sequence.
constexpr int kEscDelayMs = 25;
// Keys taken per wake-up at most: a pasted flood cannot hold the loop.
constexpr int kMaxKeysPerRead = 256;

LiveKey decode(int c) {
  using Kind = LiveKey::Kind;
  switch (c) {
  case KEY_UP:
    return {Kind::up, 0};
  case KEY_DOWN:
    return {Kind::down, 0};
  case KEY_PPAGE:
    return {Kind::page_up, 0};
  case KEY_NPAGE:
    return {Kind::page_down, 0};
  case KEY_HOME:
    return {Kind::home, 0};
  case KEY_END:
    return {Kind::end, 0};
  case KEY_ENTER:
  case '\n':
  case '\r':
    return {Kind::enter, 0};
  case 27:
    return {Kind::escape, 0};
  case KEY_BACKSPACE:
  case 127:
  case 8:
    return {Kind::backspace, 0};
  default:
    break;
  }
  if (c >= 0x20 && c < 0x7f) {
    return {Kind::character, static_cast<char>(c)};
  }
  return {Kind::other, 0};
}

} // namespace

std::optional<std::string> LiveScreen::unavailable() {
  if (::isatty(STDOUT_FILENO) == 0) {
    return "stdout is not a terminal";
  }
  const char *term = std::getenv("TERM");
  if (term == nullptr || *term == '\0') {
    return "TERM is not set";
  }
  if (std::string_view(term) == "dumb") {
    return "TERM is dumb";
  }
  return std::nullopt;
}

struct LiveScreen::Impl {
  SCREEN *screen = nullptr;
  FILE *keys = nullptr; // /dev/tty, owned
};

LiveScreen::LiveScreen(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

LiveScreen::~LiveScreen() { close(); }

Result<std::unique_ptr<LiveScreen>> LiveScreen::open() {
  if (auto why = unavailable()) {
    return Error{*why};
  }
  // Keys come from the controlling terminal itself, never from stdin:
  // in launch mode stdin is the command's.
  const int fd = ::open("/dev/tty", O_RDONLY | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    return Error{std::string("cannot open /dev/tty: ") + std::strerror(errno)};
  }
  auto impl = std::make_unique<Impl>();
  impl->keys = ::fdopen(fd, "r");
  if (impl->keys == nullptr) {
    ::close(fd);
    return Error{std::string("cannot open /dev/tty: ") + std::strerror(errno)};
  }
  impl->screen = ::newterm(nullptr, stdout, impl->keys);
  if (impl->screen == nullptr) {
    std::fclose(impl->keys);
    return Error{"unknown terminal type '" +
                 escape_controls(std::getenv("TERM")) + "'"};
  }
  ::set_term(impl->screen);
  ::cbreak();
  ::noecho();
  ::keypad(stdscr, TRUE);
  ::nodelay(stdscr, TRUE);
  ::leaveok(stdscr, TRUE);
  ::curs_set(0);
  ::set_escdelay(kEscDelayMs);
  // Ctrl-S would stop the terminal's output, and a redraw blocked on it
  // would hold every traced call with it: no flow control while the view
  // is up (endwin restores the terminal's modes as they were).
  termios modes{};
  if (::tcgetattr(STDOUT_FILENO, &modes) == 0) {
    modes.c_iflag &= ~static_cast<tcflag_t>(IXON);
    ::tcsetattr(STDOUT_FILENO, TCSADRAIN, &modes);
    ::def_prog_mode(); // and after Ctrl-Z and fg
  }
  // SIGIO on each key: a key wakes the app loop like any signal, and no
  // key costs the tracing anything. Turning O_ASYNC on makes the tty
  // send SIGIO to its whole foreground process group (the kernel's
  // __tty_fasync), so F_SETOWN comes after, and both before the command
  // exists, which would die of SIGIO's default action.
  const int flags = ::fcntl(fd, F_GETFL);
  ::fcntl(fd, F_SETFL, flags | O_ASYNC | O_NONBLOCK);
  ::fcntl(fd, F_SETOWN, ::getpid());
  return std::unique_ptr<LiveScreen>(new LiveScreen(std::move(impl)));
}

void LiveScreen::close() {
  if (impl_->screen == nullptr) {
    return;
  }
  const int fd = ::fileno(impl_->keys);
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_ASYNC);
  ::endwin(); // the terminal's modes and screen as they were
  ::delscreen(impl_->screen);
  impl_->screen = nullptr;
  std::fclose(impl_->keys);
  impl_->keys = nullptr;
}

void LiveScreen::resize() {
  winsize ws{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
      ws.ws_col > 0) {
    ::resizeterm(ws.ws_row, ws.ws_col);
  }
}

std::size_t LiveScreen::width() const {
  return static_cast<std::size_t>(std::max(COLS, 0));
}

std::size_t LiveScreen::height() const {
  return static_cast<std::size_t>(std::max(LINES, 0));
}

void LiveScreen::draw(const std::vector<std::string> &lines, bool full) {
  const int rows = std::max(LINES, 0);
  for (int i = 0; i < rows; ++i) {
    const std::string &text =
        static_cast<std::size_t>(i) < lines.size() ? lines[i] : std::string();
    const bool bar = i == 0 || i == rows - 1;
    ::move(i, 0);
    ::clrtoeol();
    if (bar) {
      ::attron(A_REVERSE);
      std::string padded = text;
      padded.resize(static_cast<std::size_t>(std::max(COLS, 0)), ' ');
      ::addnstr(padded.c_str(), COLS); // the last cell may return ERR
      ::attroff(A_REVERSE);
    } else {
      ::addnstr(text.c_str(), COLS);
    }
  }
  if (full) {
    ::redrawwin(stdscr);
  }
  ::refresh();
}

std::vector<LiveKey> LiveScreen::read_keys() {
  std::vector<LiveKey> keys;
  if (impl_->screen == nullptr) {
    return keys;
  }
  for (int i = 0; i < kMaxKeysPerRead; ++i) {
    const int c = ::getch();
    if (c == ERR) {
      break;
    }
    keys.push_back(decode(c));
  }
  return keys;
}

} // namespace syscallmon
