// syscallmon: parse options, run, map the result to an exit code.

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <exception>
#include <string>

#include "syscallmon/app.hpp"
#include "syscallmon/escape.hpp"
#include "syscallmon/options.hpp"

namespace {

// Messages quote user input (option values, command names): one line each.
void print_error(const char *prefix, const std::string &message) {
  std::fprintf(stderr, "syscallmon: %s%s\n", prefix,
               syscallmon::escape_controls(message).c_str());
}

// A closed 0, 1 or 2 would be taken by the next open (the -o report file)
// and log lines would land in it. Fill each with /dev/null opened the other
// way round, so that a write to a closed stdout or stderr still fails
// (EBADF, as when closed) and the command sees the same.
void fill_closed_std_fds() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
      const int flags = fd == 0 ? O_WRONLY : O_RDONLY;
      const int got = ::open("/dev/null", flags); // takes the lowest: fd
      if (got != fd && got >= 0) {
        ::close(got);
      }
    }
  }
}

} // namespace

int main(int argc, char **argv) {
  using namespace syscallmon;
  fill_closed_std_fds();
  try {
    auto options = parse_options(argc, argv);
    if (!options) {
      print_error("", options.error().message);
      return kExitUsage;
    }
    return run_app(*options);
  } catch (const FatalError &e) {
    print_error("", e.what());
    return e.exit_code();
  } catch (const std::exception &e) {
    print_error("internal error: ", e.what());
    return kExitFailure;
  }
}
