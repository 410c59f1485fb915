// The live view's keys: what each does to the view's state. Pure.

#include <limits>

#include "syscallmon/live_view.hpp"

namespace syscallmon {
namespace {

LiveSort next_sort(LiveSort sort, const RenderOptions &opts) {
  switch (sort) {
  case LiveSort::count:
    return LiveSort::rate;
  case LiveSort::rate:
    if (opts.errors) {
      return LiveSort::errors;
    }
    return opts.time ? LiveSort::time : LiveSort::count;
  case LiveSort::errors:
    return opts.time ? LiveSort::time : LiveSort::count;
  case LiveSort::time:
    break;
  }
  return LiveSort::count;
}

// Keys while the filter is typed after '/': the line editor.
LiveCommand edit_filter(LiveState &state, const LiveKey &key) {
  std::string &text = *state.editing;
  switch (key.kind) {
  case LiveKey::Kind::character:
    if (text.size() < kMaxLiveFilter) {
      text += key.ch;
    }
    return LiveCommand::redraw;
  case LiveKey::Kind::backspace:
    if (!text.empty()) {
      text.pop_back();
    }
    return LiveCommand::redraw;
  case LiveKey::Kind::enter:
    state.filter = text;
    state.editing.reset();
    state.scroll = 0;
    return LiveCommand::redraw;
  case LiveKey::Kind::escape:
    state.editing.reset();
    return LiveCommand::redraw;
  default:
    return LiveCommand::none;
  }
}

LiveCommand scroll(LiveState &state, const LiveKey &key, std::size_t page) {
  const std::size_t step = page > 1 ? page - 1 : 1; // a line of overlap
  std::size_t &at = state.scroll;
  switch (key.kind) {
  case LiveKey::Kind::up:
    at = at > 0 ? at - 1 : 0;
    break;
  case LiveKey::Kind::down:
    ++at; // clamped by render_live
    break;
  case LiveKey::Kind::page_up:
    at = at > step ? at - step : 0;
    break;
  case LiveKey::Kind::page_down:
    at += step;
    break;
  case LiveKey::Kind::home:
    at = 0;
    break;
  case LiveKey::Kind::end:
    at = std::numeric_limits<std::size_t>::max() / 2;
    break;
  default:
    return LiveCommand::none;
  }
  return LiveCommand::redraw;
}

} // namespace

LiveSort live_sort_for(SortKey key) {
  switch (key) {
  case SortKey::errors:
    return LiveSort::errors;
  case SortKey::time:
    return LiveSort::time;
  case SortKey::calls:
  case SortKey::name:
    break;
  }
  return LiveSort::count;
}

LiveCommand apply_key(LiveState &state, const LiveKey &key,
                      const RenderOptions &opts, std::size_t page) {
  if (state.editing) {
    return edit_filter(state, key);
  }
  if (key.kind != LiveKey::Kind::character) {
    return scroll(state, key, page);
  }
  switch (key.ch) {
  case 'q':
  case 'Q':
    state.quitting = true;
    return LiveCommand::quit;
  case 'c':
    return LiveCommand::clear;
  case 's':
    state.sort = next_sort(state.sort, opts);
    state.scroll = 0;
    return LiveCommand::redraw;
  case 'p':
    state.paused = !state.paused;
    return LiveCommand::redraw;
  case 'g':
    state.grouping = state.grouping == LiveGrouping::syscall
                         ? LiveGrouping::image
                         : LiveGrouping::syscall;
    state.scroll = 0;
    return LiveCommand::redraw;
  case '/':
    state.editing = state.filter;
    return LiveCommand::redraw;
  default:
    return LiveCommand::none;
  }
}

} // namespace syscallmon
