#pragma once
// Errors as values inside the engine, and the one exception that carries a
// user-facing failure to main().

#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace syscallmon {

// A recoverable error: a message for the user, already naming the object.
struct Error {
  std::string message;
};

// Either a T or an Error. Small on purpose: no monadic helpers.
template <class T> class Result {
 public:
  Result(T value) : v_(std::move(value)) {}     // NOLINT: implicit on purpose
  Result(Error error) : v_(std::move(error)) {} // NOLINT: implicit on purpose

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  T &value() { return std::get<T>(v_); }
  const T &value() const { return std::get<T>(v_); }
  T &operator*() { return value(); }
  T *operator->() { return &value(); }
  const Error &error() const { return std::get<Error>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Exit codes, documented in the man page.
enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1, // a runtime failure of syscallmon itself
  kExitUsage = 2,   // bad option or value
  kExitNotExecutable = 126,
  kExitNotFound = 127,
};

// A failure that ends the run: main() prints "syscallmon: <what>" and exits
// with exit_code.
class FatalError : public std::runtime_error {
 public:
  FatalError(int exit_code, const std::string &what)
      : std::runtime_error(what), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

} // namespace syscallmon
