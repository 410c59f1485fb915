// The live view (--live) on a real terminal: syscallmon runs in a tmux
// pane, the test types keys into it and reads the screen back with
// capture-pane. Every wait polls the screen up to a deadline.

#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <regex>
#include <sstream>

#include "harness.hpp"

using namespace itest;

namespace {

const std::string kTmux = "/usr/bin/tmux";
// A loaded 2-core machine can take seconds to start tmux or a redraw.
constexpr double kDeadlineS = 15;

std::string quoted(const std::string &arg) {
  std::string out = "'";
  for (char c : arg) {
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  }
  return out + "'";
}

// Where the command in the pane reads from.
enum class Stdin { terminal, null };

// A tmux server of its own (its socket in a temp dir) with one pane of
// width x height that runs a script: the before/after `stty -a`, the
// command's exit status, its pid and stderr land in files of the dir.
class Pane {
 public:
  Pane(int width, int height, const std::vector<std::string> &argv, Stdin in,
       const std::string &setup = "")
      : dir_(temp_dir()), socket_(dir_ + "/tmux.sock") {
    std::string cmd;
    for (const auto &a : argv) {
      cmd += quoted(a) + " ";
    }
    if (in == Stdin::null) {
      cmd += "</dev/null ";
    }
    // exec keeps the pid the script wrote.
    const std::string script =
        setup + "\ntrap : INT\nstty -a >" + dir_ + "/before\n" +
        "sh -c 'echo $$ >" + dir_ + "/pid; exec \"$0\" \"$@\"' " + cmd + "2>" +
        dir_ + "/err\n" + "echo $? >" + dir_ + "/rc.tmp\n" + "stty -a >" +
        dir_ + "/after\n" + "mv " + dir_ + "/rc.tmp " + dir_ + "/rc\n" +
        "exec sleep 600\n";
    write_script(script);
    tmux({"-f", "/dev/null", "new-session", "-d", "-x", std::to_string(width),
          "-y", std::to_string(height), "-s", "t", "sh " + dir_ + "/run.sh"});
  }
  Pane(const Pane &) = delete;
  Pane &operator=(const Pane &) = delete;
  ~Pane() { run({kTmux, "-S", socket_, "kill-server"}, 10); }

  // Sends tmux key names (send-keys): "q", "Up", "NPage", "C-c".
  void keys(const std::vector<std::string> &names) {
    std::vector<std::string> args = {"send-keys", "-t", "t"};
    args.insert(args.end(), names.begin(), names.end());
    tmux(args);
  }

  void resize(int width, int height) {
    tmux({"resize-window", "-t", "t", "-x", std::to_string(width), "-y",
          std::to_string(height)});
  }

  // The pane's screen as text, one line per screen line.
  std::vector<std::string> screen() {
    const Outcome o =
        run({kTmux, "-S", socket_, "capture-pane", "-p", "-t", "t"}, 10);
    std::vector<std::string> lines;
    std::istringstream in(o.out);
    for (std::string line; std::getline(in, line);) {
      lines.push_back(line);
    }
    return lines;
  }

  // Polls the screen until ok(screen) holds; fails the test after the
  // deadline, showing the last screen.
  std::vector<std::string>
  wait_for(const std::string &what,
           const std::function<bool(const std::vector<std::string> &)> &ok) {
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::duration<double>(kDeadlineS);
    for (;;) {
      auto lines = screen();
      if (ok(lines)) {
        return lines;
      }
      if (std::chrono::steady_clock::now() > deadline) {
        std::string text;
        for (const auto &l : lines) {
          text += l + "\n";
        }
        INFO("screen:\n" << text << "stderr:\n" << read_file(dir_ + "/err"));
        FAIL("timed out waiting for " << what);
      }
      sleep_ms(50);
    }
  }

  // The command's exit status, once the script has recorded it.
  int exit_code() {
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::duration<double>(kDeadlineS);
    while (read_file(dir_ + "/rc").empty()) {
      if (std::chrono::steady_clock::now() > deadline) {
        INFO("stderr:\n" << read_file(dir_ + "/err"));
        FAIL("syscallmon did not exit");
      }
      sleep_ms(50);
    }
    return std::stoi(read_file(dir_ + "/rc"));
  }

  pid_t pid() {
    wait_for("the pid file",
             [&](const auto &) { return !read_file(dir_ + "/pid").empty(); });
    return std::stoi(read_file(dir_ + "/pid"));
  }

  std::string file(const std::string &name) const {
    return read_file(dir_ + "/" + name);
  }

 private:
  void write_script(const std::string &text) {
    FILE *f = std::fopen((dir_ + "/run.sh").c_str(), "w");
    REQUIRE(f != nullptr);
    std::fputs(text.c_str(), f);
    std::fclose(f);
  }

  void tmux(const std::vector<std::string> &args) {
    std::vector<std::string> argv = {kTmux, "-S", socket_};
    argv.insert(argv.end(), args.begin(), args.end());
    const Outcome o = run(argv, 20);
    INFO("tmux " << args.front() << ": " << o.err);
    REQUIRE(o.exit_code == 0);
  }

  std::string dir_;
  std::string socket_;
};

// The count and rate an entry line shows for an image, if on the screen.
struct Shown {
  std::size_t line = 0;
  long long count = 0;
};

std::optional<Shown> entry(const std::vector<std::string> &screen,
                           const std::string &image) {
  const std::regex row("^    Image: +" + image +
                       R"(  UID: \d+  Count: \+* +(\d+) +[0-9.-]+/s$)");
  for (std::size_t i = 0; i < screen.size(); ++i) {
    std::smatch m;
    if (std::regex_match(screen[i], m, row)) {
      return Shown{i, std::stoll(m[1])};
    }
  }
  return std::nullopt;
}

// `stty -a` without the size: the terminal's modes.
std::string modes(const std::string &stty) {
  return std::regex_replace(stty, std::regex("rows \\d+; columns \\d+; "), "");
}

bool has(const std::vector<std::string> &screen, const std::string &text) {
  for (const auto &line : screen) {
    if (line.find(text) != std::string::npos) {
      return true;
    }
  }
  return false;
}

std::optional<std::string> tmux_missing() {
  if (auto why = needs_program(kTmux)) {
    return *why + " (Debian package tmux)";
  }
  return std::nullopt;
}

std::vector<std::string> live_cmd(const std::vector<std::string> &args) {
  std::vector<std::string> argv = {syscallmon(), "--live"};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

} // namespace

TEST_CASE("live view: rows grow, s sorts, c clears, q quits sane",
          "[live][tmux]") {
  if (auto why = tmux_missing()) {
    SKIP_TEST(*why);
  }
  // "old" made 3000 calls at once, then 50/s; "new" makes 150/s (three
  // threads of that name): old leads by count, new by rate.
  const std::string stats = temp_dir() + "/stats.txt";
  Pane pane(
      120, 40,
      live_cmd({"-e", "write", "--interval", "0.5", "--stats-file", stats, "--",
                helper("hw_pace"), "20", "old:3000", "new", "new", "new"}),
      Stdin::null);
  auto screen = pane.wait_for("both rows", [](const auto &s) {
    return entry(s, "old") && entry(s, "new");
  });
  CHECK(screen.front().find("ptrace | command hw_pace | ") == 0);
  CHECK(screen.back().find("q quit  c clear  s sort: count") == 0);
  CHECK(screen[1].find("System call: write") == 0);
  const long long first = entry(screen, "new")->count;
  CHECK(entry(screen, "old")->count >= 3000);
  CHECK(entry(screen, "old")->line < entry(screen, "new")->line);
  screen = pane.wait_for("counts that grow", [&](const auto &s) {
    return entry(s, "new") && entry(s, "new")->count > first;
  });
  // The stats file is kept up to date as without --live.
  CHECK(read_file(stats).find("System call: write") != std::string::npos);

  pane.keys({"s"});
  screen = pane.wait_for("the rate order", [](const auto &s) {
    return has(s, "s sort: rate") && entry(s, "old") && entry(s, "new") &&
           entry(s, "new")->line < entry(s, "old")->line;
  });

  pane.keys({"c"});
  // Only a clear takes old below its burst of 3000.
  screen = pane.wait_for("counts back from zero", [](const auto &s) {
    return entry(s, "old") && entry(s, "old")->count < 3000 && entry(s, "new");
  });
  CHECK(pane.file("err").empty()); // nothing written over the screen

  pane.keys({"q"});
  CHECK(pane.exit_code() == 0); // q: a success, though the command died
  const std::string err = pane.file("err");
  CHECK(err.find("syscallmon: 1 system call monitored by ptrace") == 0);
  CHECK(err.find("System call: write") != std::string::npos);
  CHECK(err.find("Image:              new  UID:") != std::string::npos);
  CHECK(pane.file("after") == pane.file("before"));
  screen = pane.wait_for("the shell's screen back",
                         [](const auto &s) { return !has(s, "q quit"); });
}

TEST_CASE("live view keys scroll, group, filter and pause", "[live][tmux]") {
  if (auto why = tmux_missing()) {
    SKIP_TEST(*why);
  }
  // 11 body lines (write and 8 images, openat and 1) on 6 screen lines.
  Pane pane(120, 8,
            live_cmd({"-e", "write,openat", "--interval", "0.2", "--",
                      helper("hw_pace"), "10", "a", "b", "c", "d", "e", "f",
                      "g", "h"}),
            Stdin::null);
  const auto footer_ends = [&](const std::string &tail) {
    pane.wait_for("a footer ending in " + tail, [&](const auto &s) {
      return s.size() == 8 && s.back().size() >= tail.size() &&
             s.back().compare(s.back().size() - tail.size(), tail.size(),
                              tail) == 0;
    });
  };
  footer_ends("  1-6/11");
  pane.keys({"Down"});
  footer_ends("  2-7/11");
  pane.keys({"NPage"});
  footer_ends("  6-11/11");
  pane.keys({"Up"});
  footer_ends("  5-10/11");
  pane.keys({"PPage"});
  footer_ends("  1-6/11");
  pane.keys({"End"});
  footer_ends("  6-11/11");
  pane.keys({"Home"});
  footer_ends("  1-6/11");

  pane.keys({"g"});
  pane.wait_for("the image grouping", [](const auto &s) {
    return has(s, "g group: image") && s.size() > 1 &&
           s[1].find("Image: ") == 0;
  });
  pane.keys({"g", "/", "c", "Enter"});
  pane.wait_for("the filter", [](const auto &s) {
    return has(s, "[filter: c]") && has(s, "g group: syscall") &&
           entry(s, "c") && !entry(s, "a") && !entry(s, "b");
  });
  pane.keys({"/", "x"}); // editing starts from the filter in use
  pane.wait_for("the filter being edited",
                [](const auto &s) { return has(s, "Filter images: cx_"); });
  pane.keys({"Escape"}); // keeps the filter
  pane.wait_for("the filter kept", [](const auto &s) {
    return has(s, "[filter: c]") && !has(s, "Filter images");
  });
  pane.keys({"/", "BSpace", "Enter"}); // an empty filter shows all
  footer_ends("scroll  1-6/11");       // all 11 lines again, no filter

  // Ctrl-S is no flow control here: the view (and the tracing, which
  // waits for a blocked redraw) goes on.
  pane.keys({"C-s"});
  const std::string top = pane.screen().front();
  pane.wait_for("a redraw after Ctrl-S",
                [&](const auto &s) { return s.front() != top; });

  pane.keys({"p"});
  const auto paused = pane.wait_for(
      "the pause", [](const auto &s) { return has(s, "PAUSED"); });
  sleep_ms(1000); // five intervals: the counts would have changed
  CHECK(pane.screen() == paused);
  pane.keys({"p"});
  pane.wait_for("the redraw again", [&](const auto &s) {
    return !has(s, "PAUSED") && s.front() != paused.front();
  });
  pane.keys({"q"});
  CHECK(pane.exit_code() == 0);
}

TEST_CASE("live view holds log lines and prints them after", "[live][tmux]") {
  if (auto why = tmux_missing()) {
    SKIP_TEST(*why);
  }
  Pane pane(
      120, 40,
      live_cmd({"-v", "-e", "write", "--", helper("hw_pace"), "20", "lg"}),
      Stdin::null);
  pane.wait_for("the row",
                [](const auto &s) { return entry(s, "lg").has_value(); });
  pane.keys({"c"});
  // Shown above the footer, not written over the screen.
  const auto screen = pane.wait_for("the log line", [](const auto &s) {
    return s.size() == 40 && s[38] == "syscallmon: info: counts cleared (c)";
  });
  pane.keys({"q"});
  CHECK(pane.exit_code() == 0);
  const std::string err = pane.file("err");
  const auto logged = err.find("syscallmon: info: counts cleared (c)\n");
  CHECK(logged != std::string::npos);
  CHECK(logged < err.find("System call: write"));
  CHECK(err.find("syscallmon: info: counts cleared", logged + 1) ==
        std::string::npos); // once
}

TEST_CASE("live view redraws cleanly when the terminal shrinks",
          "[live][tmux]") {
  if (auto why = tmux_missing()) {
    SKIP_TEST(*why);
  }
  Pane pane(120, 40,
            live_cmd({"-e", "write,openat", "--interval", "0.3", "--",
                      helper("hw_pace"), "10", "a", "b", "c", "d"}),
            Stdin::null);
  pane.wait_for("the rows",
                [](const auto &s) { return entry(s, "d").has_value(); });
  pane.resize(80, 20);
  // Every line is one the view draws, and the count still grows.
  const std::regex valid(
      R"(^(bpf|ptrace) \| .*|^System call: \w+ +\d+ +[0-9.-]+/s$)"
      R"(|^    Image: +\w+  UID: \d+  Count: \+* +\d+ +[0-9.-]+/s$|^$)"
      R"(|^q quit  c clear .*)");
  long long before = 0;
  const auto screen = pane.wait_for("a clean 80x20 screen", [&](const auto &s) {
    if (s.size() != 20 || s.back().find("q quit") != 0 ||
        s.front().find("ptrace | command hw_pace") != 0 || !entry(s, "a")) {
      return false;
    }
    for (const auto &line : s) {
      if (line.size() > 80 || !std::regex_match(line, valid)) {
        return false;
      }
    }
    before = entry(s, "a")->count;
    return true;
  });
  CHECK(has(screen, "System call: openat"));
  pane.wait_for("counts that grow at 80x20", [&](const auto &s) {
    return entry(s, "a") && entry(s, "a")->count > before;
  });
  pane.keys({"q"});
  CHECK(pane.exit_code() == 0);
  CHECK(modes(pane.file("after")) == modes(pane.file("before")));
  CHECK(pane.file("after").find("rows 20; columns 80;") != std::string::npos);
}

TEST_CASE("live view escapes hostile image names", "[live][tmux]") {
  if (auto why = tmux_missing()) {
    SKIP_TEST(*why);
  }
  // ESC [31m and a newline in one name; spaces around the other.
  Pane pane(120, 40,
            live_cmd({"-e", "write", "--", helper("hw_pace"), "20",
                      "\\x1b[31mE\\x0a", " sp "}),
            Stdin::null);
  const auto screen = pane.wait_for("both names", [](const auto &s) {
    return has(s, "Image:    \\x1b[31mE\\x0a  UID: 0000") &&
           has(s, "Image:           \" sp \"  UID: 0000");
  });
  pane.keys({"q"});
  CHECK(pane.exit_code() == 0);
}

TEST_CASE("live view with a command that keeps the terminal's stdin is a "
          "usage error",
          "[live][tmux]") {
  if (auto why = tmux_missing()) {
    SKIP_TEST(*why);
  }
  Pane pane(120, 40, live_cmd({"--", helper("hw_rw"), "1"}), Stdin::terminal);
  CHECK(pane.exit_code() == 2);
  CHECK(pane.file("err") ==
        "syscallmon: --live reads keys from the terminal, so the command "
        "must not: give it another stdin, e.g. </dev/null (see --help)\n");
  CHECK(pane.file("after") == pane.file("before"));
}

TEST_CASE("live view falls back to interval reports when TERM is dumb",
          "[live][tmux]") {
  if (auto why = tmux_missing()) {
    SKIP_TEST(*why);
  }
  Pane pane(120, 40,
            live_cmd({"-e", "write", "--interval", "0.2", "--",
                      helper("hw_batches"), "3", "5", "300"}),
            Stdin::null, "export TERM=dumb");
  CHECK(pane.exit_code() == 0);
  const std::string err = pane.file("err");
  CHECK(err.find("syscallmon: warning: --live: TERM is dumb: printing "
                 "--interval reports instead\nsyscallmon: snapshot at ") == 0);
  CHECK(err.find("15 calls in") != std::string::npos);
}

TEST_CASE("live view falls back to interval reports when stdout is not a "
          "terminal",
          "[live]") {
  auto o = run({syscallmon(), "--live", "-e", "write", "--interval", "0.2",
                "--", helper("hw_batches"), "3", "5", "300"});
  CHECK(o.exit_code == 0);
  CHECK(o.err.find("syscallmon: warning: --live: stdout is not a terminal: "
                   "printing --interval reports instead\n") == 0);
  CHECK(std::count(o.err.begin(), o.err.end(), 'Z') >= 2); // snapshots
  CHECK(o.err.find("syscallmon: 1 system call monitored by ptrace, 1 image, "
                   "1 user, 15 calls in ") != std::string::npos);
  CHECK(o.out.empty());
}

TEST_CASE("live view gives the terminal back on signals and errors",
          "[live][tmux]") {
  if (auto why = tmux_missing()) {
    SKIP_TEST(*why);
  }
  const std::vector<std::string> pace = {"-e", "write", "--", helper("hw_pace"),
                                         "20", "p"};
  SECTION("SIGTERM") {
    Pane pane(120, 40, live_cmd(pace), Stdin::null);
    pane.wait_for("the row",
                  [](const auto &s) { return entry(s, "p").has_value(); });
    ::kill(pane.pid(), SIGTERM);
    CHECK(pane.exit_code() == 128 + SIGTERM); // forwarded to the command
    CHECK(pane.file("err").find("Image:                p") !=
          std::string::npos);
    CHECK(pane.file("after") == pane.file("before"));
  }
  SECTION("SIGHUP") {
    Pane pane(120, 40, live_cmd(pace), Stdin::null);
    pane.wait_for("the row",
                  [](const auto &s) { return entry(s, "p").has_value(); });
    ::kill(pane.pid(), SIGHUP);
    CHECK(pane.exit_code() == 128 + SIGHUP);
    CHECK(pane.file("after") == pane.file("before"));
  }
  SECTION("Ctrl-C") {
    Pane pane(120, 40, live_cmd(pace), Stdin::null);
    pane.wait_for("the row",
                  [](const auto &s) { return entry(s, "p").has_value(); });
    pane.keys({"C-c"}); // SIGINT to the command, which dies of it
    CHECK(pane.exit_code() == 128 + SIGINT);
    CHECK(pane.file("after") == pane.file("before"));
  }
  SECTION("the command's exit") {
    Pane pane(
        120, 40,
        live_cmd({"-e", "write", "--", helper("hw_batches"), "2", "5", "500"}),
        Stdin::null);
    CHECK(pane.exit_code() == 0);
    CHECK(pane.file("err").find("10 calls in") != std::string::npos);
    CHECK(pane.file("after") == pane.file("before"));
  }
  SECTION("a fatal error") {
    // The view is up before attaching, which then fails.
    Pane pane(120, 40, live_cmd({"-p", "2147483647"}), Stdin::terminal);
    CHECK(pane.exit_code() == 1);
    CHECK(pane.file("err").find("syscallmon: ") == 0);
    CHECK(pane.file("after") == pane.file("before"));
  }
}

TEST_CASE("live view follows attached processes and q detaches",
          "[live][tmux]") {
  if (auto why = tmux_missing()) {
    SKIP_TEST(*why);
  }
  const std::string dir = temp_dir();
  const pid_t target =
      spawn({helper("hw_pace"), "20", "att"}, dir + "/out", dir + "/err");
  struct Reaper { // the target never ends by itself, even if a check fails
    pid_t pid;
    ~Reaper() {
      ::kill(pid, SIGKILL);
      wait_exit(pid);
    }
  } reaper{target};
  // -p and no command: syscallmon's stdin may stay the terminal.
  Pane pane(120, 40, live_cmd({"-e", "write", "-p", std::to_string(target)}),
            Stdin::terminal);
  const auto screen = pane.wait_for(
      "the row", [](const auto &s) { return entry(s, "att").has_value(); });
  CHECK(screen.front().find("ptrace | pids " + std::to_string(target)) == 0);
  pane.keys({"q"});
  CHECK(pane.exit_code() == 0);
  CHECK(::kill(target, 0) == 0); // detached, still running
  CHECK(pane.file("after") == pane.file("before"));
}

TEST_CASE("live view under the bpf engine", "[live][tmux][bpf]") {
  if (auto why = tmux_missing()) {
    SKIP_TEST(*why);
  }
  if (auto why = bpf_unavailable()) {
    SKIP_TEST(*why);
  }
  Pane pane(120, 40,
            live_cmd({"--engine", "bpf", "-e", "write", "--", helper("hw_pace"),
                      "20", "kb:100"}),
            Stdin::null);
  const auto screen = pane.wait_for("the row", [](const auto &s) {
    return entry(s, "kb") && entry(s, "kb")->count > 100;
  });
  CHECK(screen.front().find("bpf | command hw_pace | ") == 0);
  pane.keys({"q"});
  CHECK(pane.exit_code() == 0);
  CHECK(pane.file("after") == pane.file("before"));
}

TEST_CASE("live view: q ends every process the command started",
          "[live][tmux]") {
  if (auto why = tmux_missing()) {
    SKIP_TEST(*why);
  }
  // A shell that leaves two helpers behind: a q that reached the shell
  // alone left them running, and the run with them.
  const std::string pace = helper("hw_pace");
  std::vector<std::string> engines = {"ptrace"};
  if (!bpf_unavailable()) {
    engines.emplace_back("bpf");
  }
  for (const auto &engine : engines) {
    INFO("engine " << engine);
    {
      Pane pane(120, 40,
                live_cmd({"--engine", engine, "-e", "write", "--", "/bin/sh",
                          "-c", pace + " 20 qa & " + pace + " 20 qb & wait"}),
                Stdin::null);
      pane.wait_for("both rows", [](const auto &s) {
        return entry(s, "qa") && entry(s, "qb");
      });
      pane.keys({"q"});
      CHECK(pane.exit_code() == 0);
    }
    {
      // All of them ignore SIGTERM: the second q (SIGKILL) ends them all.
      Pane pane(
          120, 40,
          live_cmd(
              {"--engine", engine, "-e", "write", "--", "/bin/sh", "-c",
               "trap '' TERM; " + pace + " 20 qc & " + pace + " 20 qd & wait"}),
          Stdin::null);
      pane.wait_for("both rows", [](const auto &s) {
        return entry(s, "qc") && entry(s, "qd");
      });
      pane.keys({"q"});
      pane.wait_for("the quitting footer",
                    [](const auto &s) { return has(s, "q again: SIGKILL"); });
      pane.keys({"q"});
      CHECK(pane.exit_code() == 0);
    }
    {
      // The command failed on its own before q ended what it left: its
      // status stays (q's 0 is for a command q's own signal ended).
      Pane pane(120, 40,
                live_cmd({"--engine", engine, "-e", "write", "--", "/bin/sh",
                          "-c", pace + " 20 qe & exit 3"}),
                Stdin::null);
      pane.wait_for("the row",
                    [](const auto &s) { return entry(s, "qe").has_value(); });
      pane.keys({"q"});
      CHECK(pane.exit_code() == 3);
    }
  }
}

TEST_CASE("live view watches the whole system", "[live][tmux][system]") {
  if (auto why = tmux_missing()) {
    SKIP_TEST(*why);
  }
  // --system comes from another branch: the view needs nothing of it but
  // the engine's snapshots and EngineConfig::system_wide.
  if (run({syscallmon(), "--help"}).out.find("--system") == std::string::npos) {
    SKIP_TEST("this build has no --system");
  }
  const std::string dir = temp_dir();
  const pid_t busy =
      spawn({helper("hw_pace"), "10", "sysrow"}, dir + "/out", dir + "/err");
  struct Reaper {
    pid_t pid;
    ~Reaper() {
      ::kill(pid, SIGKILL);
      wait_exit(pid);
    }
  } reaper{busy};
  std::vector<std::string> args = {"--system", "-e", "write"};
  if (!bpf_unavailable()) {
    args.insert(args.begin(), {"--engine", "bpf"});
  }
  Pane pane(120, 40, live_cmd(args), Stdin::terminal);
  const auto screen = pane.wait_for("the busy image", [](const auto &s) {
    return entry(s, "sysrow").has_value();
  });
  CHECK(screen.front().find(" | system | ") != std::string::npos);
  pane.keys({"q"});
  CHECK(pane.exit_code() == 0);
  CHECK(pane.file("after") == pane.file("before"));
}
