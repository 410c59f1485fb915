#pragma once
// Where reports go: stderr, a -o FILE or a --stats-file. Files are written
// to an unnamed O_TMPFILE file in the same directory (a named one created
// with O_EXCL|O_NOFOLLOW where the filesystem has no O_TMPFILE), linked to a
// fresh temporary name and renamed into place at commit: no planted symlink
// is ever written through, a reader never sees half a report, and a killed
// run leaves no temporary file (unless killed inside the final link and
// rename).

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "syscallmon/result.hpp"
#include "syscallmon/unique_fd.hpp"

namespace syscallmon {

// How long a write may wait for a slow reader (a FIFO, a terminal) before
// it fails: output never holds up the tracer loop, and the tracees, for
// good.
inline constexpr std::chrono::milliseconds kReportStall{2000};

// A file being written under a temporary name until commit().
class AtomicFile {
 public:
  // Makes a candidate temporary name for a path (tests inject their own).
  using TempNamer = std::function<std::string(const std::string &path)>;

  // Creates the temporary file next to path: mode 0644, or that of the
  // regular file at path, which it will replace. A name that is
  // already taken (by anything, a planted symlink included) is never
  // opened or replaced: another random name is tried. The directories are
  // resolved as with fs.protected_symlinks (a symlink in a sticky
  // world-writable directory is followed only if it is ours or the
  // directory owner's). If path is, or a followable symlink at path leads
  // to, a character device (/dev/null), a FIFO or a socket, it is opened
  // non-blocking and written directly instead; a FIFO with no reader and
  // a block device are errors. A symlink that is not followed is replaced.
  static Result<AtomicFile> create(const std::string &path,
                                   const TempNamer &namer = {});

  AtomicFile(AtomicFile &&) noexcept = default;
  AtomicFile &operator=(AtomicFile &&) noexcept = default;
  ~AtomicFile(); // removes the temporary file if not committed

  std::optional<Error> write(const std::string &data,
                             std::chrono::milliseconds stall = kReportStall);
  // Renames the temporary file over path.
  std::optional<Error> commit();

 private:
  AtomicFile(std::string path, UniqueFd dir, std::string name, UniqueFd fd,
             TempNamer namer);
  static AtomicFile write_through(std::string path, UniqueFd fd);
  std::optional<Error> create_named(mode_t mode);
  std::optional<Error> link_unnamed();

  std::string path_; // as given, for messages
  UniqueFd dir_;     // O_PATH: the directory name_ and temp_ are in
  std::string name_;
  std::string temp_; // empty while unnamed, and when written through
  UniqueFd fd_;
  TempNamer namer_;
  bool written_through_ = false;
};

// Writes path atomically with the given content (the stats file, which
// waits for a slow reader only briefly: a dropped rewrite is better than
// stalled tracees).
std::optional<Error>
write_file_atomically(const std::string &path, const std::string &content,
                      std::chrono::milliseconds stall = kReportStall);

// Whether two output paths name the same file: the same directory (device
// and inode) and name once resolved, or the same descriptor of ours.
// "./x" and "x", "a//x" and "a/x" are the same.
bool same_output_file(const std::string &a, const std::string &b);

// Writes all of data to fd (stderr), retrying short writes.
std::optional<Error> write_all(int fd, const std::string &data);

} // namespace syscallmon
