#pragma once
// Where reports go: stderr, a -o FILE or a --stats-file. Files are written
// to a temporary file created with O_EXCL|O_NOFOLLOW in the same directory
// and renamed into place, so no planted symlink is ever written through and
// a reader never sees half a report.

#include <functional>
#include <optional>
#include <string>

#include "syscallmon/result.hpp"
#include "syscallmon/unique_fd.hpp"

namespace syscallmon {

// A file being written under a temporary name until commit().
class AtomicFile {
 public:
  // Makes a candidate temporary name for a path (tests inject their own).
  using TempNamer = std::function<std::string(const std::string &path)>;

  // Creates the temporary file next to path, mode 0644. A name that is
  // already taken (by anything, a planted symlink included) is never
  // opened: another random name is tried. If path already is something
  // other than a regular file (a device such as /dev/null, a FIFO), it is
  // opened and written directly instead.
  static Result<AtomicFile> create(const std::string &path,
                                   const TempNamer &namer = {});

  AtomicFile(AtomicFile &&) noexcept = default;
  AtomicFile &operator=(AtomicFile &&) noexcept = default;
  ~AtomicFile(); // removes the temporary file if not committed

  std::optional<Error> write(const std::string &data);
  // Renames the temporary file over path.
  std::optional<Error> commit();

 private:
  AtomicFile(std::string path, std::string temp, UniqueFd fd);
  std::string path_;
  std::string temp_;
  UniqueFd fd_;
};

// Writes path atomically with the given content.
std::optional<Error> write_file_atomically(const std::string &path,
                                           const std::string &content);

// Writes all of data to fd (stderr), retrying short writes.
std::optional<Error> write_all(int fd, const std::string &data);

} // namespace syscallmon
