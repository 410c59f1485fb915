#include "syscallmon/signals.hpp"

#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <ctime>
#include <iterator>

namespace syscallmon {
namespace {

volatile std::sig_atomic_t g_pending = 0;
volatile std::sig_atomic_t g_terminate = 0;
volatile std::sig_atomic_t g_interrupt = 0;
volatile std::sig_atomic_t g_snapshot = 0;
volatile std::sig_atomic_t g_clear = 0;
volatile std::sig_atomic_t g_tick = 0;
volatile std::sig_atomic_t g_resize = 0;
volatile std::sig_atomic_t g_input = 0;
bool g_launch_mode = true;
// What syscallmon inherited, restored in the command before exec, so that
// nohup, `trap '' INT` and background jobs behave as without syscallmon.
struct sigaction g_inherited[7];
struct sigaction g_inherited_ignored[2];
struct sigaction g_inherited_backstop;
struct sigaction g_inherited_live[2];
bool g_live_installed = false;
struct sigaction g_inherited_chld;
sigset_t g_inherited_mask;
// A signal that lands between the loop's flag check and its blocking
// waitpid() would wait for the next event. Each handled signal arms this
// one-shot timer, whose own signal then interrupts that waitpid (20 ms
// later at most). A POSIX timer on its own signal leaves ITIMER_REAL and
// SIGALRM to --interval.
timer_t g_backstop{};
bool g_backstop_ready = false; // the timer exists
int g_backstop_signal = 0;

constexpr int kHandled[] = {SIGINT,  SIGQUIT, SIGTERM, SIGHUP,
                            SIGUSR1, SIGUSR2, SIGALRM};
// A report written to a closed pipe or past RLIMIT_FSIZE is an error to
// print (EPIPE, EFBIG), not a silent death that would take the command
// with it (PTRACE_O_EXITKILL).
constexpr int kIgnored[] = {SIGPIPE, SIGXFSZ};
// The live view's: the terminal was resized, keys wait on /dev/tty.
constexpr int kLive[] = {SIGWINCH, SIGIO};

void arm_backstop() {
  if (g_backstop_ready) {
    const int saved = errno; // the interrupted code may be reading it
    itimerspec once{};
    once.it_value.tv_nsec = 20'000'000;
    ::timer_settime(g_backstop, 0, &once, nullptr); // async-signal-safe
    errno = saved;
  }
}

void on_signal(int sig) {
  if (sig == g_backstop_signal) {
    return; // its only job was to interrupt a blocking call
  }
  switch (sig) {
  case SIGINT:
  case SIGQUIT:
    if (g_launch_mode) {
      g_interrupt = 1;
    } else {
      g_terminate = sig;
    }
    break;
  case SIGTERM:
  case SIGHUP:
    g_terminate = sig;
    break;
  case SIGUSR1:
    g_snapshot = 1;
    break;
  case SIGUSR2:
    g_clear = 1;
    break;
  case SIGALRM:
    g_tick = 1;
    break;
  case SIGWINCH:
    g_resize = 1;
    break;
  case SIGIO:
    g_input = 1;
    break;
  default:
    break;
  }
  g_pending = 1;
  arm_backstop();
}

void create_backstop(const struct sigaction &sa) {
  g_backstop_signal = SIGRTMIN;
  ::sigaction(g_backstop_signal, &sa, &g_inherited_backstop);
  sigevent ev{};
  ev.sigev_notify = SIGEV_SIGNAL;
  ev.sigev_signo = g_backstop_signal;
  g_backstop_ready = ::timer_create(CLOCK_MONOTONIC, &ev, &g_backstop) == 0;
}

} // namespace

void install_signal_handlers(bool launch_mode) {
  g_launch_mode = launch_mode;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0; // no SA_RESTART: waitpid() must return EINTR
  ::sigprocmask(SIG_BLOCK, nullptr, &g_inherited_mask);
  for (std::size_t i = 0; i < std::size(kHandled); ++i) {
    // Our own handling always applies (a background job still detaches on
    // SIGINT); what we inherited goes to the command (reset_*).
    ::sigaction(kHandled[i], &sa, &g_inherited[i]);
  }
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  for (std::size_t i = 0; i < std::size(kIgnored); ++i) {
    ::sigaction(kIgnored[i], &ignore, &g_inherited_ignored[i]);
  }
  // An inherited SIG_IGN for SIGCHLD (a parent that ignores it) makes the
  // kernel reap our children itself: waitpid() then fails with ECHILD and
  // the command's exit status is lost. The default disposition is the
  // same for us, and the command gets back what it inherited.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  ::sigaction(SIGCHLD, &dfl, &g_inherited_chld);
  create_backstop(sa);
}

void install_live_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  for (std::size_t i = 0; i < std::size(kLive); ++i) {
    ::sigaction(kLive[i], &sa, &g_inherited_live[i]);
  }
  g_live_installed = true;
}

void reset_signal_handlers() {
  for (std::size_t i = 0; i < std::size(kHandled); ++i) {
    ::sigaction(kHandled[i], &g_inherited[i], nullptr);
  }
  for (std::size_t i = 0; i < std::size(kIgnored); ++i) {
    ::sigaction(kIgnored[i], &g_inherited_ignored[i], nullptr);
  }
  if (g_backstop_signal != 0) {
    ::sigaction(g_backstop_signal, &g_inherited_backstop, nullptr);
  }
  for (std::size_t i = 0; g_live_installed && i < std::size(kLive); ++i) {
    ::sigaction(kLive[i], &g_inherited_live[i], nullptr);
  }
  ::sigaction(SIGCHLD, &g_inherited_chld, nullptr);
  ::sigprocmask(SIG_SETMASK, &g_inherited_mask, nullptr);
}

void start_interval_timer(double seconds) {
  itimerval tv{};
  const double whole = std::floor(seconds);
  tv.it_interval.tv_sec = static_cast<time_t>(whole);
  tv.it_interval.tv_usec =
      static_cast<suseconds_t>(std::lround((seconds - whole) * 1e6));
  if (tv.it_interval.tv_sec == 0 && tv.it_interval.tv_usec == 0) {
    tv.it_interval.tv_usec = 1;
  }
  tv.it_value = tv.it_interval;
  ::setitimer(ITIMER_REAL, &tv, nullptr);
}

bool signals_pending() { return g_pending != 0; }

SignalRequests take_signal_requests() {
  SignalRequests r;
  g_pending = 0;
  r.terminate = g_terminate;
  g_terminate = 0;
  r.interrupt = g_interrupt != 0;
  g_interrupt = 0;
  r.snapshot = g_snapshot != 0;
  g_snapshot = 0;
  r.clear = g_clear != 0;
  g_clear = 0;
  r.tick = g_tick != 0;
  g_tick = 0;
  r.resize = g_resize != 0;
  g_resize = 0;
  r.input = g_input != 0;
  g_input = 0;
  return r;
}

} // namespace syscallmon
