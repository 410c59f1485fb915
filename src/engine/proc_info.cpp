#include "syscallmon/proc_info.hpp"

#include <dirent.h>
#include <fcntl.h>

#include <charconv>
#include <cstring>
#include <memory>
#include <string_view>

#include "syscallmon/unique_fd.hpp"

namespace syscallmon {
namespace {

// Reads a small /proc file whole, or nullopt if it cannot be opened.
std::optional<std::string> read_small_file(const std::string &path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    return std::nullopt;
  }
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return std::nullopt;
    }
    if (n == 0) {
      return out;
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
}

template <class T> T parse_number(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  T value{};
  std::from_chars(s.data(), s.data() + s.size(), value);
  return value;
}

} // namespace

std::optional<std::string> read_comm(pid_t tid) {
  auto comm = read_small_file("/proc/" + std::to_string(tid) + "/comm");
  if (comm && !comm->empty() && comm->back() == '\n') {
    comm->pop_back(); // only the newline the kernel adds: a name may hold more
  }
  return comm;
}

namespace {

// The task's PF_* flags (include/linux/sched.h), nullopt if it is gone.
std::optional<std::uint32_t> task_flags(pid_t tid) {
  const auto text = read_small_file("/proc/" + std::to_string(tid) + "/stat");
  if (!text) {
    return std::nullopt;
  }
  // "pid (comm) state ppid pgrp session tty_nr tpgid flags ...": comm may
  // hold anything, so the fields are counted from its last ')'.
  const std::size_t paren = text->rfind(')');
  if (paren == std::string::npos) {
    return std::nullopt;
  }
  std::string_view rest = std::string_view(*text).substr(paren + 1);
  for (int field = 3; field < 9; ++field) {
    const std::size_t space = rest.find(' ', 1);
    if (space == std::string_view::npos) {
      return std::nullopt;
    }
    rest.remove_prefix(space);
  }
  return parse_number<std::uint32_t>(rest);
}

} // namespace

bool is_exiting(pid_t tid) {
  constexpr std::uint32_t kPfExiting = 0x4;
  const auto flags = task_flags(tid);
  return !flags || (*flags & kPfExiting) != 0;
}

bool is_kernel_thread(pid_t tid) {
  constexpr std::uint32_t kPfKthread = 0x00200000;
  const auto flags = task_flags(tid);
  return flags && (*flags & kPfKthread) != 0;
}

std::optional<TaskStatus> read_status(pid_t tid) {
  const auto text = read_small_file("/proc/" + std::to_string(tid) + "/status");
  if (!text) {
    return std::nullopt;
  }
  TaskStatus st;
  std::string_view rest = *text;
  while (!rest.empty()) {
    const std::size_t eol = std::min(rest.find('\n'), rest.size());
    const std::string_view line = rest.substr(0, eol);
    rest.remove_prefix(std::min(eol + 1, rest.size()));
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      continue;
    }
    const std::string_view key = line.substr(0, colon);
    const std::string_view value = line.substr(colon + 1);
    if (key == "Tgid") {
      st.tgid = parse_number<pid_t>(value);
    } else if (key == "PPid") {
      st.ppid = parse_number<pid_t>(value);
    } else if (key == "TracerPid") {
      st.tracer_pid = parse_number<pid_t>(value);
    } else if (key == "Uid") {
      st.real_uid = parse_number<std::uint32_t>(value);
    } else if (key == "State") {
      const std::size_t letter = value.find_first_not_of(" \t");
      if (letter != std::string_view::npos) {
        st.state = value[letter];
      }
    }
  }
  return st;
}

std::vector<pid_t> list_threads(pid_t pid) {
  std::vector<pid_t> tids;
  const std::string path = "/proc/" + std::to_string(pid) + "/task";
  struct CloseDir {
    void operator()(DIR *d) const { ::closedir(d); }
  };
  std::unique_ptr<DIR, CloseDir> dir(::opendir(path.c_str()));
  if (!dir) {
    return tids;
  }
  while (const dirent *ent = ::readdir(dir.get())) {
    pid_t tid = 0;
    const char *end = ent->d_name + std::strlen(ent->d_name);
    if (std::from_chars(ent->d_name, end, tid).ptr == end && tid > 0) {
      tids.push_back(tid);
    }
  }
  return tids;
}

} // namespace syscallmon
