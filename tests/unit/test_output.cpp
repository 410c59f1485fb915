#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "skip.hpp"
#include "syscallmon/output.hpp"

using namespace syscallmon;

namespace {
std::string slurp(const std::string &path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
struct TempDir {
  std::string path;
  TempDir() {
    std::string t = (std::filesystem::temp_directory_path() / "smout.XXXXXX");
    path = ::mkdtemp(t.data());
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};
} // namespace

TEST_CASE("a symlink planted at the temporary name is never written through",
          "[output][security]") {
  TempDir dir;
  const std::string victim = dir.path + "/victim";
  std::ofstream(victim) << "precious\n";
  const std::string planted = dir.path + "/.report.planted";
  REQUIRE(::symlink(victim.c_str(), planted.c_str()) == 0);
  int calls = 0;
  const auto namer = [&](const std::string &) {
    return ++calls == 1 ? planted : dir.path + "/.report.fresh";
  };
  auto file = AtomicFile::create(dir.path + "/report", namer);
  REQUIRE(file.ok());
  REQUIRE(!file->write("report\n"));
  REQUIRE(!file->commit());
  CHECK(calls == 2);
  CHECK(slurp(victim) == "precious\n");
  CHECK(slurp(dir.path + "/report") == "report\n");
  struct stat st {};
  REQUIRE(::stat((dir.path + "/report").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);
}

TEST_CASE("our own descriptors are written through at their offset",
          "[output]") {
  TempDir dir;
  const std::string out = dir.path + "/stdout";
  const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, "command\n", 8) == 8);
  // As `syscallmon -o /dev/stdout -- cmd > file` would: the report goes
  // after the command's output, and no link or file is replaced.
  const std::string n = std::to_string(fd);
  for (const std::string &name : {"/dev/fd/" + n, "/proc/self/fd/" + n,
                                  "/dev//fd/" + n, "/proc/self/./fd/" + n}) {
    auto file = AtomicFile::create(name);
    REQUIRE(file.ok());
    REQUIRE(!file->write("report\n"));
    REQUIRE(!file->commit());
  }
  // /dev/stdout however spelled, in a child whose stdout is the file.
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::dup2(fd, 1);
    for (const char *name : {"/dev/stdout", "/dev//stdout", "/dev/./stdout"}) {
      auto file = AtomicFile::create(name);
      if (!file.ok() || file->write("stdout\n") || file->commit()) {
        ::_exit(1);
      }
    }
    ::_exit(0);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(status == 0);
  ::close(fd);
  CHECK(slurp(out) == "command\nreport\nreport\nreport\nreport\n"
                      "stdout\nstdout\nstdout\n");
  struct stat st {};
  REQUIRE(::lstat("/dev/stdout", &st) == 0);
  if (!S_ISLNK(st.st_mode)) { // put the system's link back, then fail
    ::unlink("/dev/stdout");
    static_cast<void>(::symlink("/proc/self/fd/1", "/dev/stdout"));
    FAIL("/dev/stdout was replaced");
  }
}

TEST_CASE("a replaced file keeps its mode; a new one is 0644", "[output]") {
  TempDir dir;
  const std::string priv = dir.path + "/private";
  std::ofstream(priv) << "old\n";
  REQUIRE(::chmod(priv.c_str(), 0600) == 0);
  const mode_t umask_was = ::umask(077);
  REQUIRE(!write_file_atomically(priv, "new\n"));
  REQUIRE(!write_file_atomically(dir.path + "/fresh", "new\n"));
  ::umask(umask_was);
  struct stat st {};
  REQUIRE(::stat(priv.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
  CHECK(slurp(priv) == "new\n");
  REQUIRE(::stat((dir.path + "/fresh").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0644);
}

TEST_CASE("a name of NAME_MAX bytes still gets its temporary name",
          "[output]") {
  TempDir dir;
  const std::string path = dir.path + "/" + std::string(255, 'b');
  REQUIRE(!write_file_atomically(path, "long\n"));
  CHECK(slurp(path) == "long\n");
}

TEST_CASE("an uncommitted file leaves nothing behind", "[output]") {
  TempDir dir;
  {
    auto file = AtomicFile::create(dir.path + "/report");
    REQUIRE(file.ok());
    REQUIRE(!file->write("half"));
  }
  CHECK(std::filesystem::is_empty(dir.path));
}

TEST_CASE("a file being written has no name until commit", "[output]") {
  TempDir dir;
  // Unnamed until commit (O_TMPFILE): a SIGKILL here leaves no file.
  // Filesystems without O_TMPFILE (NFS) get a named temporary file.
  const int probe = ::open(dir.path.c_str(), O_TMPFILE | O_WRONLY, 0600);
  if (probe < 0) {
    SKIP_TEST("no O_TMPFILE on " + dir.path);
  }
  ::close(probe);
  auto file = AtomicFile::create(dir.path + "/report");
  REQUIRE(file.ok());
  REQUIRE(!file->write("half"));
  CHECK(std::filesystem::is_empty(dir.path));
}

TEST_CASE("write_file_atomically replaces the file whole", "[output]") {
  TempDir dir;
  const std::string path = dir.path + "/stats";
  REQUIRE(!write_file_atomically(path, "one\n"));
  REQUIRE(!write_file_atomically(path, "two\n"));
  CHECK(slurp(path) == "two\n");
  auto err = write_file_atomically(dir.path + "/no/such/dir/file", "x");
  REQUIRE(err);
  CHECK(err->message.find("No such file or directory") != std::string::npos);
}

TEST_CASE("devices and FIFOs are written through, never replaced",
          "[output][security]") {
  TempDir dir;
  auto err = write_file_atomically("/dev/null", "report\n");
  REQUIRE(!err);
  struct stat st {};
  REQUIRE(::stat("/dev/null", &st) == 0);
  CHECK(S_ISCHR(st.st_mode));
  const std::string fifo = dir.path + "/fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  // A reader keeps the FIFO open so the writer does not block.
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  REQUIRE(reader >= 0);
  REQUIRE(!write_file_atomically(fifo, "via fifo\n"));
  char buf[32] = {};
  CHECK(::read(reader, buf, sizeof buf) == 9);
  CHECK(std::string(buf) == "via fifo\n");
  ::close(reader);
  REQUIRE(::lstat(fifo.c_str(), &st) == 0);
  CHECK(S_ISFIFO(st.st_mode));
}

namespace {
// A sticky world-writable directory, as /tmp is.
struct StickyDir : TempDir {
  StickyDir() { ::chmod(path.c_str(), 01777); }
};
// A symlink at link to target, owned by nobody (65534): another user's.
void plant_foreign_link(const std::string &target, const std::string &link) {
  REQUIRE(::symlink(target.c_str(), link.c_str()) == 0);
  REQUIRE(::lchown(link.c_str(), 65534, 65534) == 0);
}
} // namespace

TEST_CASE("another user's symlink in a sticky directory is never followed",
          "[output][security]") {
  if (::geteuid() != 0) {
    SKIP_TEST("needs root to lchown a link to another user");
  }
  TempDir outside;
  StickyDir sticky;
  // A FIFO with a reader stands in for a device: anything written through
  // the link would arrive at the reader.
  const std::string fifo = outside.path + "/fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  REQUIRE(reader >= 0);
  const std::string link = sticky.path + "/r.txt";
  plant_foreign_link(fifo, link);
  REQUIRE(!write_file_atomically(link, "report\n"));
  char buf[32] = {};
  CHECK(::read(reader, buf, sizeof buf) <= 0); // nothing came through
  ::close(reader);
  struct stat st {};
  REQUIRE(::lstat(link.c_str(), &st) == 0);
  CHECK(S_ISREG(st.st_mode)); // the link was replaced (we are root)
  CHECK(slurp(link) == "report\n");

  // Nor is such a link followed on the way to a directory.
  TempDir target_dir;
  const std::string via = sticky.path + "/d";
  plant_foreign_link(target_dir.path, via);
  auto err = write_file_atomically(via + "/r.txt", "report\n");
  REQUIRE(err);
  CHECK(err->message.find("refusing to follow the symlink d of uid 65534") !=
        std::string::npos);
  CHECK(std::filesystem::is_empty(target_dir.path));
}

TEST_CASE("our own symlink in a sticky directory is followed to a FIFO",
          "[output][security]") {
  TempDir outside;
  StickyDir sticky;
  const std::string fifo = outside.path + "/fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  REQUIRE(reader >= 0);
  const std::string link = sticky.path + "/r.txt";
  REQUIRE(::symlink(fifo.c_str(), link.c_str()) == 0);
  REQUIRE(!write_file_atomically(link, "via fifo\n"));
  char buf[32] = {};
  CHECK(::read(reader, buf, sizeof buf) == 9);
  ::close(reader);
}

TEST_CASE("a block device is never written, directly or through a link",
          "[output][security]") {
  if (::geteuid() != 0) {
    SKIP_TEST("needs root to make a device node");
  }
  TempDir dir;
  // A node for /dev/loop0 (block 7:0); it is never opened.
  const std::string node = dir.path + "/loop0";
  REQUIRE(::mknod(node.c_str(), S_IFBLK | 0600, makedev(7, 0)) == 0);
  const std::string link = dir.path + "/r.txt";
  REQUIRE(::symlink(node.c_str(), link.c_str()) == 0);
  for (const std::string &path : {node, link}) {
    auto file = AtomicFile::create(path);
    REQUIRE(!file.ok());
    CHECK(file.error().message.find("block device") != std::string::npos);
  }
  struct stat st {};
  REQUIRE(::lstat(link.c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));
}

TEST_CASE("a FIFO with no reader or a full pipe never blocks", "[output]") {
  TempDir dir;
  const std::string fifo = dir.path + "/fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  auto file = AtomicFile::create(fifo);
  REQUIRE(!file.ok());
  CHECK(file.error().message ==
        "cannot open " + fifo + ": a FIFO with no reader");
  // A reader that never reads: 1 MiB cannot fit the pipe, the write gives
  // up instead of waiting for good.
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  REQUIRE(reader >= 0);
  auto err = write_file_atomically(fifo, std::string(1 << 20, 'x'),
                                   std::chrono::milliseconds(0));
  REQUIRE(err);
  CHECK(err->message.find("the pipe is full") != std::string::npos);
  ::close(reader);
}

TEST_CASE("output paths are compared as resolved files", "[output][cli]") {
  TempDir dir;
  const std::string cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir.path);
  REQUIRE(::mkdir("a", 0700) == 0);
  CHECK(same_output_file("./x", "x"));
  CHECK(same_output_file("a//x", "a/x"));
  CHECK(same_output_file("a/../x", dir.path + "/x"));
  CHECK(same_output_file("/dev/stdout", "/dev/fd/1"));
  CHECK(!same_output_file("a/x", "x"));
  CHECK(!same_output_file("x", "y"));
  std::filesystem::current_path(cwd);
}
