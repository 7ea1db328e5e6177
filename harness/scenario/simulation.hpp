// The upstreams of one scenario running on one io_context, and their timeline: each event
// fires by timer at its offset from start_timeline(). What `badgateway serve` runs, and what
// the runner starts before the proxy. Call every method from the io_context's thread.
#pragma once

#include <boost/json/object.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/scenario/scenario.hpp"
#include "simulator/upstream.hpp"

namespace boost::asio {
class io_context;
}

namespace bgw::scenario {

/// Where a run's upstreams live and whose traffic they accept (docs/architecture.md, Isolation).
struct SimulationOptions {
  /// Non-empty: upstreams on 127.0.0.1 (the default address) bind here instead: the run's
  /// leased address. Any other address a scenario names (::1, 127.0.0.5) is kept.
  std::string address;
  /// Non-empty: every upstream answers a request of another run with a marked 421 and
  /// journals it as foreign (sim::UpstreamSpec::run_identity).
  std::string run_identity;
  /// Set: every upstream journals at this level instead of its spec's (badgateway serve
  /// --journal-level), the ones added through add_upstream too.
  std::optional<sim::JournalLevel> journal_level;
};

class Simulation {
 public:
  /// Binds every upstream of `s` in its initial listener mode. Throws sim::SetupError when one
  /// cannot bind.
  Simulation(boost::asio::io_context& io, const Scenario& s, const SimulationOptions& o = {});
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  /// Starts the clock of the timeline: every event runs `at` after this call, in time order
  /// (file order for equal times). Call once.
  void start_timeline();
  /// The same with the timeline's t = 0 given: a bench passes the instant the load counts from,
  /// so an event and the load's records share one origin and no event lands early on it.
  void start_timeline(sim::Clock::time_point origin);
  /// Cancels the events still pending and stops every upstream. Idempotent.
  void stop();

  /// Throws std::out_of_range for an unknown name.
  sim::Upstream& upstream(std::string_view name);
  /// Null for an unknown name.
  sim::Upstream* find(std::string_view name);
  /// In file order.
  std::vector<std::string> upstream_names() const;
  /// Starts one more upstream now (the control API's POST /upstreams); it has no timeline.
  /// Throws std::invalid_argument when `name` is taken, sim::SetupError when it cannot bind.
  sim::Upstream& add_upstream(const std::string& name, sim::UpstreamSpec spec);
  /// Stops the upstream and releases its port; its journal stays in journal_json_lines() and
  /// its pending timeline events are journaled as not applied. False for an unknown name.
  bool remove_upstream(std::string_view name);

  using EventListener = std::function<void(const std::string& upstream, const sim::Event&)>;
  /// Every event any upstream journals, now and added later (sim::Journal::set_listener).
  void set_event_listener(EventListener listener);

  using LineSink = std::function<void(const std::string& json_line)>;
  /// From now on every journal line (each upstream's events, each timeline record) goes to
  /// `sink` as it happens, in the order it happens, and the upstreams' journals keep no events
  /// (their counters stay exact): memory no longer grows with run length. What was journaled
  /// before goes to the sink first. journal_json_lines() then has nothing but the timeline.
  /// What `badgateway serve` does: a serve runs for hours. `sink` must outlive this Simulation
  /// (stopping journals too).
  void stream_journal(LineSink sink);

  /// Serve every upstream from the threads running `more` too (sim::Upstream::add_threads): one
  /// listener per thread on each upstream's port, state shared, one merged journal. Upstreams
  /// added or re-bound later get them too. Call once, after stream_journal and
  /// set_event_listener (neither may be called after it), with every io_context in `more`
  /// running until stop(); the listener and the sink are then called from those threads too.
  /// Without it (one thread), nothing changes.
  void add_threads(std::vector<boost::asio::io_context*> more);

  /// Back to the file's state: the file's upstreams with the file's rules, response and
  /// listener mode (a crashed one accepts again if the file says accept; a removed one is
  /// re-bound on the port it had), and none added at runtime. The timeline is not re-run:
  /// events still pending stay pending. Throws sim::SetupError naming each listener that
  /// could not be re-bound; the others are reset all the same.
  void reset_to_file();
  std::size_t events_run() const;
  std::size_t events_total() const;

  /// {"a":{"address":"127.0.0.1","port":41235,"listener":"accept"},...}, in file order.
  boost::json::object bindings() const;
  std::string bindings_json() const;
  /// Every upstream's journal plus one "timeline" line per event run, ordered by time, as JSON
  /// lines; t_ms counts from the construction of this Simulation.
  std::string journal_json_lines() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace bgw::scenario
