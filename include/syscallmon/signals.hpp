#pragma once
// syscallmon's own signal handling. Handlers only set flags; the tracer's
// event loop acts on them (take_pending()).

#include <optional>

namespace syscallmon {

// What syscallmon was asked to do by signals since the last take.
struct SignalRequests {
  int terminate = 0;      // last of SIGTERM/SIGHUP (and SIGINT in attach mode)
  bool interrupt = false; // SIGINT/SIGQUIT in launch mode (ignored by us)
  bool snapshot = false;  // SIGUSR1
  bool clear = false;     // SIGUSR2
  bool tick = false;      // the --interval timer fired
  bool resize = false;    // SIGWINCH: the terminal's size changed (--live)
  bool input = false;     // SIGIO: keys wait on the terminal (--live)
  bool any() const {
    return terminate || interrupt || snapshot || clear || tick || resize ||
           input;
  }
};

// Installs the handlers (without SA_RESTART, so waitpid() returns EINTR).
// In launch mode SIGINT/SIGQUIT are swallowed (the terminal already sent
// them to the command); in attach mode SIGINT ends the run like SIGTERM.
void install_signal_handlers(bool launch_mode);

// Also handles SIGWINCH and SIGIO, for the live view (--live). Call
// before ncurses starts, which then leaves SIGWINCH to us.
void install_live_signal_handlers();

// Restores default dispositions: called in the child before exec.
void reset_signal_handlers();

// Starts a periodic tick every `seconds` (> 0) through SIGALRM.
void start_interval_timer(double seconds);

// True if any request is pending: a cheap check for the hot path.
bool signals_pending();

// Takes and clears the pending requests.
SignalRequests take_signal_requests();

} // namespace syscallmon
