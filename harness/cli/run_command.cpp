#include "run_command.hpp"

#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include "harness/proxy/adapter.hpp"
#include "harness/run/console_report.hpp"
#include "harness/run/interrupt.hpp"
#include "harness/run/runner.hpp"
#include "harness/scenario/discover.hpp"
#include "harness/scenario/load.hpp"

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

bool parse_double(const std::string& s, double& out) {
  try {
    std::size_t used = 0;
    out = std::stod(s, &used);
    return used == s.size() && out > 0 && out <= 100;
  } catch (const std::exception&) {
    return false;
  }
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
      try {
        o.jobs = std::stoi(v);
      } catch (const std::exception&) {
        o.jobs = 0;
      }
      if (o.jobs < 1 || o.jobs > 64) return usage_error("-j takes 1 to 64, not '" + v + "'");
    } else if (a.rfind("-j", 0) == 0 && a.size() > 2) {
      try {
        o.jobs = std::stoi(a.substr(2));
      } catch (const std::exception&) {
        o.jobs = 0;
      }
      if (o.jobs < 1 || o.jobs > 64)
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
      if (!value(v) || !parse_double(v, o.run.timeout_scale))
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
  std::vector<fs::path> inputs(o.paths.begin(), o.paths.end());
  const auto found = scenario::find_scenario_files(inputs);
  for (const auto& e : found.errors) std::cerr << e << "\n";
  if (!found.errors.empty()) return 2;
  std::vector<scenario::Scenario> scenarios;
  bool invalid = false;
  for (const auto& f : found.files) {
    auto loaded = scenario::load_scenario(f);
    for (const auto& d : loaded.diagnostics) std::cerr << d.to_string() << "\n";
    if (!loaded.ok()) {
      invalid = true;
      continue;
    }
    if (!o.filter.empty() && !proxy::glob_match(o.filter, loaded.scenario->meta.name)) continue;
    scenarios.push_back(std::move(*loaded.scenario));
  }
  if (invalid) {
    std::cerr
        << "badgateway run: invalid scenario files; nothing was run (see `badgateway check`)\n";
    return 2;
  }
  if (scenarios.empty()) {
    std::cerr << "badgateway run: no scenario matches\n";
    return 2;
  }

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

  std::mutex m;
  std::condition_variable cv;
  std::deque<std::pair<std::size_t, run::ScenarioResult>> done;
  std::size_t next = 0;
  const int jobs = std::min<int>(o.jobs, static_cast<int>(scenarios.size()));
  int active = jobs;
  auto worker = [&] {
    for (;;) {
      std::size_t i = 0;
      {
        std::lock_guard lock(m);
        if (next >= scenarios.size() || run::interrupted()) {
          --active;
          cv.notify_one();
          return;
        }
        i = next++;
      }
      run::ScenarioResult r =
          run::run_scenario(scenarios[i], adapter ? &*adapter : nullptr, version, o.run);
      {
        std::lock_guard lock(m);
        done.emplace_back(i, std::move(r));
      }
      cv.notify_one();
    }
  };
  std::vector<std::thread> workers;
  for (int j = 0; j < jobs; ++j) workers.emplace_back(worker);
  std::vector<std::optional<run::ScenarioResult>> ordered(scenarios.size());
  std::size_t reported = 0;
  {
    std::unique_lock lock(m);
    for (;;) {
      cv.wait(lock, [&] { return !done.empty() || active == 0; });
      if (done.empty()) break;  // every worker has stopped and everything was reported
      auto [i, r] = std::move(done.front());
      done.pop_front();
      lock.unlock();
      console.scenario_done(++reported, scenarios.size(), r);
      ordered[i] = std::move(r);
      lock.lock();
    }
  }
  for (auto& w : workers) w.join();
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
