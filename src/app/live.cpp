// The live view in the app (--live): keeps the view's state and snapshots,
// and holds log lines while the screen owns the terminal.

#include <unistd.h>

#include <spdlog/spdlog.h>

#include <csignal>

#include "live_session.hpp"
#include "syscallmon/escape.hpp"
#include "syscallmon/output.hpp"
#include "syscallmon/signals.hpp"

namespace syscallmon {
namespace {

// Log lines held while the view is up: the latest are replayed after.
constexpr std::size_t kHeldLogLines = 200;

std::string without_newline(std::string line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
    line.pop_back();
  }
  return line;
}

} // namespace

LiveSession::LiveSession(std::unique_ptr<LiveScreen> screen, LiveHeader header,
                         RenderOptions opts, SortKey sort)
    : screen_(std::move(screen)), header_(std::move(header)),
      opts_(std::move(opts)), start_(Clock::now()), before_at_(start_),
      now_at_(start_) {
  state_.sort = live_sort_for(sort);
  // Log lines would be drawn over by the next redraw, and would scroll
  // the screen: hold them, show the last, print them all at the end.
  held_ = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(kHeldLogLines);
  held_->set_pattern("syscallmon: %l: %v");
  if (auto logger = spdlog::default_logger()) {
    sinks_ = logger->sinks();
    logger->sinks() = {held_};
  }
}

LiveSession::~LiveSession() { close(); }

void LiveSession::close() {
  if (!screen_) {
    return;
  }
  screen_->close();
  screen_.reset();
  if (auto logger = spdlog::default_logger()) {
    logger->sinks() = sinks_;
  }
  for (const std::string &line : held_->last_formatted()) {
    (void)write_all(STDERR_FILENO, line);
  }
}

LiveSession::Keys LiveSession::read_keys() {
  Keys keys;
  if (!screen_) {
    return keys;
  }
  for (const LiveKey &key : screen_->read_keys()) {
    switch (apply_key(state_, key, opts_, page_)) {
    case LiveCommand::none:
      break;
    case LiveCommand::redraw:
      keys.redraw = true;
      break;
    case LiveCommand::clear:
      keys.clear = true;
      break;
    case LiveCommand::quit:
      keys.quit = true;
      keys.redraw = true;
      break;
    }
  }
  return keys;
}

void LiveSession::resize() {
  if (screen_) {
    screen_->resize();
    draw(true);
  }
}

void LiveSession::update(TableSnapshot now, bool restart) {
  const Clock::time_point at = Clock::now();
  if (restart) {
    before_ = TableSnapshot{};
    before_at_ = at;
  } else {
    before_ = std::move(now_);
    before_at_ = now_at_;
  }
  now_ = std::move(now);
  now_at_ = at;
  draw(true);
}

void LiveSession::redraw() { draw(false); }

int LiveSession::quit_signal() { return ++quits_ == 1 ? SIGTERM : SIGKILL; }

void LiveSession::draw(bool full) {
  if (!screen_) {
    return;
  }
  using Seconds = std::chrono::duration<double>;
  header_.elapsed_s = Seconds(Clock::now() - start_).count();
  header_.interval_s = Seconds(now_at_ - before_at_).count();
  const auto held = held_->last_formatted(1);
  header_.message = held.empty() ? "" : without_newline(held.back());
  const LiveFrame frame = render_live(now_, before_, header_, opts_, state_,
                                      screen_->width(), screen_->height());
  state_.scroll = frame.scroll;
  page_ = std::max<std::size_t>(frame.page, 1);
  screen_->draw(frame.lines, full);
}

} // namespace syscallmon

namespace syscallmon {
namespace {

// What the top line calls the run: it depends on the engine's
// configuration only, so every mode (a command, -p, --system) has one.
std::string live_mode(const EngineConfig &cfg) {
  if (cfg.system_wide) {
    return "system";
  }
  std::string mode;
  if (!cfg.argv.empty()) {
    const std::string &name = cfg.argv.front();
    mode = "command " + escape_image(name.substr(name.rfind('/') + 1));
  }
  if (!cfg.attach_pids.empty()) {
    mode += mode.empty() ? "pids " : " + pids ";
    for (std::size_t i = 0; i < cfg.attach_pids.size(); ++i) {
      mode += (i > 0 ? "," : "") + std::to_string(cfg.attach_pids[i]);
    }
  }
  return mode;
}

} // namespace

std::unique_ptr<LiveSession> open_live_view(const EngineConfig &cfg,
                                            std::string_view engine,
                                            const RenderOptions &render,
                                            SortKey sort) {
  auto why = LiveScreen::unavailable();
  // The keys' rule: syscallmon reads them from the terminal, so a command
  // must not. A command whose stdin is a terminal could, so it is refused
  // (before the screen changes); strace users write </dev/null for this.
  if (!why && !cfg.argv.empty() && ::isatty(STDIN_FILENO) != 0) {
    throw FatalError(kExitUsage,
                     "--live reads keys from the terminal, so the command "
                     "must not: give it another stdin, e.g. </dev/null "
                     "(see --help)");
  }
  std::unique_ptr<LiveScreen> screen;
  if (!why) {
    install_live_signal_handlers(); // before ncurses looks at SIGWINCH
    auto opened = LiveScreen::open();
    if (opened) {
      screen = std::move(*opened);
    } else {
      why = opened.error().message;
    }
  }
  if (!screen) {
    spdlog::warn("--live: {}: printing --interval reports instead",
                 escape_controls(*why));
    return nullptr;
  }
  LiveHeader header;
  header.engine = engine;
  header.mode = live_mode(cfg);
  return std::make_unique<LiveSession>(std::move(screen), std::move(header),
                                       render, sort);
}

} // namespace syscallmon
