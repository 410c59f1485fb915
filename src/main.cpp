// syscallmon: parse options, run, map the result to an exit code.

#include <cstdio>
#include <exception>

#include "syscallmon/app.hpp"
#include "syscallmon/options.hpp"

int main(int argc, char **argv) {
  using namespace syscallmon;
  try {
    auto options = parse_options(argc, argv);
    if (!options) {
      std::fprintf(stderr, "syscallmon: %s\n", options.error().message.c_str());
      return kExitUsage;
    }
    return run_app(*options);
  } catch (const FatalError &e) {
    std::fprintf(stderr, "syscallmon: %s\n", e.what());
    return e.exit_code();
  } catch (const std::exception &e) {
    std::fprintf(stderr, "syscallmon: internal error: %s\n", e.what());
    return kExitFailure;
  }
}
