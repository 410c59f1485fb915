#pragma once
// Where reports go: stderr, a -o FILE or a --stats-file. Files are written
// to an unnamed O_TMPFILE file in the same directory (a named one created
// with O_EXCL|O_NOFOLLOW where the filesystem has no O_TMPFILE), linked to a
// fresh temporary name and renamed into place at commit: no planted symlink
// is ever written through, a reader never sees half a report, and a killed
// run leaves no temporary file (unless killed inside the final link and
// rename).

#include <sys/types.h>

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

  // Creates the temporary file next to path: mode 0644, or that of the
  // regular file at path, which it will replace. A name that is
  // already taken (by anything, a planted symlink included) is never
  // opened or replaced: another random name is tried. If path already is
  // something other than a regular file (a device such as /dev/null, a FIFO),
  // it is opened and written directly instead.
  static Result<AtomicFile> create(const std::string &path,
                                   const TempNamer &namer = {});

  AtomicFile(AtomicFile &&) noexcept = default;
  AtomicFile &operator=(AtomicFile &&) noexcept = default;
  ~AtomicFile(); // removes the temporary file if not committed

  std::optional<Error> write(const std::string &data);
  // Renames the temporary file over path.
  std::optional<Error> commit();

 private:
  AtomicFile(std::string path, std::string temp, UniqueFd fd, TempNamer namer);
  static AtomicFile write_through(std::string path, UniqueFd fd);
  static Result<AtomicFile> create_named(const std::string &path, mode_t mode,
                                         const TempNamer &namer);
  std::optional<Error> link_unnamed();

  std::string path_;
  std::string temp_; // empty while unnamed, and when written through
  UniqueFd fd_;
  TempNamer namer_;
  bool written_through_ = false;
};

// Writes path atomically with the given content.
std::optional<Error> write_file_atomically(const std::string &path,
                                           const std::string &content);

// Writes all of data to fd (stderr), retrying short writes.
std::optional<Error> write_all(int fd, const std::string &data);

} // namespace syscallmon
