// badgateway: one CLI for the fault-injection harness. Thin: parses arguments and hands off to
// the library; exit codes 0 ok, 1 a proxy failed, 2 usage or scenario error, 3 harness error.
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "bgw_version.hpp"
#include "harness/cli/bench_command.hpp"
#include "harness/cli/check.hpp"
#include "harness/cli/command_line.hpp"
#include "harness/cli/ctl_command.hpp"
#include "harness/cli/demo.hpp"
#include "harness/cli/list.hpp"
#include "harness/cli/load_command.hpp"
#include "harness/cli/matrix_command.hpp"
#include "harness/cli/merge_command.hpp"
#include "harness/cli/run_command.hpp"
#include "harness/cli/serve.hpp"
#include "harness/cli/start_at.hpp"
#include "harness/scenario/reference.hpp"
#include "simulator/fault_catalogue.hpp"
#include "simulator/heap_policy.hpp"
#include "simulator/units.hpp"

namespace {

void usage(std::ostream& out) {
  out << "Usage: badgateway <command> [options]\n"
         "\n"
         "Fault-injection test harness and upstream simulator for HTTP reverse proxies.\n"
         "\n"
         "Commands:\n"
         "  run [--proxy NAME|FILE] [--proxy-url URL] [-j N] [--filter GLOB] [--shard I/N]\n"
         "      [--repeat N] [--junit FILE] [--json FILE] [--tap FILE] [--keep-artifacts]\n"
         "      [--timeout-scale X] [--strict] PATH...\n"
         "                            run scenarios against a real proxy (default nginx) and\n"
         "                            judge it; `badgateway run --help` for details\n"
         "  matrix [--proxies A,B,...] [-j N] [--filter GLOB] [--shard I/N] [--html FILE]\n"
         "      [--markdown FILE] [--json FILE] [--timeout-scale X] PATH...\n"
         "                            run scenarios against several proxies, one after another,\n"
         "                            and write the results matrix; `badgateway matrix --help`\n"
         "                            for details\n"
         "  merge [--junit FILE] [--json FILE] [--tap FILE] REPORT.json...\n"
         "                            merge the JSON reports of the shards of a run (--shard)\n"
         "                            into one; `badgateway merge --help` for details\n"
         "  bench FILE [--proxy NAME|FILE] [--duration D] [--connections N] [--rate R]\n"
         "      [--threads N] [--json FILE] [--html FILE]\n"
         "                            run a scenario's topology under load while its timeline\n"
         "                            fires; measure failover (errors, detection, recovery,\n"
         "                            latency); `badgateway bench --help` for details\n"
         "  bench FILE --agent I/N --start-at T --proxy-url URL --json FILE\n"
         "  bench merge AGENT.json... [--json FILE] [--html FILE]\n"
         "                            one distributed run from N load agents and one serve\n"
         "                            (docs/distributed.md)\n"
         "  check FILE|DIR...         validate scenario files (directories: every *.toml,\n"
         "                            recursively); problems as file:line:col: error: message\n"
         "                            on stderr, a summary line on stdout\n"
         "  list [DIR...]             one line per scenario: name, tags, description\n"
         "                            (default DIR: scenarios/)\n"
         "  serve FILE [--journal PATH] [--journal-level L] [--journal-max-bytes SIZE] [--threads "
         "N]\n"
         "      [--control HOST:PORT [--control-token T] [--control-allow-remote]] [--start-at T]\n"
         "                            start only the scenario's upstreams, print their bindings\n"
         "                            as one JSON line, run the timeline, write the journal (JSON\n"
         "                            lines) to PATH as it happens (default: $TMPDIR/badgateway/\n"
         "                            serve-NAME-PID/journal.jsonl); stop on SIGINT/SIGTERM.\n"
         "                            --journal-level counters|events|bytes (default bytes);\n"
         "                            --journal-max-bytes: past SIZE, PATH becomes PATH.1 and a\n"
         "                            new PATH starts (default 1GiB; 0: no cap). --threads N:\n"
         "                            N threads serve every upstream (SO_REUSEPORT), sharing its\n"
         "                            faults, counters, timeline and journal (default 1)\n"
         "                            --control: an HTTP API to change faults, listeners and\n"
         "                            crashes at runtime (docs/control-api.md); loopback only\n"
         "                            unless --control-allow-remote with --control-token.\n"
         "                            --start-at T: the timeline's t = 0 at that wall-clock\n"
         "                            time, shared with load agents (docs/distributed.md)\n"
         "  ctl [--control HOST:PORT] ACTION [ARGS]\n"
         "                            the client of serve's control API: crash, faults,\n"
         "                            listener, journal, events...; `badgateway ctl --help`\n"
         "  demo [--all] [FAULT...]   start one fake upstream per fault, send each a raw HTTP\n"
         "                            request, and print what the client observed (bytes, how\n"
         "                            the connection ended, timing). Default: a selection.\n"
         "  load URL [-c N] [-d D] [-R R] [-t N] [-m M] [-H K:V] [--json FILE]\n"
         "                            HTTP/1.1 keep-alive load against a loopback URL:\n"
         "                            requests/s, statuses, errors, latency percentiles;\n"
         "                            `badgateway load --help` for details\n"
         "  faults [--verbose|--markdown]\n"
         "                            list the fault catalogue: name, scope, wire effect\n"
         "                            (--verbose adds parameters with types and defaults;\n"
         "                            --markdown prints the table of docs/scenario-format.md)\n"
         "\n"
         "Options:\n"
         "  -h, --help                this help (`badgateway COMMAND --help`: the command's)\n"
         "  --version                 print the version\n"
         "Every option takes its value as `--opt value` or `--opt=value`.\n"
         "\n"
         "Exit codes: 0 ok, 1 a proxy failed an expectation (or a known deviation no longer\n"
         "happens), 2 usage or scenario error, 3 harness or setup error, 4 flaky (run\n"
         "--repeat: a verdict changed and nothing failed), 77 nothing tested (the proxy is not\n"
         "installed), 130 interrupted.\n";
}

std::string usage_text() {
  std::ostringstream out;
  usage(out);
  return out.str();
}

int usage_error(const std::string& message) {
  std::cerr << "badgateway: " << message << "\n\n";
  usage(std::cerr);
  return 2;
}

int list_faults(bool verbose) {
  for (const auto& f : bgw::sim::fault_catalogue()) {
    std::cout << f.name << "  [" << bgw::sim::to_string(f.scope) << "]  " << f.wire << "\n";
    if (!verbose) continue;
    std::cout << "    client sees: " << f.client << "\n";
    for (const auto& p : f.params) {
      std::cout << "    " << p.name << " (" << bgw::sim::to_string(p.type) << ", default "
                << p.default_value << "): " << p.doc << "\n";
    }
  }
  return 0;
}

// The commands without a file of their own: parsed here, run by the library. Their help is the
// main usage.
int demo_command(const std::vector<std::string>& args) {
  bgw::cli::DemoOptions options;
  CLI::App app;
  bgw::cli::configure_app(app);
  app.add_flag("--all", options.all);
  app.add_option("FAULT", options.faults);
  if (const auto exit = bgw::cli::parse_command_line(app, args, "demo", usage_text())) return *exit;
  try {
    return bgw::cli::run_demo(options, std::cout, std::cerr);
  } catch (const std::exception& e) {
    std::cerr << "badgateway demo: " << e.what() << "\n";
    return 3;
  }
}

int faults_command(const std::vector<std::string>& args) {
  bool verbose = false, markdown = false;
  CLI::App app;
  bgw::cli::configure_app(app);
  app.add_flag("-v,--verbose", verbose);
  app.add_flag("--markdown", markdown);
  if (const auto exit = bgw::cli::parse_command_line(app, args, "faults", usage_text()))
    return *exit;
  if (markdown) {
    std::cout << bgw::scenario::fault_table_markdown();
    return 0;
  }
  return list_faults(verbose);
}

int check_command(const std::vector<std::string>& args) {
  std::vector<std::string> paths;
  CLI::App app;
  bgw::cli::configure_app(app);
  app.add_option("PATH", paths);
  const std::string usage = usage_text();
  if (const auto exit = bgw::cli::parse_command_line(app, args, "check", usage)) return *exit;
  if (paths.empty()) return bgw::cli::usage_error("check", "give at least one FILE or DIR", usage);
  return bgw::cli::run_check(paths, std::cout, std::cerr);
}

int list_command(const std::vector<std::string>& args) {
  std::vector<std::string> dirs;
  CLI::App app;
  bgw::cli::configure_app(app);
  app.add_option("DIR", dirs);
  if (const auto exit = bgw::cli::parse_command_line(app, args, "list", usage_text())) return *exit;
  return bgw::cli::run_list(dirs, std::cout, std::cerr);
}

int serve_command(const std::vector<std::string>& args) {
  bgw::cli::ServeOptions options;
  std::vector<std::string> files;
  CLI::App app;
  bgw::cli::configure_app(app);
  app.add_option("--journal", options.journal)->type_name("PATH");
  std::string level = "bytes", max_bytes;
  app.add_option("--journal-level", level)->type_name("counters|events|bytes");
  app.add_option("--journal-max-bytes", max_bytes)->type_name("SIZE");
  bgw::cli::add_number(app, "--threads", options.threads, bgw::cli::ranges::threads);
  app.add_option("--control", options.control)->type_name("HOST:PORT");
  app.add_option("--control-token", options.control_token)->type_name("TOKEN");
  app.add_flag("--control-allow-remote", options.control_allow_remote);
  std::string start_at;
  app.add_option("--start-at", start_at)->type_name("T");
  app.add_option("FILE", files);
  const std::string usage = usage_text();
  if (const auto exit = bgw::cli::parse_command_line(app, args, "serve", usage)) return *exit;
  if (!start_at.empty()) {
    options.start_at = bgw::cli::parse_start_at(start_at);
    if (!options.start_at)
      return bgw::cli::usage_error("serve",
                                   "--start-at takes a UTC time such as 2026-12-04T08:00:00Z or "
                                   "Unix seconds, not '" +
                                       start_at + "'",
                                   usage);
  }
  if (level == "counters")
    options.journal_level = bgw::sim::JournalLevel::counters;
  else if (level == "events")
    options.journal_level = bgw::sim::JournalLevel::events;
  else if (level != "bytes")
    return bgw::cli::usage_error("serve", "--journal-level takes counters, events or bytes", usage);
  if (!max_bytes.empty()) {
    const auto size = bgw::sim::parse_size(max_bytes);
    if (!size)
      return bgw::cli::usage_error(
          "serve", "--journal-max-bytes takes a size such as 1GiB, 512MiB or 0 (no cap)", usage);
    options.journal_max_bytes = *size;
  }
  if (const std::string why = bgw::cli::check_control_options(options); !why.empty())
    return bgw::cli::usage_error("serve", why, usage);
  if (files.size() > 1) return bgw::cli::usage_error("serve", "one scenario FILE at a time", usage);
  if (files.empty()) return bgw::cli::usage_error("serve", "give a scenario FILE", usage);
  options.file = files.front();
  try {
    return bgw::cli::run_serve(options, std::cout, std::cerr);
  } catch (const std::exception& e) {
    std::cerr << "badgateway serve: " << e.what() << "\n";
    return 3;
  }
}

}  // namespace

int main(int argc, char** argv) {
  bgw::sim::keep_heap_top();  // serve, run and bench host upstreams in this process
  // The top level: --help, --version, and the command; the command parses the rest itself.
  CLI::App app;
  bool show_version = false;
  app.set_help_flag("-h,--help");
  app.add_flag("--version", show_version);
  app.prefix_command();  // the first argument it does not know (the command) ends its part
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    usage(std::cout);
    return 0;
  } catch (const CLI::Error& e) {
    return usage_error(e.what());
  }
  std::vector<std::string> args = app.remaining();
  if (show_version) {
    std::cout << "badgateway " << bgw::version << "\n";
    return 0;
  }
  if (args.empty()) return usage_error("no command given");
  const std::string command = args.front();
  args.erase(args.begin());
  if (command.starts_with('-')) return usage_error("unknown option '" + command + "'");
  if (command == "help") {
    usage(std::cout);
    return 0;
  }

  using Command = int (*)(const std::vector<std::string>&);
  static const std::pair<std::string_view, Command> commands[] = {
      {"run", &bgw::cli::run_command},
      {"matrix", &bgw::cli::matrix_command},
      {"merge", &bgw::cli::merge_command},
      {"bench", &bgw::cli::bench_command},
      {"load", &bgw::cli::load_command},
      {"check", &check_command},
      {"list", &list_command},
      {"serve", &serve_command},
      {"demo", &demo_command},
      {"faults", &faults_command},
      {"ctl", &bgw::cli::ctl_command},
  };
  for (const auto& [name, run] : commands) {
    if (name == command) return run(args);
  }
  return usage_error("unknown command '" + command + "'");
}
