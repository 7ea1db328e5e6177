#include "run_command.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "harness/proxy/adapter.hpp"
#include "harness/run/console_report.hpp"
#include "harness/run/interrupt.hpp"
#include "harness/run/runner.hpp"
#include "harness/run/suite.hpp"
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
  std::string filter;
  std::string junit;
  std::string json;
  bool verbose = false;
  std::vector<std::string> paths;
  run::RunOptions run;
};

int usage_error(const std::string& message) {
  std::cerr << "badgateway run: " << message << "\n\n" << run_usage();
  return 2;
}

fs::path self_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::current_path() : exe.parent_path();
}

}  // namespace

const char* run_usage() {
  return "Usage: badgateway run [options] PATH...\n"
         "  Run scenario files (directories: every *.toml, recursively) against a proxy.\n"
         "  --proxy NAME|FILE     adapter: a shipped one (nginx, haproxy) or an adapter .toml\n"
         "                        (default: nginx)\n"
         "  --proxy-url URL       an already-running proxy (http://127.0.0.1:PORT); the\n"
         "                        scenarios must pin their upstream ports\n"
         "  -j N                  run N scenarios in parallel (default 1)\n"
         "  --filter GLOB         only scenarios whose name matches (*, ?)\n"
         "  --junit FILE          write JUnit XML\n"
         "  --json FILE           write the JSON report (schema: docs/report-json.md)\n"
         "  --keep-artifacts      keep every run directory (failures are always kept)\n"
         "  --runs-dir DIR        where run directories go (default $TMPDIR/badgateway/runs)\n"
         "  --timeout-scale X     multiply client deadlines and readiness timeouts (slow "
         "machines)\n"
         "  --strict              SHOULD deviations fail like MUST violations\n"
         "  -v, --verbose         also detail xfail and SHOULD deviations\n";
}

std::string find_proxies_dir() {
  if (const char* env = std::getenv("BGW_PROXIES_DIR"); env && *env) return env;
  const fs::path here = self_dir();
  std::error_code ec;
  // build/<preset>/harness/badgateway -> <source>/proxies
  for (fs::path p = here; !p.empty() && p != p.parent_path(); p = p.parent_path()) {
    if (fs::exists(p / "proxies" / "nginx.toml", ec)) return (p / "proxies").string();
  }
  if (fs::exists(here / ".." / "share" / "badgateway" / "proxies", ec))
    return (here / ".." / "share" / "badgateway" / "proxies").string();
  return "proxies";
}

bool parse_jobs(const std::string& text, int& out) {
  try {
    std::size_t used = 0;
    const int n = std::stoi(text, &used);
    if (used != text.size() || n < 1 || n > 64) return false;
    out = n;
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

bool parse_timeout_scale(const std::string& text, double& out) {
  try {
    std::size_t used = 0;
    const double x = std::stod(text, &used);
    if (used != text.size() || !(x > 0) || x > 100) return false;
    out = x;
    return true;
  } catch (const std::exception&) {
    return false;
  }
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
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= args.size()) return false;
      out = args[++i];
      return true;
    };
    std::string v;
    if (a == "-h" || a == "--help") {
      std::cout << run_usage();
      return 0;
    } else if (a == "--proxy") {
      if (!value(o.proxy)) return usage_error("--proxy needs a name or a file");
    } else if (a == "--proxy-url") {
      if (!value(o.proxy_url)) return usage_error("--proxy-url needs a URL");
    } else if (a == "-j" || a == "--jobs") {
      if (!value(v)) return usage_error("-j needs a number");
      if (!parse_jobs(v, o.jobs)) return usage_error("-j takes 1 to 64, not '" + v + "'");
    } else if (a.rfind("-j", 0) == 0 && a.size() > 2) {
      if (!parse_jobs(a.substr(2), o.jobs))
        return usage_error("-j takes 1 to 64, not '" + a.substr(2) + "'");
    } else if (a == "--filter") {
      if (!value(o.filter)) return usage_error("--filter needs a glob");
    } else if (a == "--junit") {
      if (!value(o.junit)) return usage_error("--junit needs a file");
    } else if (a == "--json") {
      if (!value(o.json)) return usage_error("--json needs a file");
    } else if (a == "--keep-artifacts") {
      o.run.keep_artifacts = true;
    } else if (a == "--runs-dir") {
      if (!value(v)) return usage_error("--runs-dir needs a directory");
      o.run.runs_root = v;
    } else if (a == "--timeout-scale") {
      if (!value(v) || !parse_timeout_scale(v, o.run.timeout_scale))
        return usage_error("--timeout-scale takes a number above 0 (e.g. 2)");
    } else if (a == "--strict") {
      o.run.strict = true;
    } else if (a == "-v" || a == "--verbose") {
      o.verbose = true;
    } else if (!a.empty() && a[0] == '-') {
      return usage_error("unknown option '" + a + "'");
    } else {
      o.paths.push_back(a);
    }
  }
  if (o.paths.empty()) return usage_error("no scenario files or directories given");

  // ---- scenarios: all must load, or nothing runs ----
  auto loaded_set = load_scenarios(o.paths, o.filter, "run", std::cerr);
  if (!loaded_set) return 2;
  std::vector<scenario::Scenario> scenarios = std::move(*loaded_set);

  // ---- the proxy ----
  std::optional<proxy::Adapter> adapter;
  std::string version;
  if (!o.proxy_url.empty()) {
    o.run.proxy_url = run::parse_proxy_url(o.proxy_url);
    if (!o.run.proxy_url)
      return usage_error("--proxy-url must be http://<loopback address>:<port>");
  } else {
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
  report.started = std::chrono::system_clock::now();
  const auto t0 = std::chrono::steady_clock::now();
  const bool color = ::isatty(1) && std::getenv("NO_COLOR") == nullptr;
  run::ConsoleReport console(std::cout, color, o.verbose);
  console.start(scenarios.size(), report.proxy, version);

  auto ordered =
      run::run_suite(scenarios, adapter ? &*adapter : nullptr, version, o.run, o.jobs,
                     [&](std::size_t done, std::size_t total, std::size_t,
                         const run::ScenarioResult& r) { console.scenario_done(done, total, r); });
  for (auto& r : ordered) {
    if (r) report.results.push_back(std::move(*r));
  }
  report.elapsed = std::chrono::steady_clock::now() - t0;

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
  console.finish(report);
  if (run::interrupted()) return 130;
  return report.exit_code();
}

}  // namespace bgw::cli
