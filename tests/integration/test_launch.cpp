// Launch mode: syscallmon -- COMMAND on helpers with exact syscall counts.

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>

#include "harness.hpp"

using namespace itest;

TEST_CASE("counts N writes and N reads exactly", "[launch]") {
  Outcome o;
  auto r = run_json({"--", helper("hw_rw"), "1000"}, &o);
  REQUIRE(o.exit_code == 0);
  CHECK(calls(r, "write") == 1000);
  CHECK(calls(r, "read") == 1000);
  CHECK(calls(r, "openat") == 2);
  CHECK(calls(r, "close") == 2);
  CHECK(r["total_calls"] == 2004);
  CHECK(r["exit_status"] == 0);
  CHECK(r["command"][1] == "1000");
}

TEST_CASE("selecting write counts only writes", "[launch]") {
  auto r = run_json({"-e", "write", "--", helper("hw_rw"), "300"});
  CHECK(calls(r, "write", "hw_rw") == 300);
  CHECK(r["syscalls"].size() == 1);
  CHECK(r["monitored"] == nlohmann::json({"write"}));
}

TEST_CASE("named threads get one entry per thread name", "[launch]") {
  auto r = run_json({"-e", "write", "--", helper("hw_threads"), "4", "250"});
  for (int i = 0; i < 4; ++i) {
    CHECK(calls(r, "write", "worker-" + std::to_string(i)) == 250);
  }
  CHECK(calls(r, "write") == 1000);
  CHECK(r["syscalls"][0]["callers"].size() == 4);
}

TEST_CASE("forked children are all counted", "[launch]") {
  auto r = run_json({"--", helper("hw_fork"), "5", "100"});
  CHECK(calls(r, "write") == 500);
  CHECK(calls(r, "openat") == 5);
  CHECK(calls(r, "close") == 5);
}

TEST_CASE("exec chains split counts between images", "[launch]") {
  auto r = run_json(
      {"-e", "write,read", "--", helper("hw_exec"), "7", helper("hw_rw"), "3"});
  CHECK(calls(r, "write", "hw_exec") == 7);
  CHECK(calls(r, "write", "hw_rw") == 3);
  CHECK(calls(r, "read", "hw_rw") == 3);
  CHECK(calls(r, "read", "hw_exec") == 0);
}

TEST_CASE("prctl rename splits the counts", "[launch]") {
  auto r = run_json({"-e", "write", "--", helper("hw_rename"), "5", "newname"});
  CHECK(calls(r, "write", "hw_rename") == 5);
  CHECK(calls(r, "write", "newname") == 5);
}

TEST_CASE("counting prctl itself still refreshes the name", "[launch]") {
  auto r =
      run_json({"-e", "write,prctl", "--", helper("hw_rename"), "5", "other"});
  CHECK(calls(r, "write", "hw_rename") == 5);
  CHECK(calls(r, "write", "other") == 5);
  CHECK(calls(r, "prctl", "hw_rename") >= 1);
}

TEST_CASE("setuid splits the counts by uid", "[launch][root]") {
  if (auto why = needs_root()) {
    SKIP_TEST(*why + " to setuid");
  }
  auto r = run_json({"-e", "write", "--", helper("hw_setuid"), "6", "65534"});
  const auto &callers = r["syscalls"][0]["callers"];
  REQUIRE(callers.size() == 2);
  std::map<int, long long> by_uid;
  for (const auto &c : callers) {
    by_uid[c["uid"].get<int>()] = c["calls"].get<long long>();
  }
  CHECK(by_uid[0] == 6);
  CHECK(by_uid[65534] == 6);
}

TEST_CASE("an unprivileged user can launch a command", "[launch][root]") {
  if (auto why = needs_root()) {
    SKIP_TEST(*why + " to become nobody with setpriv");
  }
  if (auto why = needs_program("/usr/bin/setpriv")) {
    SKIP_TEST(*why);
  }
  // Without CAP_SYS_ADMIN the filter needs NO_NEW_PRIVS (the kernel says
  // EACCES first).
  auto o = run({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
                "--clear-groups", syscallmon(), "-q", "-f", "csv", "-e",
                "read,write", "--", helper("hw_rw"), "5"});
  INFO(o.err);
  CHECK(o.exit_code == 0);
  const std::string row = "\nwrite,x86_64,hw_rw,65534,5";
  const auto at = o.err.find(row);
  REQUIRE(at != std::string::npos);
  CHECK(o.err.substr(at + row.size()).find_first_of("0123456789") != 0);
  CHECK(o.err.find("read,x86_64,hw_rw,65534,") != std::string::npos);
  // -u needs root: said as such, not as a failure to run the command.
  o = run({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
           "--clear-groups", syscallmon(), "-u", "65534", "--", "/bin/true"});
  CHECK(o.exit_code == 1);
  CHECK(o.err == "syscallmon: cannot run the command as user 65534: "
                 "Operation not permitted (-u needs root)\n");
}

TEST_CASE("signal handlers run and the exit code comes through", "[launch]") {
  Outcome o;
  auto r = run_json({"-e", "all", "--", helper("hw_signals")}, &o);
  CHECK(o.exit_code == 42);
  CHECK(r["exit_status"] == 42);
  CHECK(calls(r, "rt_sigreturn") == 3);
  CHECK(calls(r, "kill") + calls(r, "tgkill") >= 1);
}

TEST_CASE("a child that stops itself and is continued does not hang",
          "[launch]") {
  Outcome o;
  auto r = run_json({"-e", "write", "--", helper("hw_selfstop"), "9"}, &o);
  CHECK(o.exit_code == 0);
  CHECK(calls(r, "write") == 9);
}

TEST_CASE("32-bit programs are counted under [i386]", "[launch][i386]") {
  if (auto why = i386_unavailable()) {
    SKIP_TEST(*why);
  }
  const std::string bin = helper("hw_rw32");
  const std::string dir = temp_dir();
  auto o = run({syscallmon(), "-o", dir + "/r.txt", "--", bin, "11"});
  CHECK(o.exit_code == 0);
  const std::string text = read_file(dir + "/r.txt");
  CHECK(text.find("System call: write [i386]") != std::string::npos);
  auto r = run_json({"--", bin, "11"});
  CHECK(calls(r, "write", "hw_rw32", "i386") == 11);
  CHECK(calls(r, "read", "hw_rw32", "i386") == 11);
  CHECK(calls(r, "openat", "hw_rw32", "i386") == 2);
  CHECK(calls(r, "write", "", "x86_64") == 0);
}

TEST_CASE("a host that refuses i386 programs gets exit 126, not a trace",
          "[launch][i386]") {
  const std::string bin = helper("hw_rw32");
  if (::access(bin.c_str(), X_OK) != 0) {
    SKIP_TEST("no 32-bit toolchain (gcc -m32 -static) built hw_rw32");
  }
  if (!i386_unavailable()) {
    SKIP_TEST("this kernel executes i386 programs (they are counted by the "
              "[i386] test instead)");
  }
  auto o = run({syscallmon(), "--", bin, "11"});
  CHECK(o.exit_code == 126);
  CHECK(o.err == "syscallmon: cannot run " + bin + ": Exec format error\n");
}

TEST_CASE("hostile image names are escaped in text and valid in JSON",
          "[launch][escape]") {
  const std::string dir = temp_dir();
  auto o = run({syscallmon(), "-e", "write", "-o", dir + "/r.txt", "--",
                helper("hw_badname"), "4"});
  REQUIRE(o.exit_code == 0);
  const std::string text = read_file(dir + "/r.txt");
  const std::string escaped = "\\x1b[31mE\\x0a\"q,\\\\\\xff";
  CHECK(text.find("Image: " + escaped + "  UID: 0000  Count:") !=
        std::string::npos);
  CHECK(std::count(text.begin(), text.end(), '\n') == 4);
  CHECK(text.find('\x1b') == std::string::npos);
  auto r = run_json({"-e", "write", "--", helper("hw_badname"), "4"});
  CHECK(calls(r, "write", escaped) == 4);
}

TEST_CASE("a missing command exits 127 with one line", "[launch][errors]") {
  auto o = run({syscallmon(), "--", "/nonexistent/cmd"});
  CHECK(o.exit_code == 127);
  CHECK(o.err == "syscallmon: /nonexistent/cmd: No such file or directory\n");
  o = run({syscallmon(), "--", "no-such-command-xyz"});
  CHECK(o.exit_code == 127);
  CHECK(o.err == "syscallmon: no-such-command-xyz: command not found\n");
}

TEST_CASE("a command that is not executable exits 126", "[launch][errors]") {
  const std::string dir = temp_dir();
  auto o = run({syscallmon(), "--", dir});
  CHECK(o.exit_code == 126);
  CHECK(o.err == "syscallmon: " + dir + ": Permission denied\n");
}

TEST_CASE("a script without #! runs under /bin/sh, as with execvp",
          "[launch]") {
  const std::string dir = temp_dir();
  const std::string script = dir + "/plain-script";
  { std::ofstream(script) << "echo \"$0:$1\"\nexit 4\n"; }
  REQUIRE(::chmod(script.c_str(), 0755) == 0);
  Outcome o;
  auto r = run_json({"-e", "write", "--", script, "arg"}, &o);
  CHECK(o.exit_code == 4);
  CHECK(o.out == script + ":arg\n");
  CHECK(calls(r, "write", "sh") == 1);
  // An ELF file for no arch here is not a script: 126, as bash says too.
  const std::string elf = dir + "/not-for-this-cpu";
  {
    std::ofstream(elf) << "\x7f"
                          "ELF\x02\x01\x01garbage\n";
  }
  REQUIRE(::chmod(elf.c_str(), 0755) == 0);
  o = run({syscallmon(), "--", elf});
  CHECK(o.exit_code == 126);
  CHECK(o.err == "syscallmon: cannot run " + elf + ": Exec format error\n");
}

TEST_CASE("unknown syscall and bad option value exit 2", "[launch][errors]") {
  auto o = run({syscallmon(), "-e", "wirte", "--", "true"});
  CHECK(o.exit_code == 2);
  CHECK(o.err ==
        "syscallmon: unknown system call 'wirte' (did you mean 'write'?)\n");
  o = run({syscallmon(), "--max-entries", "0", "--", "true"});
  CHECK(o.exit_code == 2);
  CHECK(std::count(o.err.begin(), o.err.end(), '\n') == 1);
  CHECK(o.err.find("--max-entries") != std::string::npos);
}

TEST_CASE("the command's exit status and fatal signal come through",
          "[launch]") {
  CHECK(run({syscallmon(), "--", "/bin/sh", "-c", "exit 3"}).exit_code == 3);
  CHECK(run({syscallmon(), "--", "/bin/sh", "-c", "kill -KILL $$"}).exit_code ==
        137);
  CHECK(run({syscallmon(), "--", "/bin/sh", "-c", "kill -TERM $$"}).exit_code ==
        143);
}

TEST_CASE("a report that cannot be written fails a run that succeeded",
          "[launch][errors]") {
  // /dev/full: every write fails with ENOSPC.
  auto o = run({syscallmon(), "-o", "/dev/full", "--", helper("hw_rw"), "2"});
  CHECK(o.exit_code == 1);
  CHECK(o.err.find("cannot write the report: write /dev/full: No space left "
                   "on device") != std::string::npos);
  // The command's own failure wins over the lost report.
  o = run({syscallmon(), "-o", "/dev/full", "--", "/bin/sh", "-c", "exit 3"});
  CHECK(o.exit_code == 3);
}

TEST_CASE("a report to a closed pipe or past the file size limit is an error",
          "[launch][errors]") {
  const std::string dir = temp_dir();
  const std::string sm =
      syscallmon() + " -e write -- " + helper("hw_rw") + " 2";
  // The reader has closed the pipe before syscallmon writes: SIGPIPE
  // must not kill it (nor, through EXITKILL, the command).
  auto o = run({"/bin/sh", "-c",
                "{ while [ ! -e " + dir + "/closed ]; do sleep 0.01; done; " +
                    sm + "; echo $? >" + dir + "/status; } 2>&1 | " +
                    "{ exec 0<&-; touch " + dir + "/closed; }"});
  CHECK(read_file(dir + "/status") == "1\n");
  // RLIMIT_FSIZE of one block, a 2 kB report: its write fails (EFBIG, not
  // a silent SIGXFSZ death) and no report file appears. (The one-line
  // message still fits in the captured stderr file.)
  o = run({"/bin/sh", "-c",
           "ulimit -f 1; exec " + syscallmon() + " -e all -o " + dir +
               "/r -- " + helper("hw_rw") + " 2"});
  CHECK(o.exit_code == 1);
  CHECK(o.err.find("File too large") != std::string::npos);
  CHECK(::access((dir + "/r").c_str(), F_OK) != 0);
}

TEST_CASE("with stderr closed, log lines never land in the report",
          "[launch][errors]") {
  const std::string dir = temp_dir();
  // The stats file cannot be written: a warning, logged to stderr.
  auto o = run({"/bin/sh", "-c",
                "exec 2>&-; exec " + syscallmon() +
                    " -f json --stats-file /nonexistent/s -o " + dir +
                    "/r.json -e write -- " + helper("hw_rw") + " 3"});
  CHECK(o.exit_code == 0);
  const auto r = nlohmann::json::parse(read_file(dir + "/r.json"));
  CHECK(calls(r, "write") == 3);
}
