#include "merge_command.hpp"

#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>

#include "harness/cli/command_line.hpp"
#include "harness/run/console_report.hpp"
#include "harness/run/json_report_reader.hpp"
#include "harness/run/merge_reports.hpp"
#include "harness/run/tap_report.hpp"

namespace bgw::cli {

std::string merge_usage() {
  return "Usage: badgateway merge [options] REPORT.json...\n"
         "  Merge the JSON reports of the shards of a run (`badgateway run --shard I/N --json\n"
         "  FILE`) into one report, as if one run had run every scenario. Refused when the\n"
         "  reports come from different badgateway versions, proxies or proxy versions, when\n"
         "  a scenario is in two of them, or when a shard is missing or given twice.\n"
         "  --junit FILE          write the merged JUnit XML\n"
         "  --json FILE           write the merged JSON report (docs/report-json.md)\n"
         "  --tap FILE            write the merged report as TAP version 14\n"
         "  Options take their value as `--opt value` or `--opt=value`.\n"
         "  Exit codes: what one run of every scenario would exit with (0 all pass or xfail,\n"
         "  1 a failure or an xpass, 3 harness error, 4 flaky, 77 proxy not installed, 130\n"
         "  interrupted); 2 usage error or reports that cannot be merged; 3 an output cannot\n"
         "  be written.\n";
}

int merge_command(const std::vector<std::string>& args) {
  std::string junit, json, tap;
  std::vector<std::string> inputs;
  const std::string usage = merge_usage();
  CLI::App app;
  configure_app(app);
  app.add_option("--junit", junit)->type_name("FILE");
  app.add_option("--json", json)->type_name("FILE");
  app.add_option("--tap", tap)->type_name("FILE");
  app.add_option("REPORT", inputs);
  if (const auto exit = parse_command_line(app, args, "merge", usage)) return *exit;
  for (const auto& [name, value] :
       {std::pair{"--junit", &junit}, std::pair{"--json", &json}, std::pair{"--tap", &tap}}) {
    if (app.count(name) > 0 && value->empty())
      return usage_error("merge", std::string(name) + " needs a file", usage);
  }
  if (inputs.empty()) return usage_error("merge", "no reports given", usage);

  std::vector<run::NamedReport> reports;
  for (const auto& file : inputs) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) {
      std::cerr << "badgateway merge: cannot read " << file << "\n";
      return 2;
    }
    const std::string content = text.str();
    const auto start = content.find_first_not_of(" \t\r\n");
    if (start != std::string::npos && content[start] == '<') {
      std::cerr << "badgateway merge: " << file
                << " is XML (JUnit?); merge reads the JSON reports, which hold everything the "
                   "JUnit report does: write one per shard with `badgateway run --json FILE` "
                   "and merge those\n";
      return 2;
    }
    auto read = run::read_json_report(content);
    if (!read.report) {
      std::cerr << "badgateway merge: " << file << ": " << read.error << "\n";
      return 2;
    }
    reports.push_back({.name = file, .report = std::move(*read.report)});
  }
  const std::size_t count = reports.size();
  auto merged = run::merge_reports(std::move(reports));
  if (auto* error = std::get_if<std::string>(&merged)) {
    std::cerr << "badgateway merge: cannot merge: " << *error << "\n";
    return 2;
  }
  const run::RunReport& report = std::get<run::RunReport>(merged);

  bool written = true;
  auto emit = [&](const std::string& file, const std::function<void(std::ostream&)>& write) {
    if (file.empty()) return;
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    write(out);
    out.flush();
    if (!out) {
      std::cerr << "badgateway merge: cannot write " << file << "\n";
      written = false;
    }
  };
  emit(junit, [&](std::ostream& out) { run::write_junit(report, out); });
  emit(json, [&](std::ostream& out) { run::write_json(report, out); });
  emit(tap, [&](std::ostream& out) { run::write_tap(report, out); });

  std::cout << "badgateway merge: " << count << " report" << (count == 1 ? "" : "s") << ", "
            << report.results.size() << " scenario" << (report.results.size() == 1 ? "" : "s")
            << " against " << report.proxy
            << (report.proxy_version.empty() ? "" : " " + report.proxy_version) << " (badgateway "
            << report.badgateway_version << ")\n";
  run::ConsoleReport(std::cout, false, false).finish(report);
  if (!written) return 3;
  return report.exit_code();
}

}  // namespace bgw::cli
