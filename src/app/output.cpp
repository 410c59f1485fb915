#include "syscallmon/output.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
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

// Candidate temporary names next to path: ".NAME.<random hex>.tmp", or the
// namer's (tests plant things at them).
std::function<std::string()> temp_names(const std::string &path,
                                        const AtomicFile::TempNamer &namer) {
  if (namer) {
    return [path, namer] { return namer(path); };
  }
  std::random_device seed;
  auto rng = std::make_shared<std::mt19937_64>(
      (static_cast<std::uint64_t>(seed()) << 32) ^ seed() ^
      static_cast<std::uint64_t>(::getpid()));
  // ".BASE.<16 hex>.tmp" must fit NAME_MAX (255) whenever BASE does.
  constexpr std::size_t kMaxBase = 255 - 22;
  PathParts parts = split_path(path);
  parts.base.resize(std::min(parts.base.size(), kMaxBase));
  return [dir = parts.dir, base = parts.base, rng] {
    return fmt::format("{}.{}.{:016x}.tmp", dir, base, (*rng)());
  };
}

Error file_error(const std::string &what, const std::string &path, int err) {
  return Error{fmt::format("{} {}: {}", what, path, std::strerror(err))};
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

AtomicFile::AtomicFile(std::string path, std::string temp, UniqueFd fd,
                       TempNamer namer)
    : path_(std::move(path)), temp_(std::move(temp)), fd_(std::move(fd)),
      namer_(std::move(namer)) {}

AtomicFile AtomicFile::write_through(std::string path, UniqueFd fd) {
  AtomicFile file(std::move(path), "", std::move(fd), {});
  file.written_through_ = true;
  return file;
}

AtomicFile::~AtomicFile() {
  if (fd_.valid() && !temp_.empty()) {
    ::unlink(temp_.c_str());
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
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    // A device, FIFO or socket (/dev/null, /dev/stderr, a pipe) is written
    // through: replacing it with a file would break the system.
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC));
    if (!fd.valid()) {
      return file_error("cannot open", path, errno);
    }
    return write_through(path, std::move(fd));
  }
  // A report replacing a file keeps its permissions (a 0600 report stays
  // private); a new one, or one replacing a link, is 0644 whatever the umask.
  struct stat old {};
  const mode_t mode = ::lstat(path.c_str(), &old) == 0 && S_ISREG(old.st_mode)
                          ? old.st_mode & 0777
                          : 0644;
  // An unnamed file in the target's directory: a run killed before commit
  // leaves nothing behind. Filesystems without O_TMPFILE get a named one.
  UniqueFd unnamed(::open(directory_of(path).c_str(),
                          O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600));
  if (unnamed.valid()) {
    ::fchmod(unnamed.get(), mode);
    return AtomicFile(path, "", std::move(unnamed), namer);
  }
  if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
    return file_error("cannot create a temporary file for", path, errno);
  }
  return create_named(path, mode, namer);
}

Result<AtomicFile> AtomicFile::create_named(const std::string &path,
                                            mode_t mode,
                                            const TempNamer &namer) {
  int err = 0;
  auto names = temp_names(path, namer);
  for (int attempt = 0; attempt < kCreateAttempts; ++attempt) {
    std::string temp = names();
    // O_EXCL|O_NOFOLLOW: fail rather than follow anything already there.
    UniqueFd fd(::open(temp.c_str(),
                       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                       0600));
    if (fd.valid()) {
      ::fchmod(fd.get(), mode);
      return AtomicFile(path, std::move(temp), std::move(fd), namer);
    }
    err = errno;
    if (err != EEXIST) {
      break;
    }
  }
  return file_error("cannot create a temporary file for", path, err);
}

std::optional<Error> AtomicFile::write(const std::string &data) {
  if (auto err = write_all(fd_.get(), data)) {
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
  if (::rename(temp_.c_str(), path_.c_str()) < 0) {
    const int err = errno;
    ::unlink(temp_.c_str());
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
    if (::linkat(fd_.get(), "", AT_FDCWD, temp.c_str(), AT_EMPTY_PATH) == 0 ||
        ::linkat(AT_FDCWD, proc_fd.c_str(), AT_FDCWD, temp.c_str(),
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
                                           const std::string &content) {
  auto file = AtomicFile::create(path);
  if (!file) {
    return file.error();
  }
  if (auto err = file->write(content)) {
    return err;
  }
  return file->commit();
}

} // namespace syscallmon
