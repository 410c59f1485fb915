// Command-line parsing. The only file that includes Boost.Program_options.

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <sstream>

#include "syscallmon/options.hpp"
#include "syscallmon/output.hpp"
#include "syscallmon/syscalls.hpp"

namespace po = boost::program_options;

namespace syscallmon {
namespace {

constexpr std::size_t kMaxEntriesLimit = 1 << 20;
constexpr std::size_t kMaxSyscallsLimit = 4096;

po::options_description describe() {
  po::options_description d("Options");
  // clang-format off
  d.add_options()
    ("help,h", "show this help and exit")
    ("version,V", "show the version (and libseccomp's) and exit")
    ("syscalls,e", po::value<std::string>()->value_name("LIST"),
     "syscalls to count, comma-separated: names, all, classes (%file %desc "
     "%network %process %signal %ipc %memory %creds), !ITEM to exclude "
     "(default: read,write,open,openat,close)")
    ("list-syscalls", "list known syscall names, or a class's members "
     "(--list-syscalls %file), and exit")
    ("pid,p", po::value<std::vector<std::string>>()->composing()
                  ->value_name("PID[,PID...]"),
     "attach to running processes (repeatable); all threads and new "
     "children are followed")
    ("output,o", po::value<std::string>()->value_name("FILE"),
     "write the report to FILE (default: stderr)")
    ("format,f", po::value<std::string>()->value_name("FORMAT"),
     "report format: text, json, csv or openmetrics (default: text)")
    ("max-syscalls", po::value<std::string>()->value_name("N"),
     "table rows: syscalls kept before the oldest is evicted (default: 16, "
     "or the size of the selection if larger)")
    ("max-entries", po::value<std::string>()->value_name("N"),
     "image/uid entries per syscall before the oldest is evicted "
     "(default: 1024)")
    ("bar-width", po::value<std::string>()->value_name("N"),
     "width of the text report's + bars (default: 20, 0 hides them)")
    ("sort", po::value<std::string>()->value_name("KEY"),
     "order entries and syscalls by calls, name, errors (with --errors) "
     "or time (with --time) (default: calls)")
    ("top", po::value<std::string>()->value_name("N"),
     "show at most N entries per syscall")
    ("errors", "count failed calls and their errno (adds an exit stop per "
     "counted call)")
    ("time", "measure time spent in each call (adds an exit stop per "
     "counted call)")
    ("by", po::value<std::string>()->value_name("FIELDS"),
     "entry key: image,uid (default) or image,uid,pid for one entry per "
     "process")
    ("interval", po::value<std::string>()->value_name("SECONDS"),
     "also print a timestamped report every SECONDS (fractions allowed)")
    ("live", "a full-screen view redrawn every interval (default 1 s); "
     "keys: q quit, c clear, s sort, p pause, g group, / filter, arrows "
     "and PgUp/PgDn scroll; with a command, its stdin must not be the "
     "terminal (add </dev/null)")
    ("stats-file", po::value<std::vector<std::string>>()->composing()
                       ->value_name("[FORMAT:]PATH"),
     "keep PATH holding the current report, rewritten atomically every "
     "interval (default 1 s) and at exit; repeatable, each file in its "
     "own FORMAT (text, json, csv, openmetrics; default: the -f format)")
    ("system", "count every process on the machine but syscallmon itself, "
     "until SIGINT or SIGTERM, or while COMMAND runs if one is given "
     "(implies --engine bpf; root)")
    ("engine", po::value<std::string>()->value_name("ENGINE"),
     "how calls are counted: ptrace (default; a seccomp filter and one "
     "ptrace stop per counted call, any user) or bpf (a BPF program counts "
     "in the kernel at near-native cost; needs CAP_BPF and CAP_PERFMON)")
    ("affinity", po::value<std::string>()->value_name("POLICY"),
     "CPU placement: auto (default) runs tracer and command on one CPU "
     "while at most one task can run or in a storm of stops, same-cpu "
     "always, off never")
    ("user,u", po::value<std::string>()->value_name("USER"),
     "run the command as USER, a name or a numeric uid (groups, gid and "
     "uid are dropped)")
    ("verbose,v", "log more (repeat for debug output)")
    ("quiet,q", "log errors only");
  // clang-format on
  return d;
}

Error usage(const std::string &what) { return Error{what + " (see --help)"}; }

// A whole number in [lo, hi], or an error naming the option.
Result<std::size_t> parse_count(const std::string &option,
                                const std::string &text, std::size_t lo,
                                std::size_t hi) {
  std::size_t value = 0;
  const char *end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || ptr != end || value < lo ||
      value > hi) {
    return usage(fmt::format("invalid value '{}' for --{}: expected a whole "
                             "number from {} to {}",
                             text, option, lo, hi));
  }
  return value;
}

Result<std::vector<pid_t>> parse_pids(const std::vector<std::string> &lists) {
  std::vector<pid_t> pids;
  for (const auto &list : lists) {
    std::size_t pos = 0;
    while (pos <= list.size()) {
      const std::size_t comma = std::min(list.find(',', pos), list.size());
      const std::string item = list.substr(pos, comma - pos);
      auto n = parse_count("pid", item, 1, INT_MAX);
      if (!n) {
        return usage(fmt::format("invalid pid '{}' in '-p {}'", item, list));
      }
      const auto pid = static_cast<pid_t>(*n);
      if (std::find(pids.begin(), pids.end(), pid) == pids.end()) {
        pids.push_back(pid); // a repeated pid is attached once
      }
      pos = comma + 1;
    }
  }
  return pids;
}

template <class Enum, std::size_t N>
Result<Enum> parse_choice(const std::string &option, const std::string &text,
                          const std::pair<const char *, Enum> (&choices)[N]) {
  std::string names;
  for (const auto &[name, value] : choices) {
    if (text == name) {
      return value;
    }
    names += (names.empty() ? "" : ", ") + std::string(name);
  }
  return usage(fmt::format("invalid value '{}' for --{}: expected one of {}",
                           text, option, names));
}

// Sets target from option `name`, if given, to one of the choices.
template <class Enum, std::size_t N>
std::optional<Error>
set_choice(const po::variables_map &vm, const char *name,
           const std::pair<const char *, Enum> (&choices)[N], Enum &target) {
  if (!vm.count(name)) {
    return std::nullopt;
  }
  auto value = parse_choice(name, vm[name].as<std::string>(), choices);
  if (!value) {
    return value.error();
  }
  target = *value;
  return std::nullopt;
}

Result<double> parse_seconds(const std::string &option,
                             const std::string &text) {
  char *end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  // Plain decimals only: strtod would also take " 5", "0x10" and "1e3".
  if (text.empty() ||
      text.find_first_not_of("0123456789.") != std::string::npos ||
      end != text.c_str() + text.size() || !std::isfinite(v) || v < 0.001 ||
      v > 86400) {
    return usage(fmt::format("invalid value '{}' for --{}: expected seconds "
                             "from 0.001 to 86400",
                             text, option));
  }
  return v;
}

// Where the command starts: after "--", or at the first operand, so that
// "syscallmon ls -l" works like "strace ls -l". Also counts -v and -q,
// which may repeat, and removes them from what Boost parses.
struct Split {
  std::vector<std::string> options;
  std::vector<std::string> command;
  int verbosity = 0;
};

Split split_args(int argc, const char *const *argv,
                 const po::options_description &desc) {
  Split s;
  int i = 1;
  const auto takes_value = [&](const std::string &name) {
    const auto *opt = desc.find_nothrow(name, false);
    return opt != nullptr && opt->semantic()->max_tokens() > 0;
  };
  for (; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") {
      ++i;
      break;
    }
    if (arg == "--verbose" ||
        (arg.size() > 1 && arg[0] == '-' &&
         arg.find_first_not_of('v', 1) == std::string::npos)) {
      s.verbosity += arg == "--verbose" ? 1 : static_cast<int>(arg.size() - 1);
      continue;
    }
    if (arg == "--quiet" || arg == "-q") {
      s.verbosity = -1;
      continue;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      break; // the first operand starts the command
    }
    s.options.push_back(arg);
    bool value_follows = false;
    if (arg.rfind("--", 0) == 0) {
      value_follows =
          arg.find('=') == std::string::npos && takes_value(arg.substr(2));
    } else {
      // A cluster of short options: the first that takes a value takes
      // the rest of the word, or the next word.
      for (std::size_t j = 1; j < arg.size(); ++j) {
        if (takes_value(std::string("-") + arg[j])) {
          value_follows = j + 1 == arg.size();
          break;
        }
      }
    }
    if (value_follows && i + 1 < argc) {
      s.options.emplace_back(argv[++i]);
    }
  }
  for (; i < argc; ++i) {
    s.command.emplace_back(argv[i]);
  }
  return s;
}

// --stats-file [FORMAT:]PATH, each a file of its own: a prefix that is no
// format name is part of the path ("./json:x" names the file json:x),
// except a word of letters, which is taken for a mistyped format.
Result<std::vector<StatsFile>>
parse_stats_files(const std::vector<std::string> &args,
                  const std::optional<std::string> &output) {
  static const std::pair<const char *, ReportFormat> kFormats[] = {
      {"text", ReportFormat::text},
      {"json", ReportFormat::json},
      {"csv", ReportFormat::csv},
      {"openmetrics", ReportFormat::openmetrics}};
  std::vector<StatsFile> files;
  for (const auto &arg : args) {
    StatsFile file{arg, std::nullopt};
    const std::size_t colon = arg.find(':');
    bool known = false;
    for (const auto &[name, format] : kFormats) {
      if (colon != std::string::npos && arg.compare(0, colon, name) == 0) {
        file = {arg.substr(colon + 1), format};
        known = true;
      }
    }
    // A word of letters before the colon reads as a format: a typo
    // ("TEXT:", "prom:") must not quietly become part of the file name.
    const std::string prefix = arg.substr(0, std::min(colon, arg.size()));
    if (colon != std::string::npos && !known && !prefix.empty() &&
        std::all_of(prefix.begin(), prefix.end(),
                    [](unsigned char c) { return std::isalpha(c) != 0; })) {
      return usage(
          fmt::format("--stats-file {}: unknown format '{}' (text, json, csv, "
                      "openmetrics; ./{} names a file)",
                      arg, prefix, arg));
    }
    if (file.path.empty()) {
      return usage("--stats-file needs a file name");
    }
    if (output && same_output_file(*output, file.path)) {
      return usage("-o and --stats-file name the same file");
    }
    for (const auto &other : files) {
      if (same_output_file(other.path, file.path)) {
        return usage(fmt::format("--stats-file {} is given twice", file.path));
      }
    }
    files.push_back(std::move(file));
  }
  return files;
}

// --system counts in the kernel: it implies --engine bpf, and every
// process is already counted, so -p would say nothing.
std::optional<Error> apply_system(const po::variables_map &vm, Options &o) {
  o.system = vm.count("system") > 0;
  if (!o.system) {
    return std::nullopt;
  }
  if (o.engine == EngineKind::ptrace && vm.count("engine")) {
    return usage("--system counts in the kernel and needs --engine bpf, not "
                 "--engine ptrace");
  }
  if (!o.pids.empty()) {
    return usage("--system already counts every process: -p PID cannot be "
                 "added to it");
  }
  o.engine = EngineKind::bpf;
  return std::nullopt;
}

} // namespace

namespace {

// Turns the parsed variables into Options; every value is checked here.
Result<Options> to_options(const po::variables_map &vm, Split split) {
  Options o;
  o.verbosity = split.verbosity;
  o.command = std::move(split.command);
  if (vm.count("help")) {
    o.action = Action::help;
    return o;
  }
  if (vm.count("version")) {
    o.action = Action::version;
    return o;
  }
  if (vm.count("list-syscalls")) {
    o.action = Action::list_syscalls;
    if (o.command.size() > 1) {
      return usage("--list-syscalls takes at most one class");
    }
    o.list_class = o.command.empty() ? "" : o.command.front();
    return o;
  }
  const auto str = [&](const char *name) -> std::optional<std::string> {
    if (!vm.count(name)) {
      return std::nullopt;
    }
    return vm[name].as<std::string>();
  };
  o.syscalls = str("syscalls").value_or(std::string(kDefaultSyscalls));
  o.output = str("output");
  if (o.output && o.output->empty()) {
    return usage("--output needs a file name");
  }
  if (vm.count("stats-file")) {
    auto files = parse_stats_files(
        vm["stats-file"].as<std::vector<std::string>>(), o.output);
    if (!files) {
      return files.error();
    }
    o.stats_files = std::move(*files);
  }
  o.user = str("user");
  o.live = vm.count("live") > 0;
  o.errors = vm.count("errors") > 0;
  o.time = vm.count("time") > 0;
  if (vm.count("pid")) {
    auto pids = parse_pids(vm["pid"].as<std::vector<std::string>>());
    if (!pids) {
      return pids.error();
    }
    o.pids = std::move(*pids);
  }
  static const std::pair<const char *, ReportFormat> kFormats[] = {
      {"text", ReportFormat::text},
      {"json", ReportFormat::json},
      {"csv", ReportFormat::csv},
      {"openmetrics", ReportFormat::openmetrics}};
  static const std::pair<const char *, Affinity> kPolicies[] = {
      {"auto", Affinity::automatic},
      {"same-cpu", Affinity::same_cpu},
      {"off", Affinity::off}};
  static const std::pair<const char *, EngineKind> kEngines[] = {
      {"ptrace", EngineKind::ptrace}, {"bpf", EngineKind::bpf}};
  static const std::pair<const char *, SortKey> kKeys[] = {
      {"calls", SortKey::calls},
      {"name", SortKey::name},
      {"errors", SortKey::errors},
      {"time", SortKey::time}};
  if (auto err = set_choice(vm, "format", kFormats, o.format)) {
    return *err;
  }
  if (auto err = set_choice(vm, "engine", kEngines, o.engine)) {
    return *err;
  }
  if (auto err = apply_system(vm, o)) {
    return *err;
  }
  if (auto err = set_choice(vm, "affinity", kPolicies, o.affinity)) {
    return *err;
  }
  // Never silently ignored: the bpf engine places no one.
  if (o.engine == EngineKind::bpf && vm.count("affinity")) {
    return usage(fmt::format("--affinity applies to the ptrace engine "
                             "only, not to {}",
                             o.system ? "--system" : "--engine bpf"));
  }
  if (auto err = set_choice(vm, "sort", kKeys, o.sort)) {
    return *err;
  }
  struct Count {
    const char *name;
    std::size_t lo;
    std::size_t hi;
    std::function<void(std::size_t)> set;
  };
  const Count counts[] = {
      {"max-syscalls", 1, kMaxSyscallsLimit,
       [&](std::size_t n) { o.max_syscalls = n; }},
      {"max-entries", 1, kMaxEntriesLimit,
       [&](std::size_t n) { o.max_entries = n; }},
      {"bar-width", 0, 200, [&](std::size_t n) { o.bar_width = n; }},
      {"top", 1, kMaxEntriesLimit, [&](std::size_t n) { o.top = n; }},
  };
  for (const auto &c : counts) {
    if (auto v = str(c.name)) {
      auto n = parse_count(c.name, *v, c.lo, c.hi);
      if (!n) {
        return n.error();
      }
      c.set(*n);
    }
  }
  for (const char *name : {"interval"}) {
    if (auto v = str(name)) {
      auto secs = parse_seconds(name, *v);
      if (!secs) {
        return secs.error();
      }
      o.interval = *secs;
    }
  }
  if (auto v = str("by")) {
    std::size_t pos = 0;
    while (pos <= v->size()) {
      const std::size_t comma = std::min(v->find(',', pos), v->size());
      const std::string field = v->substr(pos, comma - pos);
      if (field == "pid") {
        o.by_pid = true;
      } else if (field != "image" && field != "uid") {
        return usage(fmt::format("invalid field '{}' for --by: expected "
                                 "image, uid or pid",
                                 field));
      }
      pos = comma + 1;
    }
  }
  if (o.command.empty() && o.pids.empty() && !o.system) {
    return usage("no command to run and no -p PID to attach to");
  }
  if (o.user && o.command.empty()) {
    return usage("-u USER needs a command to run");
  }
  if (o.user && o.user->empty()) {
    return usage("--user needs a user name or uid");
  }
  // Without the measurement the key would silently sort by name.
  if (o.sort == SortKey::errors && !o.errors) {
    return usage("--sort errors needs --errors");
  }
  if (o.sort == SortKey::time && !o.time) {
    return usage("--sort time needs --time");
  }
  return o;
}

} // namespace

Result<Options> parse_options(int argc, const char *const *argv) {
  const po::options_description desc = describe();
  Split split = split_args(argc, argv, desc);
  po::variables_map vm;
  try {
    const int style = po::command_line_style::unix_style &
                      ~po::command_line_style::allow_guessing;
    po::store(
        po::command_line_parser(split.options).options(desc).style(style).run(),
        vm);
    po::notify(vm);
  } catch (const po::error &e) {
    return usage(e.what());
  }
  return to_options(vm, std::move(split));
}

std::string help_text() {
  std::ostringstream out;
  out << "Usage: syscallmon [OPTIONS] -- COMMAND [ARGS...]\n"
         "       syscallmon [OPTIONS] -p PID[,PID...] [-- COMMAND [ARGS...]]\n"
         "       syscallmon --system [OPTIONS] [-- COMMAND [ARGS...]]\n"
         "\n"
         "Counts the system calls of a command (and all its threads and\n"
         "children), of running processes or of the whole machine, per\n"
         "syscall, image name and user, and prints a report when they end.\n"
         "\n"
      << describe()
      << "\n"
         "Signals: SIGUSR1 writes a snapshot now, SIGUSR2 clears all counts.\n"
         "SIGTERM/SIGHUP are forwarded to the command; with -p they (and\n"
         "SIGINT) detach from every process and print the report. With\n"
         "--system and no command, SIGINT/SIGTERM/SIGHUP end the run.\n"
         "\n"
         "Exit status: the command's (128+N if signal N killed it); 126\n"
         "command not executable; 127 command not found; 2 usage error;\n"
         "1 other errors (and in attach mode or --system without a\n"
         "command, 0 on success).\n"
         "\n"
         "Examples:\n"
         "  syscallmon -- ls -l /\n"
         "  syscallmon -e write,%network -f json -o report.json -- make -j2\n"
         "  syscallmon -p 1234 --interval 5\n"
         "  syscallmon --live -p 1234\n"
         "  syscallmon --live -- make -j2 </dev/null\n"
         "  sudo syscallmon --engine bpf -- make -j2\n"
         "  sudo syscallmon --system -- sleep 5\n"
         "  sudo syscallmon --system -q --stats-file text:/run/syscallmon/"
         "sys_stat \\\n"
         "      --stats-file openmetrics:/run/syscallmon/syscallmon.prom\n"
         "  syscallmon --stats-file /var/lib/node_exporter/textfile/"
         "syscallmon.prom -f openmetrics -p 1234\n"
         "  syscallmon --list-syscalls %file\n";
  return out.str();
}

} // namespace syscallmon
