#include "bench_command.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "harness/bench/bench_runner.hpp"
#include "harness/bench/progress_line.hpp"
#include "harness/cli/run_command.hpp"
#include "harness/proxy/adapter.hpp"
#include "harness/run/interrupt.hpp"
#include "harness/scenario/load.hpp"
#include "simulator/units.hpp"

namespace bgw::cli {
namespace {

struct Options {
  std::string file;
  std::string proxy = "nginx";
  std::string proxy_url;
  std::string json;
  std::string html;
  bench::BenchOptions bench;
};

int usage_error(const std::string& message) {
  std::cerr << "badgateway bench: " << message << "\n\n" << bench_usage();
  return 2;
}

std::optional<double> parse_number(const std::string& s, double min, double max) {
  try {
    std::size_t used = 0;
    const double v = std::stod(s, &used);
    if (used != s.size() || !(v >= min && v <= max)) return std::nullopt;
    return v;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<bench::Nanos> parse_positive_duration(const std::string& s) {
  const auto d = sim::parse_duration(s);
  if (!d || *d <= bench::Nanos{} || *d > std::chrono::hours(1)) return std::nullopt;
  return *d;
}

bool write_file(const std::string& path, const bench::BenchReport& report,
                void (*writer)(const bench::BenchReport&, std::ostream&)) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  writer(report, out);
  out.close();
  if (!out) {
    std::cerr << "badgateway bench: cannot write " << path << "\n";
    return false;
  }
  return true;
}

}  // namespace

const char* bench_usage() {
  return "Usage: badgateway bench FILE [options]\n"
         "  Run a scenario's upstreams and proxy topology under load while its timeline fires\n"
         "  (t = 0 is the start of the load), and measure what clients suffer during failover.\n"
         "  The scenario's [bench] table gives the defaults; these options override it.\n"
         "  --proxy NAME|FILE     adapter: a shipped one (nginx, haproxy) or an adapter .toml\n"
         "                        (default: nginx)\n"
         "  --proxy-url URL       an already-running proxy (http://127.0.0.1:PORT); the\n"
         "                        scenario must pin its upstream ports\n"
         "  --duration D          how long the load runs (\"10s\")\n"
         "  --connections N       client connections (1 to 10000)\n"
         "  --rate R              requests per second in all; 0: closed loop\n"
         "  --warmup D            left out of the steady-state latency\n"
         "  --request-timeout D   a request without a complete response by then fails\n"
         "  --json FILE           write the JSON report (schema badgateway.bench/1, "
         "docs/bench.md)\n"
         "  --html FILE           write a self-contained HTML report with the timeline\n"
         "  --keep-artifacts      keep the run directory (config, proxy logs, journal)\n"
         "  --runs-dir DIR        where run directories go (default $TMPDIR/badgateway/runs)\n"
         "  --timeout-scale X     multiply the proxy's readiness timeout (slow machines)\n";
}

int bench_command(const std::vector<std::string>& args) {
  Options o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    std::string v;
    auto value = [&](std::string& out) {
      if (i + 1 >= args.size()) return false;
      out = args[++i];
      return true;
    };
    if (a == "-h" || a == "--help") {
      std::cout << bench_usage();
      return 0;
    } else if (a == "--proxy") {
      if (!value(o.proxy)) return usage_error("--proxy needs a name or a file");
    } else if (a == "--proxy-url") {
      if (!value(o.proxy_url)) return usage_error("--proxy-url needs a URL");
    } else if (a == "--duration") {
      if (!value(v) || !(o.bench.overrides.duration = parse_positive_duration(v)))
        return usage_error("--duration takes a duration above 0 and up to 1h, such as \"10s\"");
    } else if (a == "--connections") {
      const auto n = value(v) ? parse_number(v, 1, 10000) : std::nullopt;
      if (!n || *n != static_cast<int>(*n))
        return usage_error("--connections takes a whole number from 1 to 10000");
      o.bench.overrides.connections = static_cast<int>(*n);
    } else if (a == "--rate") {
      if (!value(v) || !(o.bench.overrides.rate = parse_number(v, 0, 1'000'000)))
        return usage_error("--rate takes requests per second, 0 to 1000000 (0: closed loop)");
    } else if (a == "--warmup") {
      const auto d = value(v) ? sim::parse_duration(v) : std::nullopt;
      if (!d || *d < bench::Nanos{})
        return usage_error("--warmup takes a duration, such as \"1s\"");
      o.bench.overrides.warmup = *d;
    } else if (a == "--request-timeout") {
      if (!value(v) || !(o.bench.overrides.request_timeout = parse_positive_duration(v)))
        return usage_error("--request-timeout takes a duration above 0, such as \"2s\"");
    } else if (a == "--json") {
      if (!value(o.json)) return usage_error("--json needs a file");
    } else if (a == "--html") {
      if (!value(o.html)) return usage_error("--html needs a file");
    } else if (a == "--keep-artifacts") {
      o.bench.keep_artifacts = true;
    } else if (a == "--runs-dir") {
      if (!value(v)) return usage_error("--runs-dir needs a directory");
      o.bench.runs_root = v;
    } else if (a == "--timeout-scale") {
      const auto x = value(v) ? parse_number(v, 0.001, 100) : std::nullopt;
      if (!x) return usage_error("--timeout-scale takes a number above 0 (e.g. 2)");
      o.bench.timeout_scale = *x;
    } else if (!a.empty() && a[0] == '-') {
      return usage_error("unknown option '" + a + "'");
    } else if (!o.file.empty()) {
      return usage_error("one scenario FILE at a time");
    } else {
      o.file = a;
    }
  }
  if (o.file.empty()) return usage_error("give a scenario FILE");

  // ---- the scenario ----
  auto loaded = scenario::load_scenario(o.file);
  for (const auto& d : loaded.diagnostics) std::cerr << d.to_string() << "\n";
  if (!loaded.ok()) return 2;
  const scenario::Scenario& sc = *loaded.scenario;

  // ---- the proxy ----
  std::optional<proxy::Adapter> adapter;
  std::string version;
  if (!o.proxy_url.empty()) {
    o.bench.proxy_url = run::parse_proxy_url(o.proxy_url);
    if (!o.bench.proxy_url)
      return usage_error("--proxy-url must be http://<loopback address>:<port>");
  } else {
    const std::string path = proxy::resolve_adapter(o.proxy, find_proxies_dir());
    auto a = proxy::load_adapter(path);
    for (const auto& d : a.diagnostics) std::cerr << d.to_string() << "\n";
    if (!a.ok()) {
      if (!std::filesystem::exists(path))
        std::cerr << "badgateway bench: no adapter '" << o.proxy << "' (looked for " << path
                  << ")\n";
      return 2;
    }
    adapter = std::move(a.adapter);
    if (proxy::find_program(adapter->program).empty()) {
      std::cerr << "badgateway bench: " << adapter->program << " is not installed\n";
      return 3;
    }
    version = proxy::read_version(*adapter);
  }

  // ---- run ----
  run::install_signal_handling();
  const auto config = bench::resolve_config(sc, o.bench.overrides);
  bench::ProgressLine line(std::cerr, config.duration, ::isatty(2) == 1);
  o.bench.progress = [&line](const load::Progress& p) { line.update(p); };
  std::cerr << "badgateway bench: " << sc.meta.name << " against "
            << (adapter ? adapter->name : o.proxy_url) << (version.empty() ? "" : " " + version)
            << " for " << sim::format_duration(config.duration) << "\n";
  bench::BenchOutcome outcome =
      bench::run_bench(sc, adapter ? &*adapter : nullptr, version, o.bench);
  line.clear();
  if (!outcome.ok()) {
    std::cerr << "badgateway bench: " << outcome.error << "\n";
    if (!outcome.proxy_log_tail.empty()) std::cerr << outcome.proxy_log_tail;
    if (!outcome.report.run_dir.empty())
      std::cerr << "badgateway bench: run directory kept: " << outcome.report.run_dir << "\n";
    return run::interrupted() ? 130 : 3;
  }

  bench::write_console(outcome.report, std::cout);
  if (!outcome.proxy_log_tail.empty()) std::cout << outcome.proxy_log_tail;
  bool written = true;
  if (!o.json.empty()) {
    written = write_file(o.json, outcome.report, &bench::write_json) && written;
    if (written) std::cout << "  json: " << o.json << "\n";
  }
  if (!o.html.empty()) {
    const bool ok = write_file(o.html, outcome.report, &bench::write_html);
    if (ok) std::cout << "  html: " << o.html << "\n";
    written = ok && written;
  }
  std::cout.flush();
  if (run::interrupted()) return 130;
  if (!written) return 3;
  return outcome.report.proxy_exit.empty() ? 0 : 1;
}

}  // namespace bgw::cli
