#include "run_command.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "harness/cli/command_line.hpp"
#include "harness/client/loopback_url.hpp"
#include "harness/matrix/proxy_plan.hpp"
#include "harness/proxy/adapter.hpp"
#include "harness/run/console_report.hpp"
#include "harness/run/interrupt.hpp"
#include "harness/run/runner.hpp"
#include "harness/run/suite.hpp"
#include "harness/run/tap_report.hpp"
#include "harness/scenario/discover.hpp"
#include "harness/scenario/load.hpp"
#include "harness/text/glob.hpp"

namespace bgw::cli {
namespace {

namespace fs = std::filesystem;

struct Options {
  std::string proxy = "nginx";
  std::string proxy_url;
  int jobs = 1;
  int repeat = 1;
  std::string filter;
  std::string junit;
  std::string json;
  std::string tap;
  bool verbose = false;
  std::optional<run::Shard> shard;
  std::vector<std::string> paths;
  run::RunOptions run;
};

}  // namespace

std::string run_usage() {
  return "Usage: badgateway run [options] PATH...\n"
         "  Run scenario files (directories: every *.toml, recursively) against a proxy.\n"
         "  --proxy NAME|FILE     adapter: a shipped one or an adapter .toml (default: nginx);\n"
         "                        shipped: " +
         shipped_adapter_list(find_proxies_dir()) +
         "\n"
         "  --proxy-url URL       an already-running proxy (http://127.0.0.1:PORT); the\n"
         "                        scenarios must pin their upstream ports\n"
         "  -j, --jobs N          run N scenarios in parallel, 1 to 64 (default 1)\n"
         "  --filter GLOB         only scenarios whose name matches (*, ?)\n" +
         std::string(shard_usage) +
         "  --repeat N            run each scenario N times, 1 to 1000; a scenario whose\n"
         "                        verdict changes is flaky (exit code 4 if nothing failed)\n"
         "  --junit FILE          write JUnit XML\n"
         "  --json FILE           write the JSON report (schema: docs/report-json.md)\n"
         "  --tap FILE            write TAP version 14 (docs/ci.md)\n"
         "  --keep-artifacts      keep every run directory (failures are always kept)\n"
         "  --runs-dir DIR        where run directories go (default $TMPDIR/badgateway/runs)\n"
         "  --timeout-scale X     multiply client deadlines and readiness timeouts, 0.01 to\n"
         "                        100 (slow machines)\n"
         "  --strict              SHOULD deviations fail like MUST violations\n"
         "  -v, --verbose         also detail xfail and SHOULD deviations\n"
         "  Options take their value as `--opt value` or `--opt=value`.\n"
         "  Exit codes: 0 all pass or xfail, 1 a failure or an xpass, 2 usage or scenario\n"
         "  error, 3 harness error, 4 flaky (--repeat: a verdict changed, nothing failed),\n"
         "  77 the proxy is not installed, 130 interrupted.\n";
}

std::string shipped_adapter_list(const std::string& proxies_dir) {
  const auto files = matrix::adapter_files(proxies_dir);
  if (files.empty()) return "none found in " + proxies_dir;
  std::string out, line;
  for (const auto& f : files) {
    const std::string name = fs::path(f).stem().string();
    if (!line.empty() && line.size() + name.size() + 2 > 52) {
      out += line + ",\n" + std::string(33, ' ');
      line.clear();
    }
    line += (line.empty() ? "" : ", ") + name;
  }
  return out + line;
}

std::optional<run::ProxyUrl> parse_proxy_url_option(const std::string& text, std::string& error) {
  auto parsed = client::parse_loopback_url(text, client::UrlUse::proxy_origin);
  if (auto* message = std::get_if<std::string>(&parsed)) {
    error = "--proxy-url: " + *message;
    return std::nullopt;
  }
  const auto& url = std::get<client::LoopbackUrl>(parsed);
  return run::ProxyUrl{.host = url.address, .port = url.port};
}

std::optional<std::vector<scenario::Scenario>> load_scenarios(const std::vector<std::string>& paths,
                                                              const std::string& filter,
                                                              const std::string& command,
                                                              std::ostream& err) {
  std::vector<fs::path> inputs(paths.begin(), paths.end());
  const auto found = scenario::find_scenario_files(inputs);
  for (const auto& e : found.errors) err << e << "\n";
  if (!found.errors.empty()) return std::nullopt;
  std::vector<scenario::Scenario> scenarios;
  bool invalid = false;
  for (const auto& f : found.files) {
    auto loaded = scenario::load_scenario(f);
    for (const auto& d : loaded.diagnostics) err << d.to_string() << "\n";
    if (!loaded.ok()) {
      invalid = true;
      continue;
    }
    if (!filter.empty() && !text::glob_match(filter, loaded.scenario->meta.name)) continue;
    scenarios.push_back(std::move(*loaded.scenario));
  }
  if (invalid) {
    err << "badgateway " << command
        << ": invalid scenario files; nothing was run (see `badgateway check`)\n";
    return std::nullopt;
  }
  if (scenarios.empty()) {
    err << "badgateway " << command << ": no scenario matches\n";
    return std::nullopt;
  }
  return scenarios;
}

int run_command(const std::vector<std::string>& args) {
  Options o;
  const std::string usage = run_usage();
  CLI::App app;
  configure_app(app);
  app.add_option("--proxy", o.proxy)->type_name("NAME|FILE");
  app.add_option("--proxy-url", o.proxy_url)->type_name("URL");
  add_jobs_option(app, o.jobs);
  app.add_option("--filter", o.filter)->type_name("GLOB");
  add_shard_option(app, o.shard);
  add_number(app, "--repeat", o.repeat, ranges::repeat);
  app.add_option("--junit", o.junit)->type_name("FILE");
  app.add_option("--json", o.json)->type_name("FILE");
  app.add_option("--tap", o.tap)->type_name("FILE");
  app.add_flag("--keep-artifacts", o.run.keep_artifacts);
  app.add_option("--runs-dir", o.run.runs_root)->type_name("DIR");
  add_timeout_scale_option(app, o.run.timeout_scale);
  app.add_flag("--strict", o.run.strict);
  app.add_flag("-v,--verbose", o.verbose);
  app.add_option("PATH", o.paths);
  if (const auto exit = parse_command_line(app, args, "run", usage)) return *exit;
  auto usage_error = [&](const std::string& message) {
    return cli::usage_error("run", message, usage);
  };
  if (o.paths.empty()) return usage_error("no scenario files or directories given");
  if (!o.proxy_url.empty()) {
    std::string error;
    o.run.proxy_url = parse_proxy_url_option(o.proxy_url, error);
    if (!o.run.proxy_url) return usage_error(error);
  }

  // ---- scenarios: all must load, or nothing runs ----
  auto loaded_set = load_scenarios(o.paths, o.filter, "run", std::cerr);
  if (!loaded_set) return 2;
  std::vector<scenario::Scenario> scenarios = std::move(*loaded_set);
  if (o.shard) {
    const std::size_t all = scenarios.size();
    scenarios = run::take_shard(std::move(scenarios), *o.shard);
    std::cerr << "badgateway run: shard " << o.shard->to_string() << " holds " << scenarios.size()
              << " of " << all << " scenarios" << (scenarios.empty() ? "; nothing to run here" : "")
              << "\n";
  }

  // ---- the proxy ----
  std::optional<proxy::Adapter> adapter;
  std::string version;
  if (!o.run.proxy_url) {
    const std::string path = proxy::resolve_adapter(o.proxy, find_proxies_dir());
    auto loaded = proxy::load_adapter(path);
    for (const auto& d : loaded.diagnostics) std::cerr << d.to_string() << "\n";
    if (!loaded.ok()) {
      if (!std::filesystem::exists(path))
        std::cerr << "badgateway run: no adapter '" << o.proxy << "' (looked for " << path << ")\n";
      return 2;
    }
    adapter = std::move(loaded.adapter);
    version = proxy::read_version(*adapter);
  }

  // ---- run, -j at a time; the console reports as results arrive ----
  run::install_signal_handling();
  run::RunReport report;
  report.proxy = adapter ? adapter->name : o.proxy_url;
  report.proxy_version = version;
  report.shard = o.shard;
  report.repeat = o.repeat;
  report.started = std::chrono::system_clock::now();
  const auto t0 = std::chrono::steady_clock::now();
  const bool color = ::isatty(1) && std::getenv("NO_COLOR") == nullptr;
  run::ConsoleReport console(std::cout, color, o.verbose);
  console.start(scenarios.size(), report.proxy, version, o.repeat);

  auto ordered = run::run_suite(
      scenarios, adapter ? &*adapter : nullptr, version, o.run, o.jobs,
      [&](std::size_t done, std::size_t total, std::size_t, const run::ScenarioResult& r) {
        console.scenario_done(done, total, r);
      },
      o.repeat);
  report.results = run::group_repeats(std::move(ordered), scenarios.size(), o.repeat);
  report.elapsed = std::chrono::steady_clock::now() - t0;
  report.interrupted = run::interrupted();

  if (!o.junit.empty()) {
    std::ofstream out(o.junit);
    run::write_junit(report, out);
    if (!out) std::cerr << "badgateway run: cannot write " << o.junit << "\n";
  }
  if (!o.json.empty()) {
    std::ofstream out(o.json);
    run::write_json(report, out);
    if (!out) std::cerr << "badgateway run: cannot write " << o.json << "\n";
  }
  if (!o.tap.empty()) {
    std::ofstream out(o.tap);
    run::write_tap(report, out);
    if (!out) std::cerr << "badgateway run: cannot write " << o.tap << "\n";
  }
  console.finish(report);
  return report.exit_code();
}

}  // namespace bgw::cli
