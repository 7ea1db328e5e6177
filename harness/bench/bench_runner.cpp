#include "bench_runner.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <fstream>
#include <map>

#include "harness/bench/delivery_journal.hpp"
#include "harness/load/load_generator.hpp"
#include "harness/proxy/loopback_lease.hpp"
#include "harness/proxy/proxy_launch.hpp"
#include "harness/run/interrupt.hpp"
#include "harness/run/isolation.hpp"
#include "harness/scenario/simulation.hpp"
#include "harness/scenario/vocabulary.hpp"
#include "simulator/run_identity.hpp"

namespace bgw::bench {
namespace {

namespace fs = std::filesystem;
namespace net = boost::asio;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::atomic<unsigned> g_run_counter{0};

// Request heads are all the bench needs from the journal; a small cap keeps a long run's
// journal (a few events per request) in tens of megabytes, not hundreds.
constexpr std::size_t journal_byte_cap = 1024;

void drive_for(net::io_context& io, Clock::duration d) {
  auto guard = net::make_work_guard(io);
  if (io.stopped()) io.restart();
  io.run_for(d);
}

// Keep only the requests that ended before `t` (the load was interrupted then), with the totals
// recounted to match.
void cut_at(load::LoadResult& load, Nanos t) {
  auto& recs = load.records;
  recs.erase(
      std::remove_if(recs.begin(), recs.end(),
                     [t](const load::RequestRecord& r) { return r.intended + r.latency >= t; }),
      recs.end());
  load.sent = recs.size();
  load.completed = 0;
  load.failed = 0;
  for (const auto& r : recs) {
    load.completed += r.outcome == load::Outcome::response;
    load.failed += r.failed();
  }
  load.elapsed = std::max(Nanos{}, std::min(load.elapsed, t));
  load.records_truncated = false;  // what is left is complete up to `t`
}

// Where each timeline event of `sc` landed on the load's clock. `anchor` is when the timeline
// started; events the load ended before never ran and are left out.
std::vector<TimelineMark> timeline_marks(const scenario::Scenario& sc, scenario::Simulation& sim,
                                         Clock::time_point anchor, const load::LoadResult& load) {
  std::vector<TimelineMark> marks;
  const auto shift = std::chrono::duration_cast<Nanos>(anchor - load.start);
  for (const auto& u : sc.upstreams) {
    if (u.timeline.empty()) continue;
    const auto journal = sim.upstream(u.name).journal().snapshot();
    for (const auto& e : u.timeline) {
      TimelineMark m;
      m.upstream = u.name;
      m.action = std::string(scenario::spelling(e.action));
      if (e.origin) m.fault = e.origin->fault;
      m.scheduled = e.at.value + shift;
      if (m.scheduled >= load.elapsed) continue;
      m.at = journaled_time(journal, m.action, load.start, m.scheduled).value_or(m.scheduled);
      m.source = e.where.to_string();
      m.disruptive = is_disruptive(m.action);
      marks.push_back(std::move(m));
    }
  }
  std::stable_sort(marks.begin(), marks.end(),
                   [](const TimelineMark& a, const TimelineMark& b) { return a.at < b.at; });
  return marks;
}

}  // namespace

BenchOutcome run_bench(const scenario::Scenario& original, const proxy::Adapter* adapter,
                       const std::string& version, const BenchOptions& o) {
  BenchOutcome out;
  BenchReport& r = out.report;
  r.scenario = original.meta.name;
  r.file = original.file ? *original.file : "";
  r.description = original.meta.description;
  r.proxy = adapter ? adapter->name : "proxy-url";
  r.proxy_version = version;
  r.started = std::chrono::system_clock::now();
  r.config = resolve_config(original, o.overrides);
  for (const auto& e : events_after_load(original, r.config.duration))
    r.warnings.push_back("never runs, the load ends before it: " + e);
  // `badgateway run` skips a scenario the proxy cannot honour; a bench still measures, and says.
  for (const auto& req : original.meta.requirements) {
    if (!adapter) break;
    const auto& f = adapter->features;
    if (!req.is_version() && std::find(f.begin(), f.end(), req.subject) == f.end())
      r.warnings.push_back("the scenario requires '" + req.subject + "', which the " +
                           adapter->name + " adapter does not declare");
    if (req.is_version() && req.subject == adapter->name &&
        !proxy::version_satisfies(version, req.op + req.version))
      r.warnings.push_back("the scenario requires " + req.text + ", found " +
                           (version.empty() ? "an unknown version" : version));
  }

  scenario::Scenario sc = original;
  for (auto& u : sc.upstreams) {
    u.spec.journal = sim::JournalLevel::bytes;  // request heads carry the X-Bgw-Request id
    u.spec.journal_byte_cap = journal_byte_cap;
  }

  // ---- the run directory ----
  // Absolute: the proxy runs inside the run directory, where a relative path means another place.
  const fs::path root = fs::absolute(o.runs_root.empty() ? run::default_runs_root() : o.runs_root);
  const fs::path dir = root / (sc.meta.name + "-bench-" + r.proxy + "-" +
                               std::to_string(::getpid()) + "-" + std::to_string(++g_run_counter));
  std::error_code fec;
  fs::remove_all(dir, fec);
  fs::create_directories(dir, fec);
  if (fec) {
    out.error = "cannot create the run directory " + dir.string() + ": " + fec.message();
    return out;
  }

  // ---- upstreams and proxy ----
  // Isolation as in run::run_scenario: the run's own address when badgateway starts the proxy,
  // and the run's identity on every request (docs/architecture.md).
  net::io_context io(1);
  std::optional<proxy::LoopbackLease> lease;
  const std::string identity = run::new_run_identity(sc.meta.name);
  std::unique_ptr<scenario::Simulation> sim;
  proxy::LaunchedProxy proxy_proc;
  proxy::LaunchOptions launch;
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  try {
    scenario::SimulationOptions so;
    so.run_identity = identity;
    if (adapter) {
      lease.emplace();
      so.address = lease->address();
    }
    sim = std::make_unique<scenario::Simulation>(io, sc, so);
    if (adapter) {
      launch.run_dir = dir;
      launch.listen_host = lease->address();
      for (const auto& u : sc.upstreams) {
        launch.upstream_ports[u.name] = sim->upstream(u.name).port();
        launch.upstream_hosts[u.name] = sim->upstream(u.name).address();
      }
      launch.timeout_scale = o.timeout_scale;
      launch.on_spawn = run::register_process_group;
      launch.on_stop = run::unregister_process_group;
      proxy_proc = proxy::launch_proxy(*adapter, sc, launch);
      host = proxy_proc.host;
      port = proxy_proc.port;
    } else if (o.proxy_url) {
      host = o.proxy_url->host;
      port = o.proxy_url->port;
    } else {
      throw proxy::HarnessError("no proxy: give an adapter or a proxy URL");
    }
  } catch (const std::exception& e) {
    if (sim) sim->stop();
    out.error = e.what();
    out.proxy_log_tail = proxy::proxy_log_tail(dir);
    r.run_dir = dir.string();
    return out;
  }

  // ---- the load, with the timeline starting at its first request ----
  load::LoadOptions lo;
  lo.host = host;
  lo.port = port;
  lo.method = r.config.method;
  lo.target = r.config.target;
  lo.connections = r.config.connections;
  lo.rate = r.config.rate;
  lo.duration = r.config.duration;
  lo.bucket = r.config.bucket;
  lo.request_timeout = r.config.request_timeout;
  lo.request_ids = true;
  lo.headers.emplace_back(std::string(sim::run_header), identity);

  Clock::time_point anchor;
  std::optional<load::LoadResult> result;
  std::exception_ptr failure;
  bool done = false;
  net::cancellation_signal cancel;
  scenario::Simulation& simulation = *sim;
  net::co_spawn(
      io,
      [&]() -> net::awaitable<load::LoadResult> {
        // One origin for the timeline and the load: with two Clock::now() calls the events
        // landed early on the load's clock by the time between them (30-50us under ASan).
        anchor = Clock::now();
        simulation.start_timeline(anchor);
        lo.start = anchor;
        co_return co_await load::run_load(lo, o.progress);
      },
      net::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e, load::LoadResult lr) {
        done = true;
        if (e)
          failure = e;
        else
          result = std::move(lr);
      }));
  // Ctrl-C stops the proxy from the signal thread at once; what the load measured from then on
  // is our own doing, so the run ends where the interrupt was seen (within one 10ms slice).
  std::optional<Clock::time_point> interrupted_at;
  auto next_poll = Clock::now();
  while (!done) {
    drive_for(io, milliseconds(10));
    const auto now = Clock::now();
    if (run::interrupted() && !interrupted_at) {
      interrupted_at = now - milliseconds(10);
      r.interrupted = true;
      cancel.emit(net::cancellation_type::terminal);
    }
    if (now < next_poll || interrupted_at) continue;
    next_poll = now + milliseconds(50);
    if (proxy_proc.child && r.proxy_exit.empty()) {
      if (auto status = proxy_proc.child->poll()) r.proxy_exit = status->describe();
    }
  }
  // Let the upstreams finish what the proxy asked of them before the journals are read.
  drive_for(io, milliseconds(50));

  // ---- teardown: the proxy first (it holds connections to the upstreams), then upstreams ----
  if (proxy_proc.child && r.proxy_exit.empty() && !interrupted_at) {
    if (auto status = proxy_proc.child->poll()) r.proxy_exit = status->describe();
  }
  if (proxy_proc.child) proxy::stop_proxy(proxy_proc, *adapter, launch);

  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      out.error = std::string("the load generator failed: ") + e.what();
    }
  }
  std::map<std::string, std::vector<sim::Event>> journals;
  if (result) {
    BenchData& data = out.data;
    data.load = std::move(*result);
    if (interrupted_at)
      cut_at(data.load, std::chrono::duration_cast<Nanos>(*interrupted_at - data.load.start));
    data.events = timeline_marks(sc, simulation, anchor, data.load);
    for (std::size_t i = 0; i < sc.upstreams.size(); ++i) {
      const auto& name = sc.upstreams[i].name;
      data.upstreams.push_back(name);
      const auto journal = simulation.upstream(name).journal().snapshot();
      journals[name] = journal;
      collect_deliveries(journal, i, data.load.start, data.deliveries);
      data.journal.push_back(journal_counts(journal, data.load.start));
    }
    std::stable_sort(data.deliveries.begin(), data.deliveries.end(),
                     [](const Delivery& a, const Delivery& b) { return a.at < b.at; });
    if (interrupted_at) {  // as the records: only what happened before the interrupt
      const Nanos t = data.load.elapsed;
      std::erase_if(data.deliveries, [t](const Delivery& d) { return d.at >= t; });
    }
    if (data.load.records_truncated)
      r.warnings.push_back("more requests than records kept: per-request metrics cover the first " +
                           std::to_string(data.load.records.size()));
  }
  // Another run's requests in our journals: the figures measured mixed traffic.
  if (const auto evidence = run::foreign_evidence({}, journals);
      !evidence.empty() && out.error.empty())
    out.error = "traffic crossed between parallel runs: " + evidence.front();
  const bool keep = o.keep_artifacts || !r.proxy_exit.empty() || !out.error.empty();
  if (keep) {
    std::ofstream(dir / "journal.jsonl") << simulation.journal_json_lines();
    r.run_dir = dir.string();
    if (!r.proxy_exit.empty()) out.proxy_log_tail = proxy::proxy_log_tail(dir);
  }
  simulation.stop();
  drive_for(io, milliseconds(1));
  if (!keep) fs::remove_all(dir, fec);

  if (result) {
    MetricsOptions mo;
    mo.warmup = r.config.warmup;
    mo.margin = r.config.margin;
    mo.bucket = r.config.bucket;
    r.metrics = derive_metrics(out.data, mo);
  }
  return out;
}

}  // namespace bgw::bench
