#include "bench_command.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>

#include "harness/bench/bench_merge.hpp"
#include "harness/bench/bench_runner.hpp"
#include "harness/bench/progress_line.hpp"
#include "harness/cli/command_line.hpp"
#include "harness/cli/remote_proxy_url.hpp"
#include "harness/cli/run_command.hpp"
#include "harness/cli/start_at.hpp"
#include "harness/proxy/adapter.hpp"
#include "harness/run/interrupt.hpp"
#include "harness/run/shard.hpp"
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

std::string bench_usage() {
  return "Usage: badgateway bench FILE [options]\n"
         "  Run a scenario's upstreams and proxy topology under load while its timeline fires\n"
         "  (t = 0 is the start of the load), and measure what clients suffer during failover.\n"
         "  The scenario's [bench] table gives the defaults; these options override it.\n"
         "  --proxy NAME|FILE     adapter: a shipped one or an adapter .toml (default: nginx);\n"
         "                        shipped: " +
         shipped_adapter_list(find_proxies_dir()) +
         "\n"
         "  --proxy-url URL       an already-running proxy (http://127.0.0.1:PORT); the\n"
         "                        scenario must pin its upstream ports\n"
         "  --duration D          how long the load runs, above 0 and up to 24h (\"10s\")\n"
         "  --connections N       client connections, 1 to 10000\n"
         "  --rate R              requests per second in all, 0 to 1000000; 0: closed loop\n"
         "  --warmup D            left out of the steady-state latency, 0s to 1h\n"
         "  --request-timeout D   a request without a complete response by then fails,\n"
         "                        above 0 and up to 1h\n"
         "  --threads N           client threads, each with its own event loop and 1/N of the\n"
         "                        connections, 1 to 256 (default 1: the load shares the\n"
         "                        upstreams' thread)\n"
         "  --agent I/N           be load agent I of N (1-based) of one distributed run: no\n"
         "                        upstreams and no proxy here (`badgateway serve FILE\n"
         "                        --start-at T` owns them), 1/N of the connections and every\n"
         "                        N-th request; needs --proxy-url, --start-at and --json\n"
         "  --allow-remote-proxy  an agent's --proxy-url may name a host off loopback (a\n"
         "                        Kubernetes Service), resolved once at start\n"
         "  --start-at T          t = 0 of the load, a wall-clock time shared by every agent:\n"
         "                        2026-12-04T08:00:00Z or Unix seconds\n"
         "  --json FILE           write the JSON report (schema badgateway.bench/1, "
         "docs/bench.md)\n"
         "  --html FILE           write a self-contained HTML report with the timeline\n"
         "  --keep-artifacts      keep the run directory (config, proxy logs, journal)\n"
         "  --runs-dir DIR        where run directories go (default $TMPDIR/badgateway/runs)\n"
         "  --timeout-scale X     multiply the proxy's readiness timeout, 0.01 to 100 (slow\n"
         "                        machines)\n"
         "  Options take their value as `--opt value` or `--opt=value`.\n"
         "  badgateway bench merge AGENT.json... [--json FILE] [--html FILE]: the agents'\n"
         "  reports of one distributed run as one report (docs/distributed.md).\n"
         "  Exit codes: 0 measured, 1 the proxy died during the load, 2 usage or scenario\n"
         "  error, 3 harness or setup error, 130 interrupted.\n";
}

int bench_merge_command(const std::vector<std::string>& args) {
  const std::string usage =
      "Usage: badgateway bench merge AGENT.json... [--json FILE] [--html FILE]\n"
      "  The reports of the N load agents of one distributed run (bench --agent I/N\n"
      "  --start-at T --json FILE) as one report: console summary, and the JSON and HTML\n"
      "  reports when asked. Exit codes: 0 merged, 2 usage error or reports that are not\n"
      "  one run's, 3 a report could not be written.\n";
  std::vector<std::string> files;
  std::string json_out, html_out;
  CLI::App app;
  configure_app(app);
  app.add_option("--json", json_out)->type_name("FILE");
  app.add_option("--html", html_out)->type_name("FILE");
  app.add_option("AGENT.json", files);
  if (const auto exit = parse_command_line(app, args, "bench merge", usage)) return *exit;
  if (files.empty()) return cli::usage_error("bench merge", "give the agents' JSON reports", usage);
  std::vector<std::pair<std::string, std::string>> texts;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) {
      std::cerr << "badgateway bench merge: cannot read " << f << "\n";
      return 2;
    }
    texts.emplace_back(f, std::string(std::istreambuf_iterator<char>(in), {}));
  }
  const bench::MergedReport merged = bench::merge_agent_reports(texts);
  for (const auto& e : merged.errors) std::cerr << "badgateway bench merge: " << e << "\n";
  if (!merged.errors.empty()) return 2;
  bench::write_console(merged.report, std::cout);
  bool written = true;
  if (!json_out.empty()) {
    written = write_file(json_out, merged.report, &bench::write_json) && written;
    if (written) std::cout << "  json: " << json_out << "\n";
  }
  if (!html_out.empty()) {
    const bool ok = write_file(html_out, merged.report, &bench::write_html);
    if (ok) std::cout << "  html: " << html_out << "\n";
    written = ok && written;
  }
  return written ? 0 : 3;
}

int bench_command(const std::vector<std::string>& args) {
  Options o;
  const std::string usage = bench_usage();
  auto usage_error = [&](const std::string& message) {
    return cli::usage_error("bench", message, usage);
  };
  std::vector<std::string> files;
  CLI::App app;
  configure_app(app);
  app.add_option("--proxy", o.proxy)->type_name("NAME|FILE");
  app.add_option("--proxy-url", o.proxy_url)->type_name("URL");
  add_duration(app, "--duration", o.bench.overrides.duration, ranges::duration);
  add_number(app, "--connections", o.bench.overrides.connections, ranges::connections);
  add_number(app, "--rate", o.bench.overrides.rate, ranges::rate, "R");
  add_duration(app, "--warmup", o.bench.overrides.warmup, ranges::warmup);
  add_duration(app, "--request-timeout", o.bench.overrides.request_timeout,
               ranges::request_timeout);
  add_number(app, "--threads", o.bench.overrides.threads, ranges::threads);
  app.add_option("--json", o.json)->type_name("FILE");
  app.add_option("--html", o.html)->type_name("FILE");
  app.add_flag("--keep-artifacts", o.bench.keep_artifacts);
  app.add_option("--runs-dir", o.bench.runs_root)->type_name("DIR");
  add_timeout_scale_option(app, o.bench.timeout_scale);
  std::string agent, start_at;
  bool allow_remote_proxy = false;
  app.add_flag("--allow-remote-proxy", allow_remote_proxy);
  app.add_option("--agent", agent)->type_name("I/N");
  app.add_option("--start-at", start_at)->type_name("T");
  app.add_option("FILE", files);
  if (!args.empty() && args.front() == "merge")
    return bench_merge_command({args.begin() + 1, args.end()});
  if (const auto exit = parse_command_line(app, args, "bench", usage)) return *exit;
  if (!agent.empty() || !start_at.empty()) {
    const auto role = run::parse_shard(agent);  // the same I/N shape as --shard
    if (!role) return usage_error("--agent takes I/N with 1 <= I <= N, not '" + agent + "'");
    const auto t = parse_start_at(start_at);
    if (!t)
      return usage_error(
          "--start-at takes a UTC time such as 2026-12-04T08:00:00Z or Unix "
          "seconds, not '" +
          start_at + "'");
    if (o.proxy_url.empty())
      return usage_error("--agent loads a proxy it does not start: give --proxy-url");
    if (o.json.empty())
      return usage_error("--agent writes the part `bench merge` reads: give --json FILE");
    o.bench.agent = bench::AgentRole{.index = static_cast<unsigned>(role->index),
                                     .count = static_cast<unsigned>(role->count),
                                     .start_at = *t};
  }
  if (files.size() > 1) return usage_error("one scenario FILE at a time");
  if (!files.empty()) o.file = files.front();
  if (o.file.empty()) return usage_error("give a scenario FILE");
  if (allow_remote_proxy && agent.empty())
    return usage_error("--allow-remote-proxy is for load agents (--agent I/N) only");
  if (!o.proxy_url.empty()) {
    std::string error;
    o.bench.proxy_url = allow_remote_proxy ? resolve_remote_proxy_url(o.proxy_url, error)
                                           : parse_proxy_url_option(o.proxy_url, error);
    if (!o.bench.proxy_url) return usage_error(error);
    o.bench.allow_remote_proxy = allow_remote_proxy;
  }

  // ---- the scenario ----
  auto loaded = scenario::load_scenario(o.file);
  for (const auto& d : loaded.diagnostics) std::cerr << d.to_string() << "\n";
  if (!loaded.ok()) return 2;
  const scenario::Scenario& sc = *loaded.scenario;

  // ---- the proxy ----
  std::optional<proxy::Adapter> adapter;
  std::string version;
  if (!o.bench.proxy_url) {
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
