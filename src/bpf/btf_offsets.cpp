#include "btf_offsets.hpp"

#include <fcntl.h>
#include <linux/btf.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "syscallmon/unique_fd.hpp"

namespace syscallmon {
namespace {

constexpr unsigned kKindEnum64 = 19; // newer than Debian 12's linux/btf.h

// Bytes that follow a type's header, by kind; nullopt for unknown kinds.
std::optional<std::size_t> extra_bytes(unsigned kind, unsigned vlen) {
  switch (kind) {
  case BTF_KIND_INT:
  case BTF_KIND_VAR:
  case BTF_KIND_DECL_TAG:
    return 4;
  case BTF_KIND_ARRAY:
    return sizeof(btf_array);
  case BTF_KIND_STRUCT:
  case BTF_KIND_UNION:
  case BTF_KIND_DATASEC:
    return std::size_t{12} * vlen;
  case BTF_KIND_ENUM:
  case BTF_KIND_FUNC_PROTO:
    return std::size_t{8} * vlen;
  case kKindEnum64:
    return std::size_t{12} * vlen;
  case BTF_KIND_PTR:
  case BTF_KIND_FWD:
  case BTF_KIND_TYPEDEF:
  case BTF_KIND_VOLATILE:
  case BTF_KIND_CONST:
  case BTF_KIND_RESTRICT:
  case BTF_KIND_FUNC:
  case BTF_KIND_FLOAT:
  case BTF_KIND_TYPE_TAG:
    return 0;
  default:
    return std::nullopt;
  }
}

// The member byte offsets of the structs we need: "struct.member" -> off.
using Found = std::map<std::string, std::uint32_t, std::less<>>;

// The members the program needs. The scan stops once it has them all
// (task_struct and cred come early in vmlinux's BTF: most of its 5 MB is
// never read).
constexpr std::pair<std::string_view, std::string_view> kWanted[] = {
    {"task_struct", "pid"},    {"task_struct", "tgid"},
    {"task_struct", "signal"}, {"task_struct", "thread_info"},
    {"task_struct", "comm"},   {"task_struct", "cred"},
    {"signal_struct", "live"}, {"thread_info", "status"},
    {"cred", "uid"},
};

bool wanted_struct(std::string_view s) {
  return std::any_of(std::begin(kWanted), std::end(kWanted),
                     [&](const auto &w) { return w.first == s; });
}

bool wanted(std::string_view s, std::string_view m) {
  return std::any_of(
      std::begin(kWanted), std::end(kWanted),
      [&](const auto &w) { return w.first == s && w.second == m; });
}

} // namespace

Result<KernelOffsets> parse_kernel_offsets(std::span<const std::uint8_t> btf) {
  btf_header hdr{};
  if (btf.size() < sizeof hdr) {
    return Error{"kernel BTF is truncated"};
  }
  std::memcpy(&hdr, btf.data(), sizeof hdr);
  if (hdr.magic != BTF_MAGIC || hdr.hdr_len < sizeof hdr ||
      std::size_t{hdr.hdr_len} + hdr.type_off + hdr.type_len > btf.size() ||
      std::size_t{hdr.hdr_len} + hdr.str_off + hdr.str_len > btf.size()) {
    return Error{"kernel BTF has an unknown layout"};
  }
  const auto types = btf.subspan(hdr.hdr_len + hdr.type_off, hdr.type_len);
  const auto strs = btf.subspan(hdr.hdr_len + hdr.str_off, hdr.str_len);
  const auto name = [&](std::uint32_t off) -> std::string_view {
    if (off >= strs.size()) {
      return {};
    }
    const auto *s = reinterpret_cast<const char *>(strs.data() + off);
    return {s, ::strnlen(s, strs.size() - off)};
  };
  Found found;
  for (std::size_t off = 0; off + sizeof(btf_type) <= types.size() &&
                            found.size() < std::size(kWanted);) {
    btf_type t{};
    std::memcpy(&t, types.data() + off, sizeof t);
    off += sizeof t;
    const unsigned kind = BTF_INFO_KIND(t.info);
    const unsigned vlen = BTF_INFO_VLEN(t.info);
    const auto extra = extra_bytes(kind, vlen);
    if (!extra || off + *extra > types.size()) {
      return Error{
          fmt::format("kernel BTF has a type of unknown kind {}", kind)};
    }
    const std::string_view sname =
        kind == BTF_KIND_STRUCT ? name(t.name_off) : std::string_view();
    if (kind == BTF_KIND_STRUCT && wanted_struct(sname)) {
      for (unsigned i = 0; i < vlen; ++i) {
        btf_member m{};
        std::memcpy(&m, types.data() + off + i * sizeof m, sizeof m);
        const std::string_view mname = name(m.name_off);
        if (wanted(sname, mname)) {
          const std::uint32_t bits = BTF_INFO_KFLAG(t.info)
                                         ? BTF_MEMBER_BIT_OFFSET(m.offset)
                                         : m.offset;
          found.try_emplace(fmt::format("{}.{}", sname, mname), bits / 8);
        }
      }
    }
    off += *extra;
  }
  const auto get = [&](std::string_view key) -> std::optional<std::uint32_t> {
    const auto it = found.find(key);
    return it == found.end() ? std::nullopt : std::optional(it->second);
  };
  const auto pid = get("task_struct.pid");
  const auto tgid = get("task_struct.tgid");
  const auto signal = get("task_struct.signal");
  const auto live = get("signal_struct.live");
  if (!pid || !tgid || !signal || !live) {
    return Error{"kernel BTF lacks task_struct.pid, tgid, signal or "
                 "signal_struct.live"};
  }
  KernelOffsets o{*pid, *tgid, *signal, *live, 0};
  if (const auto ti = get("task_struct.thread_info")) {
    if (const auto status = get("thread_info.status")) {
      o.thread_status = *ti + *status;
    }
  }
  const auto comm = get("task_struct.comm");
  const auto cred = get("task_struct.cred");
  const auto uid = get("cred.uid");
  if (comm && cred && uid) {
    o.task_comm = *comm;
    o.task_cred = *cred;
    o.cred_uid = *uid;
  }
  return o;
}

Result<KernelOffsets> read_kernel_offsets(const char *path) {
  UniqueFd fd(::open(path, O_RDONLY | O_CLOEXEC));
  struct stat st {};
  if (!fd.valid() || ::fstat(fd.get(), &st) < 0) {
    return Error{fmt::format("cannot read the kernel's BTF ({}): {}", path,
                             std::strerror(errno))};
  }
  // Kernels before 6.16 allow only read() of /sys/kernel/btf/vmlinux, and
  // mmap is the cheaper way where it works.
  const auto size = static_cast<std::size_t>(st.st_size);
  if (size != 0) {
    void *map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd.get(), 0);
    if (map != MAP_FAILED) {
      auto offsets =
          parse_kernel_offsets({static_cast<const std::uint8_t *>(map), size});
      ::munmap(map, size);
      return offsets;
    }
  }
  std::vector<std::uint8_t> bytes(std::max<std::size_t>(size, 1 << 20));
  std::size_t got = 0;
  for (;;) {
    if (got == bytes.size()) {
      bytes.resize(bytes.size() * 2);
    }
    const ssize_t n = ::read(fd.get(), bytes.data() + got, bytes.size() - got);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return Error{fmt::format("cannot read the kernel's BTF ({}): {}", path,
                               std::strerror(errno))};
    }
    if (n == 0) {
      break;
    }
    got += static_cast<std::size_t>(n);
  }
  return parse_kernel_offsets({bytes.data(), got});
}

} // namespace syscallmon
