// A bench run's facts folded into BenchMetrics as they arrive, in memory that does not grow
// with the run's length: a run of hours keeps what a run of seconds keeps.
//
// What arrives: each request as the client saw it (load::RequestRecord), each request an
// upstream read (Delivery, from its journal), and when each timeline event really ran. Nothing
// is kept per request once it is folded: totals, errors by kind, latency histograms (all,
// steady state, failover), the per-event attribution of failures, the failover windows and the
// time buckets are fixed-size or grow with the timeline, not with the requests.
//
// Two things need facts that arrive later than the request itself, so the fold holds requests
// for a short horizon (`margin` + 250 ms) before folding them, in order of their end:
// - a request ending up to `margin` before an event is inside that event's failover window,
//   and the event's real time is known only when it ran;
// - an upstream may read a request after the client gave up on it (a retry), and served /
//   duplicate counts join the client's outcome with every upstream read of the same id.
// Held requests and reads are bounded by rate x horizon, not by run length. A read that comes
// later than the horizon still counts for its upstream, not in the join.
//
// Percentiles come from load::Histogram (upper bucket edge, < 0.8 % above the true value);
// maxima are exact. No Asio: the runner feeds it from its thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/bench/failover_metrics.hpp"

namespace bgw::bench {

class FailoverFold {
 public:
  struct Setup {
    std::vector<std::string> upstreams;  ///< names; Delivery::upstream indexes this
    /// The timeline, in any order. An action the upstreams journal (crash, restart, refuse,
    /// blackhole, accept) is placed when ran() reports it; the others at `scheduled`. With
    /// `placed`, every mark's `at` is already known (a replay of recorded data).
    std::vector<TimelineMark> marks;
    bool placed = false;
    MetricsOptions options;
    /// Reads arrive (the upstreams run in this process). A bench agent has none: serve owns
    /// the upstreams, so nothing is said of served requests.
    bool reads = true;
    /// How long a request is held before it is folded, beyond `margin`. Must cover the time
    /// between a request ending and it reaching add_record() (the runner drains every 10 ms).
    Nanos slack = std::chrono::milliseconds(250);
    /// How long the reads of an id wait for its request at least: an upstream reads a request
    /// before the client's timeout ends it, so the runner gives the request timeout.
    Nanos request_timeout = std::chrono::seconds(5);
  };

  explicit FailoverFold(Setup setup);
  ~FailoverFold();
  FailoverFold(FailoverFold&&) noexcept;
  FailoverFold& operator=(FailoverFold&&) noexcept;

  /// One request as the client saw it; in any order.
  void add_record(const load::RequestRecord& record);
  /// One request head an upstream read (id 0: it carried no X-Bgw-Request).
  void add_delivery(const Delivery& delivery);
  /// A journaled action ran on `upstream` ("crash", "restart", "refuse", "blackhole",
  /// "accept") at `at`: the first pending mark it can be (same action, scheduled at or
  /// before `at`: timers never fire early) is placed there.
  void ran(std::string_view upstream, std::string_view action, Nanos at);
  /// Fold what is older than `now` (load clock) less the horizon.
  void advance(Nanos now);

  /// Requests and reads held right now (for tests of the bound, and the memory table).
  std::size_t held() const;

  struct LoadTotals {
    std::uint64_t sent = 0;  ///< what the load generator counted
    std::uint64_t connects = 0;
    Nanos elapsed{};
  };
  /// Folds everything still held and derives the metrics. With `cut`, requests that ended and
  /// reads that happened at or after it are left out (the run was interrupted then), and
  /// `sent` becomes the requests kept. Call once.
  BenchMetrics finish(const LoadTotals& totals, std::optional<Nanos> cut = std::nullopt);

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace bgw::bench
