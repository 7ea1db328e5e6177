// badgateway: one CLI for the fault-injection harness. Thin: parses arguments and hands off to
// the library; exit codes 0 ok, 1 a proxy failed, 2 usage or scenario error, 3 harness error.
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "harness/cli/bench_command.hpp"
#include "harness/cli/check.hpp"
#include "harness/cli/demo.hpp"
#include "harness/cli/list.hpp"
#include "harness/cli/load_command.hpp"
#include "harness/cli/matrix_command.hpp"
#include "harness/cli/run_command.hpp"
#include "harness/cli/serve.hpp"
#include "harness/scenario/reference.hpp"
#include "simulator/fault_catalogue.hpp"

namespace {

constexpr std::string_view version = "0.1.0";

void usage(std::ostream& out) {
  out << "Usage: badgateway <command> [options]\n"
         "\n"
         "Fault-injection test harness and upstream simulator for HTTP reverse proxies.\n"
         "\n"
         "Commands:\n"
         "  run [--proxy NAME|FILE] [--proxy-url URL] [-j N] [--filter GLOB] [--junit FILE]\n"
         "      [--json FILE] [--keep-artifacts] [--timeout-scale X] [--strict] PATH...\n"
         "                            run scenarios against a real proxy (default nginx) and\n"
         "                            judge it; `badgateway run --help` for details\n"
         "  matrix [--proxies A,B,...] [-j N] [--filter GLOB] [--html FILE] [--markdown FILE]\n"
         "      [--json FILE] [--timeout-scale X] PATH...\n"
         "                            run scenarios against several proxies, one after another,\n"
         "                            and write the results matrix; `badgateway matrix --help`\n"
         "                            for details\n"
         "  bench FILE [--proxy NAME|FILE] [--duration D] [--connections N] [--rate R]\n"
         "      [--json FILE] [--html FILE]\n"
         "                            run a scenario's topology under load while its timeline\n"
         "                            fires; measure failover (errors, detection, recovery,\n"
         "                            latency); `badgateway bench --help` for details\n"
         "  check FILE|DIR...         validate scenario files (directories: every *.toml,\n"
         "                            recursively); problems as file:line:col: error: message\n"
         "                            on stderr, a summary line on stdout\n"
         "  list [DIR...]             one line per scenario: name, tags, description\n"
         "                            (default DIR: scenarios/)\n"
         "  serve FILE [--journal PATH]\n"
         "                            start only the scenario's upstreams, print their bindings\n"
         "                            as one JSON line, run the timeline; on SIGINT/SIGTERM stop\n"
         "                            and write the journal (JSON lines) to PATH (default:\n"
         "                            $TMPDIR/badgateway/serve-NAME-PID/journal.jsonl)\n"
         "  demo [--all] [FAULT...]   start one fake upstream per fault, send each a raw HTTP\n"
         "                            request, and print what the client observed (bytes, how\n"
         "                            the connection ended, timing). Default: a selection.\n"
         "  load URL [-c N] [-d D] [-R R] [-m M] [-H K:V] [--json FILE]\n"
         "                            HTTP/1.1 keep-alive load against a loopback URL:\n"
         "                            requests/s, statuses, errors, latency percentiles;\n"
         "                            `badgateway load --help` for details\n"
         "  faults [--verbose|--markdown]\n"
         "                            list the fault catalogue: name, scope, wire effect\n"
         "                            (--verbose adds parameters with types and defaults;\n"
         "                            --markdown prints the table of docs/scenario-format.md)\n"
         "\n"
         "Options:\n"
         "  -h, --help                this help\n"
         "  --version                 print the version\n"
         "\n"
         "Exit codes: 0 ok, 1 a proxy failed an expectation (or a known deviation no longer\n"
         "happens), 2 usage or scenario error, 3 harness or setup error, 130 interrupted.\n";
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

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return usage_error("no command given");
  const std::string command = args.front();
  args.erase(args.begin());

  if (command == "-h" || command == "--help" || command == "help") {
    usage(std::cout);
    return 0;
  }
  if (command == "--version") {
    std::cout << "badgateway " << version << "\n";
    return 0;
  }
  if (command == "demo") {
    bgw::cli::DemoOptions options;
    for (const auto& a : args) {
      if (a == "--all")
        options.all = true;
      else if (a == "-h" || a == "--help") {
        usage(std::cout);
        return 0;
      } else if (!a.empty() && a[0] == '-')
        return usage_error("demo: unknown option '" + a + "'");
      else
        options.faults.push_back(a);
    }
    try {
      return bgw::cli::run_demo(options, std::cout, std::cerr);
    } catch (const std::exception& e) {
      std::cerr << "badgateway demo: " << e.what() << "\n";
      return 3;
    }
  }
  if (command == "faults") {
    bool verbose = false;
    for (const auto& a : args) {
      if (a == "--verbose" || a == "-v") {
        verbose = true;
      } else if (a == "--markdown") {
        std::cout << bgw::scenario::fault_table_markdown();
        return 0;
      } else {
        return usage_error("faults: unknown argument '" + a + "'");
      }
    }
    return list_faults(verbose);
  }
  if (command == "run") return bgw::cli::run_command(args);
  if (command == "bench") return bgw::cli::bench_command(args);
  if (command == "load") return bgw::cli::load_command(args);
  if (command == "matrix") return bgw::cli::matrix_command(args);
  if (command == "check") {
    for (const auto& a : args) {
      if (a == "-h" || a == "--help") {
        usage(std::cout);
        return 0;
      }
      if (!a.empty() && a[0] == '-') return usage_error("check: unknown option '" + a + "'");
    }
    if (args.empty()) return usage_error("check: give at least one FILE or DIR");
    return bgw::cli::run_check(args, std::cout, std::cerr);
  }
  if (command == "list") {
    for (const auto& a : args) {
      if (a == "-h" || a == "--help") {
        usage(std::cout);
        return 0;
      }
      if (!a.empty() && a[0] == '-') return usage_error("list: unknown option '" + a + "'");
    }
    return bgw::cli::run_list(args, std::cout, std::cerr);
  }
  if (command == "serve") {
    bgw::cli::ServeOptions options;
    for (std::size_t i = 0; i < args.size(); ++i) {
      const std::string& a = args[i];
      if (a == "-h" || a == "--help") {
        usage(std::cout);
        return 0;
      }
      if (a == "--journal") {
        if (i + 1 >= args.size()) return usage_error("serve: --journal needs a PATH");
        options.journal = args[++i];
      } else if (!a.empty() && a[0] == '-') {
        return usage_error("serve: unknown option '" + a + "'");
      } else if (!options.file.empty()) {
        return usage_error("serve: one scenario FILE at a time");
      } else {
        options.file = a;
      }
    }
    if (options.file.empty()) return usage_error("serve: give a scenario FILE");
    try {
      return bgw::cli::run_serve(options, std::cout, std::cerr);
    } catch (const std::exception& e) {
      std::cerr << "badgateway serve: " << e.what() << "\n";
      return 3;
    }
  }
  return usage_error("unknown command '" + command + "'");
}
