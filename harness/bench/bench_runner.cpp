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
#include <mutex>

#include "harness/bench/delivery_journal.hpp"
#include "harness/bench/failover_fold.hpp"
#include "harness/load/load_generator.hpp"
#include "harness/load/threaded_load.hpp"
#include "harness/proxy/loopback_lease.hpp"
#include "harness/proxy/proxy_launch.hpp"
#include "harness/run/interrupt.hpp"
#include "harness/run/isolation.hpp"
#include "harness/scenario/simulation.hpp"
#include "harness/scenario/vocabulary.hpp"
#include "simulator/run_identity.hpp"
#include "simulator/units.hpp"

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
// Events each upstream's journal keeps when the run directory is not kept: what a proxy that
// died or a setup failure leaves to read, in memory that does not grow with the run.
constexpr std::size_t journal_tail = 1024;

MetricsOptions metrics_options(const BenchConfig& c) {
  MetricsOptions mo;
  mo.warmup = c.warmup;
  mo.margin = c.margin;
  mo.bucket = c.bucket;
  return mo;
}

void drive_for(net::io_context& io, Clock::duration d) {
  auto guard = net::make_work_guard(io);
  if (io.stopped()) io.restart();
  io.run_for(d);
}

// The timeline as marks on the load's clock (t = 0 is when the timeline starts), still to be
// placed where they really ran.
std::vector<TimelineMark> scheduled_marks(const scenario::Scenario& sc) {
  std::vector<TimelineMark> marks;
  for (const auto& u : sc.upstreams) {
    for (const auto& e : u.timeline) {
      TimelineMark m;
      m.upstream = u.name;
      m.action = std::string(scenario::spelling(e.action));
      if (e.origin) m.fault = e.origin->fault;
      m.scheduled = e.at.value;
      m.at = m.scheduled;
      m.source = e.where.to_string();
      m.disruptive = is_disruptive(m.action);
      marks.push_back(std::move(m));
    }
  }
  return marks;
}

// The timeline action a journal event shows, if any: crashed -> crash, restarted -> restart,
// listening in a mode -> that mode.
std::optional<std::string_view> journaled_action(const sim::Event& e) {
  switch (e.kind) {
    case sim::EventKind::crashed:
      return "crash";
    case sim::EventKind::restarted:
      return "restart";
    case sim::EventKind::listening:
      return std::string_view(e.detail);
    default:
      return std::nullopt;
  }
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
  r.agent = o.agent;
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
    // An agent starts no upstreams: `badgateway serve` runs them and their timeline.
    if (!o.agent) sim = std::make_unique<scenario::Simulation>(io, sc, so);
    if (adapter && !o.agent) {
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

  // ---- what the run measures, folded as it happens (failover_fold.hpp) ----
  // Nothing is kept per request: the upstreams' journals stream to the run directory when it is
  // kept and otherwise keep a bounded tail, and each request head reaches the fold through the
  // journal's listener.
  // An agent sees no journal: its timeline is placed at the schedule, where serve's timers fire
  // (never early, within a few hundred microseconds).
  std::vector<std::string> names;
  for (const auto& u : sc.upstreams) names.push_back(u.name);
  FailoverFold fold(FailoverFold::Setup{.upstreams = names,
                                        .marks = scheduled_marks(sc),
                                        .placed = o.agent.has_value(),
                                        .options = metrics_options(r.config),
                                        .reads = !o.agent,
                                        .request_timeout = r.config.request_timeout});
  std::optional<Clock::time_point> anchor;
  std::vector<std::uint64_t> connections(sc.upstreams.size());
  std::vector<std::string> foreign;
  std::map<std::string, std::size_t, std::less<>> index;
  for (std::size_t i = 0; i < sc.upstreams.size(); ++i) index[sc.upstreams[i].name] = i;
  std::ofstream journal_file;
  if (sim && o.keep_artifacts) {
    journal_file.open(dir / "journal.jsonl", std::ios::trunc);
    sim->stream_journal([&journal_file](const std::string& line) { journal_file << line << '\n'; });
  } else if (sim) {
    for (const auto& u : sc.upstreams) sim->upstream(u.name).journal().keep_at_most(journal_tail);
  }
  if (sim)
    sim->set_event_listener([&](const std::string& upstream, const sim::Event& e) {
      // Another run's request in our journals: the figures measured mixed traffic.
      if (e.kind == sim::EventKind::foreign_request && foreign.size() < 10)
        foreign.push_back("upstream " + upstream + " received another run's request (connection " +
                          std::to_string(e.connection) + "): " + e.detail);
      if (!anchor || e.at < *anchor) return;
      const auto u = index.find(upstream);
      if (u == index.end()) return;
      const auto at = std::chrono::duration_cast<Nanos>(e.at - *anchor);
      if (e.kind == sim::EventKind::request_head)
        fold.add_delivery(
            Delivery{.upstream = u->second, .id = request_id(e.detail).value_or(0), .at = at});
      else if (e.kind == sim::EventKind::accepted)
        ++connections[u->second];
      else if (const auto action = journaled_action(e))
        fold.ran(upstream, *action, at);
    });

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
  lo.max_records = 0;
  lo.allow_remote = o.agent && o.allow_remote_proxy;
  lo.buckets = false;
  lo.on_record = [&fold](const load::RequestRecord& rec) { fold.add_record(rec); };

  std::optional<load::LoadResult> result;
  std::exception_ptr failure;
  bool done = false;
  net::cancellation_signal cancel;
  scenario::Simulation* simulation = sim.get();
  if (o.agent) {
    // Every agent's t = 0 is the same wall-clock instant; until then this one waits.
    lo.id_stride = o.agent->count;
    lo.id_offset = o.agent->index - 1;
    const int n = static_cast<int>(o.agent->count), i = static_cast<int>(o.agent->index - 1);
    lo.connections = std::max(1, r.config.connections / n + (i < r.config.connections % n ? 1 : 0));
    const auto wait = o.agent->start_at - std::chrono::system_clock::now();
    if (wait < -r.config.request_timeout) {
      out.error = "--start-at is " +
                  sim::format_duration(std::chrono::duration_cast<Nanos>(-wait)) +
                  " in the past: the run began without this agent";
      return out;
    }
    anchor = Clock::now() + std::chrono::duration_cast<Clock::duration>(wait);
    while (Clock::now() < *anchor && !run::interrupted())
      drive_for(io, std::min<Clock::duration>(*anchor - Clock::now(), milliseconds(50)));
  }
  // With more than one client thread the generators run on their own io_contexts and hand
  // their records over here (the fold is this thread's); this thread keeps the upstreams.
  std::unique_ptr<load::ThreadedLoad> generators;
  std::mutex inbox_mutex;
  std::vector<load::RequestRecord> inbox, draining;
  auto drain_inbox = [&] {
    {
      const std::lock_guard lock(inbox_mutex);
      draining.swap(inbox);
    }
    for (const auto& rec : draining) fold.add_record(rec);
    draining.clear();
  };
  if (r.config.threads > 1) {
    lo.on_record = [&](const load::RequestRecord& rec) {
      const std::lock_guard lock(inbox_mutex);
      inbox.push_back(rec);
    };
    // One origin for the timeline and every generator.
    if (!anchor) anchor = Clock::now();
    if (simulation) simulation->start_timeline(*anchor);
    lo.start = *anchor;
    try {
      generators = std::make_unique<load::ThreadedLoad>(lo, r.config.threads);
    } catch (const std::exception&) {
      failure = std::current_exception();
      done = true;
    }
  } else {
    net::co_spawn(
        io,
        [&]() -> net::awaitable<load::LoadResult> {
          // One origin for the timeline and the load: with two Clock::now() calls the events
          // landed early on the load's clock by the time between them (30-50us under ASan).
          if (!anchor) anchor = Clock::now();
          if (simulation) simulation->start_timeline(*anchor);
          lo.start = *anchor;
          co_return co_await load::run_load(lo, o.progress);
        },
        net::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e, load::LoadResult lr) {
          done = true;
          if (e)
            failure = e;
          else
            result = std::move(lr);
        }));
  }
  // Ctrl-C stops the proxy from the signal thread at once; what the load measured from then on
  // is our own doing, so the run ends where the interrupt was seen (within one 10ms slice).
  std::optional<Clock::time_point> interrupted_at;
  auto next_poll = Clock::now();
  auto next_progress = Clock::now() + milliseconds(250);
  while (!done) {
    drive_for(io, milliseconds(10));
    const auto now = Clock::now();
    if (generators) {
      drain_inbox();
      if (generators->done()) {
        done = true;
        try {
          result = generators->join();
        } catch (...) {
          failure = std::current_exception();
        }
        drain_inbox();
      } else if (o.progress && now >= next_progress) {
        next_progress = now + milliseconds(250);
        o.progress(generators->progress());
      }
    }
    if (anchor) fold.advance(std::chrono::duration_cast<Nanos>(now - *anchor));
    if (run::interrupted() && !interrupted_at) {
      interrupted_at = now - milliseconds(10);
      r.interrupted = true;
      if (generators)
        generators->cancel();
      else
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
  if (!foreign.empty() && out.error.empty())
    out.error = "traffic crossed between parallel runs: " + foreign.front();
  const bool keep = o.keep_artifacts || !r.proxy_exit.empty() || !out.error.empty();
  if (simulation) simulation->stop();
  drive_for(io, milliseconds(1));
  if (keep) {
    // Streamed as it happened, or the journals' bounded tail now.
    if (simulation && !journal_file.is_open())
      std::ofstream(dir / "journal.jsonl") << simulation->journal_json_lines();
    r.run_dir = dir.string();
    if (!r.proxy_exit.empty()) out.proxy_log_tail = proxy::proxy_log_tail(dir);
  }
  // The listener and the sink point at this frame's fold and file: the upstreams go first.
  sim.reset();
  journal_file.close();
  if (!keep) fs::remove_all(dir, fec);

  if (result) {
    const load::LoadResult& load = *result;
    std::optional<Nanos> cut;
    if (interrupted_at)
      cut = std::max(Nanos{}, std::chrono::duration_cast<Nanos>(*interrupted_at - load.start));
    r.metrics = fold.finish(
        FailoverFold::LoadTotals{
            .sent = load.sent, .connects = load.connects, .elapsed = load.elapsed},
        cut);
    for (std::size_t i = 0; i < r.metrics.upstreams.size(); ++i)
      r.metrics.upstreams[i].connections = connections[i];
  }
  return out;
}

}  // namespace bgw::bench
