#include "runner.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <map>

#include "harness/client/http_exchange.hpp"
#include "harness/proxy/child_process.hpp"
#include "harness/proxy/loopback_lease.hpp"
#include "harness/proxy/proxy_launch.hpp"
#include "harness/run/interrupt.hpp"
#include "harness/run/isolation.hpp"
#include "harness/run/judge.hpp"
#include "harness/scenario/simulation.hpp"
#include "simulator/net.hpp"
#include "simulator/run_identity.hpp"

namespace bgw::run {
namespace {

namespace fs = std::filesystem;
namespace net = boost::asio;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::atomic<unsigned> g_run_counter{0};

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
  if (!out) throw proxy::HarnessError("cannot write " + p.string());
}

// Drive `io` until `deadline` (timers of the upstreams' timeline keep firing meanwhile).
void drive_until(net::io_context& io, Clock::time_point deadline) {
  auto guard = net::make_work_guard(io);
  if (io.stopped()) io.restart();
  while (Clock::now() < deadline && !interrupted()) io.run_one_until(deadline);
}

std::string request_line(const scenario::Request& r) {
  return r.method + " " + r.target;
}

// The client deadline for one request of `step`: the largest `within` of its expectations,
// with one second of slack so a late answer is observed (and judged late) rather than cut off;
// or the default. Scaled, and never beyond the scenario's own timeout.
sim::Duration step_deadline(const scenario::Step& step, const scenario::Scenario& sc,
                            const RunOptions& o, const std::string& proxy) {
  sim::Duration d{};
  for (const auto& e : step.expects) {
    const auto checks = scenario::for_proxy(e, proxy).checks;
    if (checks.within) d = std::max(d, checks.within->value + std::chrono::seconds(1));
  }
  if (d == sim::Duration{}) d = o.default_deadline;
  d = std::chrono::duration_cast<sim::Duration>(d * o.timeout_scale);
  return std::min(d, sc.meta.timeout.value);
}

client::HttpRequest to_http(const scenario::Request& r, std::size_t step, int repeat,
                            const std::string& run_identity) {
  client::HttpRequest h;
  h.method = r.method;
  h.target = r.target;
  h.headers = r.headers;
  // Identifies the request in the upstreams' journals: how the verdict tells which upstream
  // saw which request (duplicate deliveries of a POST, for instance).
  h.headers.emplace_back("X-Bgw-Request",
                         std::to_string(step + 1) + "." + std::to_string(repeat + 1));
  // Whose request it is: an upstream of another run that receives it says so (isolation.hpp).
  h.headers.emplace_back(std::string(sim::run_header), run_identity);
  h.body = r.body;
  h.keep_alive = true;  // HTTP/1.1 persistence: closing is the proxy's decision, and observed
  return h;
}

// The proxy's launch options for this run: Ctrl-C must be able to stop it from the moment
// it is spawned.
proxy::LaunchOptions launch_options(const scenario::Scenario& sc, scenario::Simulation& sim,
                                    const fs::path& dir, const std::string& address,
                                    const RunOptions& o) {
  proxy::LaunchOptions lo;
  lo.run_dir = dir;
  lo.listen_host = address;
  for (const auto& u : sc.upstreams) {
    lo.upstream_ports[u.name] = sim.upstream(u.name).port();
    lo.upstream_hosts[u.name] = sim.upstream(u.name).address();
  }
  lo.timeout_scale = o.timeout_scale;
  lo.on_port_picked = o.on_proxy_port;
  lo.on_spawn = register_process_group;
  lo.on_stop = unregister_process_group;
  return lo;
}

}  // namespace

fs::path default_runs_root() {
  const char* tmp = std::getenv("TMPDIR");
  return fs::path(tmp && *tmp ? tmp : "/tmp") / "badgateway" / "runs";
}

ScenarioResult run_scenario(const scenario::Scenario& sc, const proxy::Adapter* adapter,
                            const std::string& version, const RunOptions& o) {
  const auto started = Clock::now();
  ScenarioResult r;
  r.name = sc.meta.name;
  r.file = sc.file ? *sc.file : "";
  r.description = sc.meta.description;
  r.tags = sc.meta.tags;
  r.proxy = adapter ? adapter->name : "proxy-url";
  r.proxy_version = version;
  auto finish = [&](Verdict v, std::string reason) {
    r.verdict = v;
    r.reason = std::move(reason);
    r.elapsed = Clock::now() - started;
    return r;
  };

  // A scenario with nothing to judge (a failover bench: [bench] and a timeline, no steps) would
  // "pass" with zero checks; say what it is instead.
  if (sc.steps.empty() && sc.expects.empty())
    return finish(Verdict::skip, sc.bench
                                     ? "a bench scenario (no steps): run it with `badgateway bench`"
                                     : "no steps and no expectations: nothing to judge");

  // ---- requirements and installation: skip, never fail, when the proxy cannot be judged ----
  for (const auto& req : sc.meta.requirements) {
    if (!req.is_version()) {
      if (adapter && std::find(adapter->features.begin(), adapter->features.end(), req.subject) ==
                         adapter->features.end())
        return finish(Verdict::skip, "requires '" + req.subject + "', which the " + adapter->name +
                                         " adapter does not declare");
      continue;
    }
    if (!adapter) continue;
    if (req.subject != adapter->name) return finish(Verdict::skip, "only for " + req.text);
    if (!proxy::version_satisfies(version, req.op + req.version))
      return finish(Verdict::skip, "requires " + req.text + ", found " +
                                       (version.empty() ? "an unknown version" : version));
  }
  if (adapter && proxy::find_program(adapter->program).empty()) {
    r.proxy_missing = true;  // the run's exit code says so (exit_proxy_missing): no vacuous pass
    return finish(Verdict::skip, adapter->program + " is not installed");
  }

  // ---- the run directory ----
  // Absolute: the proxy runs inside the run directory, where a relative path means another place.
  const fs::path root = fs::absolute(o.runs_root.empty() ? default_runs_root() : o.runs_root);
  const fs::path dir = root / (sc.meta.name + "-" + r.proxy + "-" + std::to_string(::getpid()) +
                               "-" + std::to_string(++g_run_counter));
  std::error_code fec;
  fs::remove_all(dir, fec);
  fs::create_directories(dir, fec);
  if (fec)
    return finish(Verdict::error,
                  "cannot create the run directory " + dir.string() + ": " + fec.message());
  r.run_dir = dir.string();

  net::io_context io(1);
  // Isolation (docs/architecture.md): when badgateway starts the proxy, the run's upstreams and
  // its proxy listen on an address of the run's own, held until the run ends; with a proxy URL
  // the user's proxy names the upstreams' addresses, so they stay as the scenario says.
  std::optional<proxy::LoopbackLease> lease;
  const std::string identity = new_run_identity(sc.meta.name);
  std::unique_ptr<scenario::Simulation> sim;
  proxy::LaunchedProxy proxy_proc;
  proxy::LaunchOptions launch;
  std::string proxy_host = "127.0.0.1";
  std::uint16_t proxy_port = 0;
  try {
    scenario::SimulationOptions so;
    so.run_identity = identity;
    if (adapter) {
      lease.emplace();
      so.address = lease->address();
    }
    // The upstreams first: the proxy's port is picked on the run's address once they are bound.
    sim = std::make_unique<scenario::Simulation>(io, sc, so);
    if (adapter) {
      launch = launch_options(sc, *sim, dir, lease->address(), o);
      proxy_proc = proxy::launch_proxy(*adapter, sc, launch);
      proxy_host = proxy_proc.host;
      proxy_port = proxy_proc.port;
    } else {
      proxy_host = o.proxy_url->host;
      proxy_port = o.proxy_url->port;
    }
  } catch (const std::exception& e) {
    if (sim) sim->stop();
    r.proxy_log_tail = proxy::proxy_log_tail(dir);
    // Ctrl-C stops the proxy from the signal thread; a start that fails then was cut short,
    // not broken.
    return finish(Verdict::error, interrupted() ? "interrupted" : e.what());
  }

  // ---- the timeline and the client steps ----
  sim->start_timeline();
  const auto t_steps = Clock::now();
  const auto scenario_deadline = t_steps + sc.meta.timeout.value;
  std::optional<client::ClientConnection> previous;
  std::string crash;  // set when the proxy died during the steps
  for (std::size_t si = 0; si < sc.steps.size() && !interrupted() && crash.empty(); ++si) {
    const scenario::Step& step = sc.steps[si];
    if (step.pause > sim::Duration{}) {
      drive_until(io, Clock::now() + step.pause);
      r.waits += step.pause;
    }
    // `at`: from the steps' start, which is also t0 of the upstreams' timelines.
    if (step.at && Clock::now() < t_steps + step.at->value) {
      const auto wait = t_steps + step.at->value - Clock::now();
      drive_until(io, t_steps + step.at->value);
      r.waits += std::chrono::duration_cast<sim::Duration>(wait);
    }
    const sim::Duration deadline = step_deadline(step, sc, o, r.proxy);
    const auto connect_timeout =
        std::chrono::duration_cast<sim::Duration>(milliseconds(2000) * o.timeout_scale);
    int sent = 0;
    while (sent < step.repeat && !interrupted() && Clock::now() < scenario_deadline) {
      if (step.concurrency <= 1) {
        // Sequential repetitions share the step's connection while it stays usable.
        const bool reuse = (sent > 0 || step.reuse_connection) && previous && previous->usable();
        if (!reuse)
          previous = client::ClientConnection::connect(io, proxy_host, proxy_port, connect_timeout);
        Exchange x;
        x.step = si;
        x.repeat = sent;
        x.request = request_line(step.request);
        const auto req = to_http(step.request, si, sent, identity);
        x.request_bytes = client::serialize(req, client::host_header(proxy_host, proxy_port));
        x.started_at = Clock::now() - t_steps;
        x.observation = previous->exchange(req, deadline);
        r.exchanges.push_back(std::move(x));
        ++sent;
      } else {
        // A batch of concurrent requests, each on its own connection.
        const int batch = std::min(step.concurrency, step.repeat - sent);
        std::vector<client::ClientConnection> conns;
        std::vector<client::HttpRequest> reqs;
        for (int i = 0; i < batch; ++i) {
          conns.push_back(
              client::ClientConnection::connect(io, proxy_host, proxy_port, connect_timeout));
          reqs.push_back(to_http(step.request, si, sent + i, identity));
        }
        const auto at = Clock::now() - t_steps;
        auto obs = client::ClientConnection::exchange_concurrently(conns, reqs, deadline);
        for (int i = 0; i < batch; ++i) {
          Exchange x;
          x.step = si;
          x.repeat = sent + i;
          x.request = request_line(step.request);
          x.request_bytes = client::serialize(reqs[static_cast<std::size_t>(i)],
                                              client::host_header(proxy_host, proxy_port));
          x.started_at = at;
          x.observation = std::move(obs[static_cast<std::size_t>(i)]);
          r.exchanges.push_back(std::move(x));
        }
        previous = std::move(conns.back());
        sent += batch;
      }
      if (proxy_proc.child) {
        if (auto status = proxy_proc.child->poll()) crash = status->describe();
      }
    }
  }
  if (previous) previous->close();
  // Let the upstreams finish what the proxy asked of them (a retry in flight, a close) before
  // their journals are read: a short, bounded drive of the loop.
  drive_until(io, Clock::now() + milliseconds(50));

  // ---- judge ----
  std::map<std::string, std::vector<sim::Event>> journals;
  for (const auto& u : sc.upstreams) journals[u.name] = sim->upstream(u.name).journal().snapshot();
  r.upstream_journal = sim->journal_json_lines();
  r.checks = evaluate(sc, r.proxy, r.exchanges, journals);
  if (proxy_proc.child && crash.empty()) {
    if (auto status = proxy_proc.child->poll()) crash = status->describe();
  }
  if (!crash.empty()) {
    CheckResult c;
    c.kind = "proxy_alive";
    c.subject = r.proxy;
    c.passed = false;
    c.expected = "the proxy keeps running";
    c.observed = "it " + crash;
    c.why = "a proxy must survive whatever its upstream sends";
    r.checks.push_back(std::move(c));
  }

  // ---- teardown: the proxy first (it holds connections to the upstreams), then upstreams ----
  if (proxy_proc.child) proxy::stop_proxy(proxy_proc, *adapter, launch);
  sim->stop();
  drive_until(io, Clock::now() + milliseconds(1));

  const auto decision =
      decide(r.checks, sc.meta.name,
             adapter ? adapter->deviations : std::vector<proxy::Deviation>{}, version, o.strict);
  r.verdict = decision.verdict;
  r.reason = decision.reason;
  apply_isolation(r, foreign_evidence(r.exchanges, journals));
  if (interrupted()) {
    r.verdict = Verdict::error;
    r.reason = "interrupted";
  }
  r.elapsed = Clock::now() - started;
  write_file(dir / "journal.jsonl", r.upstream_journal);

  const bool keep = o.keep_artifacts || (r.verdict != Verdict::pass && r.verdict != Verdict::xfail);
  if (r.verdict != Verdict::pass || !crash.empty()) r.proxy_log_tail = proxy::proxy_log_tail(dir);
  if (!keep) {
    fs::remove_all(dir, fec);
    r.run_dir.clear();
  }
  return r;
}

}  // namespace bgw::run
