// syscallmon: parse options, run, map the result to an exit code.

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

} // namespace

int main(int argc, char **argv) {
  using namespace syscallmon;
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
