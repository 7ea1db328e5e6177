// The upstreams of one scenario running on one io_context, and their timeline: each event
// fires by timer at its offset from start_timeline(). What `badgateway serve` runs, and what
// the runner starts before the proxy. Call every method from the io_context's thread.
#pragma once

#include <memory>
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
  /// Back to the file's state: every upstream's rules and listener mode as the file declares
  /// them (a crashed upstream accepts again if the file says accept). The timeline is not
  /// re-run: events still pending stay pending. Throws sim::SetupError when a listener cannot
  /// be re-bound.
  void reset_to_file();
  std::size_t events_run() const;
  std::size_t events_total() const;

  /// {"a":{"address":"127.0.0.1","port":41235,"listener":"accept"},...}, in file order.
  std::string bindings_json() const;
  /// Every upstream's journal plus one "timeline" line per event run, ordered by time, as JSON
  /// lines; t_ms counts from the construction of this Simulation.
  std::string journal_json_lines() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace bgw::scenario
