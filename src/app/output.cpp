#include "syscallmon/output.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <random>
#include <tuple>
#include <utility>

namespace syscallmon {
namespace {

constexpr int kCreateAttempts = 16;

// A path split at its last slash: "a/b/c" -> "a/b/" and "c", "c" -> "" and
// "c". The directory part keeps its slash, so dir + name is a path again.
struct PathParts {
  std::string dir;
  std::string base;
};

PathParts split_path(const std::string &path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) {
    return {"", path};
  }
  return {path.substr(0, slash + 1), path.substr(slash + 1)};
}

// The directory to open or resolve: "." for a bare name.
std::string directory_of(const std::string &path) {
  const std::string dir = split_path(path).dir;
  return dir.empty() ? "." : dir;
}

// Candidate temporary names in path's directory: ".NAME.<random hex>.tmp",
// or the last part of the namer's (tests plant things at them).
std::function<std::string()> temp_names(const std::string &path,
                                        const AtomicFile::TempNamer &namer) {
  if (namer) {
    return [path, namer] { return split_path(namer(path)).base; };
  }
  std::random_device seed;
  auto rng = std::make_shared<std::mt19937_64>(
      (static_cast<std::uint64_t>(seed()) << 32) ^ seed() ^
      static_cast<std::uint64_t>(::getpid()));
  // ".BASE.<16 hex>.tmp" must fit NAME_MAX (255) whenever BASE does.
  constexpr std::size_t kMaxBase = 255 - 22;
  std::string base = split_path(path).base;
  base.resize(std::min(base.size(), kMaxBase));
  return [base, rng] { return fmt::format(".{}.{:016x}.tmp", base, (*rng)()); };
}

Error file_error_text(const std::string &what, const std::string &path,
                      const std::string &why) {
  return Error{fmt::format("{} {}: {}", what, path, why)};
}

Error file_error(const std::string &what, const std::string &path, int err) {
  return file_error_text(what, path, std::strerror(err));
}

// /dev/stdout, /dev/stderr, /dev/fd/N and /proc/self/fd/N name our own
// descriptors: write through them, as a shell does, at their offset. Opening
// the path again would start at offset 0 of a redirected file; renaming
// over it would replace the system's /dev/stdout link. The directory is
// resolved first, so /dev//stdout or ../dev/stdout are recognised too.
std::optional<int> own_fd(const std::string &path) {
  const std::string base = split_path(path).base;
  char resolved[PATH_MAX];
  if (::realpath(directory_of(path).c_str(), resolved) == nullptr) {
    return std::nullopt;
  }
  const std::string dir = resolved;
  if (dir == "/dev") {
    static const std::pair<const char *, int> kStd[] = {
        {"stdin", 0}, {"stdout", 1}, {"stderr", 2}};
    for (const auto &[name, fd] : kStd) {
      if (base == name) {
        return fd;
      }
    }
    return std::nullopt;
  }
  // /dev/fd and /proc/self/fd resolve to /proc/PID/fd (thread-self to
  // /proc/PID/task/PID/fd).
  const std::string proc = fmt::format("/proc/{}", ::getpid());
  if ((dir == proc + "/fd" ||
       dir == fmt::format("{}/task/{}/fd", proc, ::getpid())) &&
      !base.empty() && base.size() <= 9 &&
      base.find_first_not_of("0123456789") == std::string::npos) {
    return std::stoi(base);
  }
  return std::nullopt;
}

// A name in a directory: where an output path leads, every symlink on the
// way checked. dir is an O_PATH descriptor, so the name cannot be moved
// under us by renaming a directory on the way.
struct Place {
  UniqueFd dir;
  std::string name;
};

// Symlinks followed before giving up, as the kernel's MAXSYMLINKS.
constexpr int kMaxLinks = 40;

std::deque<std::string> components(const std::string &path) {
  std::deque<std::string> out;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    const std::size_t slash = std::min(path.find('/', pos), path.size());
    std::string part = path.substr(pos, slash - pos);
    if (!part.empty() && part != ".") {
      out.push_back(std::move(part));
    }
    pos = slash + 1;
  }
  return out;
}

// fs.protected_symlinks, done here because it may be off: a symlink in a
// sticky world-writable directory (/tmp) is followed only when it is ours
// or the directory owner's. Anyone can plant a link there, aimed at a
// device or at a file of ours.
bool may_follow(int dir, const struct stat &link) {
  struct stat d {};
  if (::fstat(dir, &d) < 0) {
    return false;
  }
  const bool shared = (d.st_mode & S_ISVTX) && (d.st_mode & S_IWOTH);
  return !shared || link.st_uid == ::geteuid() || link.st_uid == d.st_uid;
}

Result<std::string> read_link(int dir, const std::string &name) {
  char buf[PATH_MAX];
  const ssize_t n = ::readlinkat(dir, name.c_str(), buf, sizeof buf);
  if (n < 0 || static_cast<std::size_t>(n) >= sizeof buf) {
    return Error{std::strerror(n < 0 ? errno : ENAMETOOLONG)};
  }
  return std::string(buf, static_cast<std::size_t>(n));
}

// Resolves every directory of path (relative to base), following only the
// symlinks may_follow allows. The last name is not looked at.
Result<Place> walk(int base, const std::string &path, int &links) {
  UniqueFd dir(::openat(base, path.starts_with('/') ? "/" : ".",
                        O_PATH | O_DIRECTORY | O_CLOEXEC));
  std::deque<std::string> todo = components(path);
  if (!dir.valid() || todo.empty()) {
    return Error{std::strerror(dir.valid() ? EISDIR : errno)};
  }
  while (todo.size() > 1) {
    const std::string part = todo.front();
    todo.pop_front();
    struct stat st {};
    if (::fstatat(dir.get(), part.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
      return Error{std::strerror(errno)};
    }
    if (S_ISLNK(st.st_mode)) {
      if (!may_follow(dir.get(), st)) {
        return Error{fmt::format(
            "refusing to follow the symlink {} of uid {} in a sticky "
            "world-writable directory",
            part, st.st_uid)};
      }
      auto target = read_link(dir.get(), part);
      if (!target || ++links > kMaxLinks) {
        return Error{target ? std::strerror(ELOOP) : target.error().message};
      }
      if (target->starts_with('/')) {
        dir.reset(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
      }
      auto more = components(*target);
      todo.insert(todo.begin(), more.begin(), more.end());
      continue;
    }
    UniqueFd next(::openat(dir.get(), part.c_str(),
                           O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next.valid()) {
      return Error{std::strerror(errno)};
    }
    dir = std::move(next);
  }
  return Place{std::move(dir), todo.front()};
}

// What to do with an output path: replace the name (a regular file, a new
// file, a symlink to either, or a symlink we may not follow) or write
// through to the device, FIFO or socket it is (or a followable link leads
// to).
struct Destination {
  Place at;
  bool through = false;
  mode_t mode = 0644; // for a replacement
};

Result<Destination> locate(const std::string &path) {
  int links = 0;
  auto origin = walk(AT_FDCWD, path, links);
  if (!origin) {
    return file_error_text("cannot open", path, origin.error().message);
  }
  std::optional<Place> target; // where origin's symlinks lead
  for (;;) {
    const Place &at = target ? *target : *origin;
    struct stat st {};
    if (::fstatat(at.dir.get(), at.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) <
        0) {
      if (errno != ENOENT) {
        return file_error("cannot open", path, errno);
      }
      return Destination{std::move(*origin)}; // new, or a dangling link
    }
    if (S_ISLNK(st.st_mode)) {
      // A link we may not follow is replaced, never written through.
      auto text = may_follow(at.dir.get(), st) && links++ < kMaxLinks
                      ? read_link(at.dir.get(), at.name)
                      : Result<std::string>(Error{""});
      auto next =
          text ? walk(at.dir.get(), *text, links) : Result<Place>(text.error());
      if (!next) {
        return Destination{std::move(*origin)};
      }
      target = std::move(*next);
      continue;
    }
    if (S_ISBLK(st.st_mode)) {
      return Error{fmt::format(
          "refusing to write to {}: it is (or links to) a block device", path)};
    }
    if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
      // A replaced file keeps its permissions (a 0600 report stays
      // private); one replacing a link is 0644 whatever the umask.
      const mode_t mode = target ? 0644 : st.st_mode & 0777;
      return Destination{std::move(*origin), false, mode};
    }
    return Destination{target ? std::move(*target) : std::move(*origin), true};
  }
}

// Opens a device, FIFO or socket to write to it in place. O_NONBLOCK: a
// FIFO with no reader fails (ENXIO) instead of blocking, and writes to a
// full pipe fail instead of stalling the tracees (write_bounded waits a
// little, then gives up).
Result<UniqueFd> open_through(const std::string &path, const Place &at) {
  UniqueFd fd(
      ::openat(at.dir.get(), at.name.c_str(),
               O_WRONLY | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  struct stat st {};
  if (!fd.valid() && errno == ENXIO &&
      ::fstatat(at.dir.get(), at.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
      S_ISFIFO(st.st_mode)) {
    return Error{fmt::format("cannot open {}: a FIFO with no reader", path)};
  }
  if (!fd.valid()) {
    return file_error("cannot open", path, errno);
  }
  // Checked again on the open file: the name may have changed since.
  if (::fstat(fd.get(), &st) < 0 || S_ISBLK(st.st_mode) ||
      S_ISREG(st.st_mode)) {
    return Error{fmt::format(
        "refusing to write to {}: it changed while being opened", path)};
  }
  return fd;
}

// write_all for descriptors that may be non-blocking: waits for a slow
// reader at most `stall` in all, so output never holds up the tracer loop
// for good.
std::optional<Error> write_bounded(int fd, const std::string &data,
                                   std::chrono::milliseconds stall) {
  const auto deadline = std::chrono::steady_clock::now() + stall;
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        return Error{"the reader is not reading (the pipe is full)"};
      }
      pollfd p{fd, POLLOUT, 0};
      ::poll(&p, 1, static_cast<int>(left.count()));
      continue;
    }
    if (n < 0) {
      return Error{std::strerror(errno)};
    }
    done += static_cast<std::size_t>(n);
  }
  return std::nullopt;
}

} // namespace

std::optional<Error> write_all(int fd, const std::string &data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return Error{std::strerror(errno)};
    }
    done += static_cast<std::size_t>(n);
  }
  return std::nullopt;
}

AtomicFile::AtomicFile(std::string path, UniqueFd dir, std::string name,
                       UniqueFd fd, TempNamer namer)
    : path_(std::move(path)), dir_(std::move(dir)), name_(std::move(name)),
      fd_(std::move(fd)), namer_(std::move(namer)) {}

AtomicFile AtomicFile::write_through(std::string path, UniqueFd fd) {
  AtomicFile file(std::move(path), UniqueFd(), "", std::move(fd), {});
  file.written_through_ = true;
  return file;
}

AtomicFile::~AtomicFile() {
  if (fd_.valid() && !temp_.empty()) {
    ::unlinkat(dir_.get(), temp_.c_str(), 0);
  }
}

Result<AtomicFile> AtomicFile::create(const std::string &path,
                                      const TempNamer &namer) {
  if (auto fd = own_fd(path)) {
    UniqueFd copy(::fcntl(*fd, F_DUPFD_CLOEXEC, 3));
    if (!copy.valid()) {
      return file_error("cannot write to", path, errno);
    }
    return write_through(path, std::move(copy));
  }
  auto dest = locate(path);
  if (!dest) {
    return dest.error();
  }
  if (dest->through) {
    // A device, FIFO or socket (/dev/null, a pipe) is written through:
    // replacing it with a file would break the system.
    auto fd = open_through(path, dest->at);
    if (!fd) {
      return fd.error();
    }
    return write_through(path, std::move(*fd));
  }
  // An unnamed file in the target's directory: a run killed before commit
  // leaves nothing behind. Filesystems without O_TMPFILE get a named one.
  Place &at = dest->at;
  UniqueFd unnamed(
      ::openat(at.dir.get(), ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600));
  if (unnamed.valid()) {
    ::fchmod(unnamed.get(), dest->mode);
    return AtomicFile(path, std::move(at.dir), std::move(at.name),
                      std::move(unnamed), namer);
  }
  if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
    return file_error("cannot create a temporary file for", path, errno);
  }
  AtomicFile file(path, std::move(at.dir), std::move(at.name), UniqueFd(),
                  namer);
  if (auto err = file.create_named(dest->mode)) {
    return *err;
  }
  return file;
}

std::optional<Error> AtomicFile::create_named(mode_t mode) {
  int err = 0;
  auto names = temp_names(path_, namer_);
  for (int attempt = 0; attempt < kCreateAttempts; ++attempt) {
    std::string temp = names();
    // O_EXCL|O_NOFOLLOW: fail rather than follow anything already there.
    UniqueFd fd(::openat(dir_.get(), temp.c_str(),
                         O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                         0600));
    if (fd.valid()) {
      ::fchmod(fd.get(), mode);
      fd_ = std::move(fd);
      temp_ = std::move(temp);
      return std::nullopt;
    }
    err = errno;
    if (err != EEXIST) {
      break;
    }
  }
  return file_error("cannot create a temporary file for", path_, err);
}

std::optional<Error> AtomicFile::write(const std::string &data,
                                       std::chrono::milliseconds stall) {
  if (auto err = write_bounded(fd_.get(), data, stall)) {
    return Error{fmt::format("write {}: {}", path_, err->message)};
  }
  return std::nullopt;
}

std::optional<Error> AtomicFile::commit() {
  if (fd_.valid() && temp_.empty() && !written_through_) {
    if (auto err = link_unnamed()) {
      fd_.reset();
      return err;
    }
  }
  if (temp_.empty()) {
    fd_.reset(); // written through: nothing to rename
    return std::nullopt;
  }
  // renameat replaces the name, never what a symlink there points at.
  if (::renameat(dir_.get(), temp_.c_str(), dir_.get(), name_.c_str()) < 0) {
    const int err = errno;
    ::unlinkat(dir_.get(), temp_.c_str(), 0);
    fd_.reset();
    return file_error("rename to", path_, err);
  }
  fd_.reset();
  return std::nullopt;
}

// Gives the O_TMPFILE file a fresh temporary name, then commit() renames it.
// linkat never follows or replaces what is already at the new name.
std::optional<Error> AtomicFile::link_unnamed() {
  const std::string proc_fd = fmt::format("/proc/self/fd/{}", fd_.get());
  auto names = temp_names(path_, namer_);
  int err = 0;
  for (int attempt = 0; attempt < kCreateAttempts; ++attempt) {
    std::string temp = names();
    // AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; /proc/self/fd does not.
    if (::linkat(fd_.get(), "", dir_.get(), temp.c_str(), AT_EMPTY_PATH) == 0 ||
        ::linkat(AT_FDCWD, proc_fd.c_str(), dir_.get(), temp.c_str(),
                 AT_SYMLINK_FOLLOW) == 0) {
      temp_ = std::move(temp);
      return std::nullopt;
    }
    err = errno;
    if (err != EEXIST) {
      break;
    }
  }
  return file_error("cannot name the temporary file for", path_, err);
}

std::optional<Error> write_file_atomically(const std::string &path,
                                           const std::string &content,
                                           std::chrono::milliseconds stall) {
  auto file = AtomicFile::create(path);
  if (!file) {
    return file.error();
  }
  if (auto err = file->write(content, stall)) {
    return err;
  }
  return file->commit();
}

namespace {

// What same_output_file compares.
std::optional<std::tuple<dev_t, ino_t, std::string>>
output_identity(const std::string &path) {
  if (auto fd = own_fd(path)) {
    return std::tuple<dev_t, ino_t, std::string>{0, 0,
                                                 fmt::format("fd {}", *fd)};
  }
  auto dest = locate(path);
  struct stat st {};
  if (!dest || ::fstat(dest->at.dir.get(), &st) < 0) {
    return std::nullopt;
  }
  return std::tuple{st.st_dev, st.st_ino, dest->at.name};
}

} // namespace

bool same_output_file(const std::string &a, const std::string &b) {
  if (a == b) {
    return true;
  }
  const auto ia = output_identity(a);
  return ia && ia == output_identity(b);
}

} // namespace syscallmon
