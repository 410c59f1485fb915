// The pure parts of the bpf engine: staged records into the table, and the
// kernel offsets found in BTF.

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <linux/btf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "btf_offsets.hpp"
#include "staging.hpp"

using namespace syscallmon;

namespace {

StagedRecord staged(std::uint32_t nr, const char *comm, std::uint64_t calls,
                    std::uint64_t seq, std::uint16_t err = 0) {
  StagedRecord r{};
  r.key.nr = nr;
  r.key.err = err;
  r.key.uid = 1000;
  std::strncpy(r.key.comm, comm, SM_COMM_LEN);
  r.value.calls = calls;
  r.value.first_seq = seq;
  return r;
}

// A BTF blob built by hand: types, then strings.
class BtfBuilder {
 public:
  std::uint32_t str(const std::string &s) {
    const auto off = static_cast<std::uint32_t>(strs_.size());
    strs_.insert(strs_.end(), s.begin(), s.end());
    strs_.push_back('\0');
    return off;
  }
  void type(std::uint32_t name, unsigned kind, unsigned vlen,
            std::uint32_t size) {
    const btf_type t{name, (kind << 24) | vlen, {size}};
    put(&t, sizeof t);
  }
  void member(const std::string &name, std::uint32_t byte_off) {
    const btf_member m{str(name), 1, byte_off * 8};
    put(&m, sizeof m);
  }
  void u32(std::uint32_t v) { put(&v, sizeof v); }
  std::vector<std::uint8_t> blob() const {
    btf_header h{};
    h.magic = BTF_MAGIC;
    h.version = BTF_VERSION;
    h.hdr_len = sizeof h;
    h.type_len = static_cast<std::uint32_t>(types_.size());
    h.str_off = h.type_len;
    h.str_len = static_cast<std::uint32_t>(strs_.size());
    std::vector<std::uint8_t> out(sizeof h);
    std::memcpy(out.data(), &h, sizeof h);
    out.insert(out.end(), types_.begin(), types_.end());
    out.insert(out.end(), strs_.begin(), strs_.end());
    return out;
  }

 private:
  void put(const void *p, std::size_t n) {
    const auto *b = static_cast<const std::uint8_t *>(p);
    types_.insert(types_.end(), b, b + n);
  }
  std::vector<std::uint8_t> types_;
  std::vector<std::uint8_t> strs_{0};
};

// The structs the program reads, at this machine's kernel's offsets, with
// an int and an enum around them (kinds whose extra bytes must be skipped).
BtfBuilder kernel_like_btf(bool with_live = true, bool with_cred = true) {
  BtfBuilder b;
  b.type(b.str("int"), BTF_KIND_INT, 0, 4);
  b.u32(32);
  b.type(b.str("e"), BTF_KIND_ENUM, 2, 4);
  b.u32(b.str("A"));
  b.u32(0);
  b.u32(b.str("B"));
  b.u32(1);
  b.type(b.str("thread_info"), BTF_KIND_STRUCT, 2, 24);
  b.member("flags", 0);
  b.member("status", 16);
  b.type(b.str("task_struct"), BTF_KIND_STRUCT, 6, 4096);
  b.member("thread_info", 0);
  b.member("pid", 1264);
  b.member("tgid", 1268);
  b.member("signal", 1848);
  b.member("cred", 1736);
  b.member("comm", 1752);
  b.type(b.str("signal_struct"), BTF_KIND_STRUCT, 1, 1024);
  b.member(with_live ? "live" : "nr_threads", 4);
  b.type(b.str(with_cred ? "cred" : "kred"), BTF_KIND_STRUCT, 2, 184);
  b.member("usage", 0);
  b.member("uid", 8);
  return b;
}

} // namespace

TEST_CASE("staged records arrive in the order their keys first appeared",
          "[bpf]") {
  StatsTable t(16, 2); // two entries per row: the first-seen two stay
  std::vector<StagedRecord> records = {staged(1, "late", 7, 30),
                                       staged(1, "first", 3, 10),
                                       staged(1, "second", 5, 20)};
  apply_staged(records, t);
  const auto snap = t.snapshot();
  REQUIRE(snap.rows.size() == 1);
  REQUIRE(snap.rows[0].entries.size() == 2);
  CHECK(snap.rows[0].entries[0].key.image == "second");
  CHECK(snap.rows[0].entries[1].key.image == "late");
  CHECK(snap.evicted.entries == 1); // "first", with its 3 calls
  CHECK(snap.evicted.calls == 3);
  CHECK(snap.rows[0].entries[1].key.uid == 1000);
}

TEST_CASE("staged failures and times add to the entry of their calls",
          "[bpf]") {
  StatsTable t(16, 16);
  std::vector<StagedRecord> first = {staged(2, "img", 4, 1)};
  first[0].value.time_ns = 100;
  first[0].value.max_ns = 60;
  apply_staged(first, t);
  // The next drain: 2 ENOENT failures and time alone (no calls) for the
  // entry, and time for an entry the table does not hold (dropped).
  std::vector<StagedRecord> next = {staged(2, "img", 2, 5, 2),
                                    staged(2, "img", 0, 4),
                                    staged(2, "gone", 0, 6)};
  next[1].value.time_ns = 50;
  next[1].value.max_ns = 70;
  next[2].value.time_ns = 999;
  apply_staged(next, t);
  const auto snap = t.snapshot();
  REQUIRE(snap.rows.size() == 1);
  REQUIRE(snap.rows[0].entries.size() == 1);
  const EntryStats &s = snap.rows[0].entries[0].stats;
  CHECK(s.calls == 4);
  CHECK(s.errors == 2);
  CHECK(s.errnos.at(2) == 2);
  CHECK(s.time_total_ns == 150);
  CHECK(s.time_max_ns == 70);
}

TEST_CASE("a comm of 16 bytes without a NUL is cut at 16", "[bpf]") {
  StatsTable t(16, 16);
  std::vector<StagedRecord> r = {staged(1, "", 1, 1)};
  std::memset(r[0].key.comm, 'x', SM_COMM_LEN);
  apply_staged(r, t);
  CHECK(t.snapshot().rows[0].entries[0].key.image == std::string(16, 'x'));
}

TEST_CASE("kernel offsets are found in BTF", "[bpf]") {
  const auto blob = kernel_like_btf().blob();
  const auto o = parse_kernel_offsets(blob);
  REQUIRE(o.ok());
  CHECK(o.value().task_pid == 1264);
  CHECK(o.value().task_tgid == 1268);
  CHECK(o.value().task_signal == 1848);
  CHECK(o.value().signal_live == 4);
  CHECK(o.value().thread_status == 16);
  CHECK(o.value().task_comm == 1752);
  CHECK(o.value().task_cred == 1736);
  CHECK(o.value().cred_uid == 8);
}

TEST_CASE("without cred.uid in BTF comm and uid are left to the helpers",
          "[bpf]") {
  const auto blob = kernel_like_btf(true, false).blob();
  const auto o = parse_kernel_offsets(blob);
  REQUIRE(o.ok());
  CHECK(o.value().task_comm == 0);
  CHECK(o.value().task_cred == 0);
  CHECK(o.value().cred_uid == 0);
}

TEST_CASE("BTF without the fields, of an unknown kind or cut short is an "
          "error",
          "[bpf]") {
  const auto no_live = kernel_like_btf(false).blob();
  CHECK(parse_kernel_offsets(no_live).error().message ==
        "kernel BTF lacks task_struct.pid, tgid, signal or "
        "signal_struct.live");
  // (Before the structs: the scan stops once it has found them all.)
  BtfBuilder odd;
  odd.type(0, 31, 0, 0);
  CHECK(parse_kernel_offsets(odd.blob()).error().message ==
        "kernel BTF has a type of unknown kind 31");
  auto cut = kernel_like_btf().blob();
  cut.resize(10);
  CHECK(parse_kernel_offsets(cut).error().message == "kernel BTF is truncated");
  auto bad = kernel_like_btf().blob();
  bad[0] = 0;
  CHECK(parse_kernel_offsets(bad).error().message ==
        "kernel BTF has an unknown layout");
}

// A FIFO cannot be mapped, as /sys/kernel/btf/vmlinux cannot before 6.16:
// the offsets are then read with read().
TEST_CASE("kernel offsets are read from BTF that cannot be mapped", "[bpf]") {
  char dir[] = "/tmp/sm-btf-XXXXXX";
  REQUIRE(::mkdtemp(dir) != nullptr);
  const std::string fifo = std::string(dir) + "/btf";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const auto through_fifo = [&](const std::vector<std::uint8_t> &bytes) {
    std::thread writer([&] {
      const int fd = ::open(fifo.c_str(), O_WRONLY | O_CLOEXEC);
      std::size_t done = 0;
      while (fd >= 0 && done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n <= 0) {
          break;
        }
        done += static_cast<std::size_t>(n);
      }
      ::close(fd);
    });
    auto o = read_kernel_offsets(fifo.c_str());
    writer.join();
    return o;
  };
  const auto o = through_fifo(kernel_like_btf().blob());
  REQUIRE(o.ok());
  CHECK(o.value().task_pid == 1264);
  CHECK(o.value().signal_live == 4);
  CHECK(o.value().thread_status == 16);
  // The running kernel's BTF (megabytes: more than one read buffer) gives
  // the same offsets both ways.
  std::ifstream in(kVmlinuxBtf, std::ios::binary);
  const std::vector<std::uint8_t> vmlinux{std::istreambuf_iterator<char>(in),
                                          std::istreambuf_iterator<char>()};
  if (!vmlinux.empty()) {
    const auto direct = read_kernel_offsets();
    const auto read = through_fifo(vmlinux);
    REQUIRE(direct.ok());
    REQUIRE(read.ok());
    CHECK(read.value().task_pid == direct.value().task_pid);
    CHECK(read.value().task_tgid == direct.value().task_tgid);
    CHECK(read.value().task_signal == direct.value().task_signal);
    CHECK(read.value().signal_live == direct.value().signal_live);
    CHECK(read.value().thread_status == direct.value().thread_status);
  }
  ::unlink(fifo.c_str());
  ::rmdir(dir);
}
