// badgateway: one CLI for the fault-injection harness. Thin: parses arguments and hands off to
// the library; exit codes 0 ok, 1 a proxy failed, 2 usage or scenario error, 3 harness error.
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "harness/cli/demo.hpp"
#include "simulator/fault_catalogue.hpp"

namespace {

constexpr std::string_view version = "0.1.0";

void usage(std::ostream& out) {
  out << "Usage: badgateway <command> [options]\n"
         "\n"
         "Fault-injection test harness and upstream simulator for HTTP reverse proxies.\n"
         "\n"
         "Commands:\n"
         "  demo [--all] [FAULT...]   start one fake upstream per fault, send each a raw HTTP\n"
         "                            request, and print what the client observed (bytes, how\n"
         "                            the connection ended, timing). Default: a selection.\n"
         "  faults [--verbose]        list the fault catalogue: name, scope, wire effect\n"
         "                            (--verbose adds parameters with types and defaults)\n"
         "\n"
         "Options:\n"
         "  -h, --help                this help\n"
         "  --version                 print the version\n"
         "\n"
         "Exit codes: 0 ok, 1 a proxy failed an expectation, 2 usage or scenario error,\n"
         "3 harness or setup error.\n";
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
      if (a == "--all") options.all = true;
      else if (a == "-h" || a == "--help") {
        usage(std::cout);
        return 0;
      } else if (!a.empty() && a[0] == '-') return usage_error("demo: unknown option '" + a + "'");
      else options.faults.push_back(a);
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
      if (a == "--verbose" || a == "-v") verbose = true;
      else return usage_error("faults: unknown argument '" + a + "'");
    }
    return list_faults(verbose);
  }
  return usage_error("unknown command '" + command + "'");
}
