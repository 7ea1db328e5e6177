// What clients suffered during a bench run, derived from BenchData: failures attributed to the
// timeline event that caused them (time to detect, error window), recovery after a restart,
// latency in steady state versus around the failover, requests per upstream from the journals,
// duplicate deliveries (retries that reached an upstream twice), errors by kind, and the
// per-bucket series the HTML timeline draws. Pure functions over plain data.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/bench/bench_data.hpp"

namespace bgw::bench {

struct MetricsOptions {
  Nanos warmup{};                                 ///< left out of the steady state
  Nanos margin = std::chrono::milliseconds(500);  ///< around each error window
  Nanos bucket = std::chrono::milliseconds(100);  ///< width of the timeline buckets
  std::size_t max_examples = 10;                  ///< duplicate ids listed
};

/// Latency of a set of requests (failed ones included: they are what the client waited for).
struct LatencySummary {
  std::uint64_t count = 0;
  std::uint64_t failed = 0;
  Nanos p50{}, p99{}, max{};
};

/// "refused", "connect_timeout", "reset", "closed", "timeout", "invalid", or "http_503".
std::string error_kind(const load::RequestRecord& r);

struct EventMetrics {
  TimelineMark mark;
  /// Disruptive events: failures whose end falls between this event and the next disruptive
  /// one (the client saw them fail then).
  std::uint64_t failed = 0;
  std::optional<Nanos> first_failure, last_failure;  ///< ends of those failures
  std::optional<Nanos> time_to_detect;               ///< event -> last attributed failure
  std::optional<Nanos> error_window;                 ///< first -> last attributed failure
  std::map<std::string, std::uint64_t> errors;       ///< attributed failures by kind
  /// Recovery events (restart, accept, clear_faults): event -> the first request this upstream
  /// read afterwards that the client got a good response for. nullopt: none in the run.
  std::optional<Nanos> time_to_recover;
};

struct UpstreamMetrics {
  std::string name;
  std::uint64_t requests = 0;      ///< request heads in its journal during the run
  std::uint64_t served = 0;        ///< ... the last delivery of a request that did not fail
  std::uint64_t unidentified = 0;  ///< ... without an X-Bgw-Request id (health checks)
  std::uint64_t connections = 0;   ///< connections accepted
};

struct DuplicateExample {
  std::uint64_t id = 0;
  std::vector<std::string> upstreams;  ///< in delivery order, repeats included
};

struct Duplicates {
  std::uint64_t requests = 0;          ///< ids delivered more than once
  std::uint64_t across_upstreams = 0;  ///< ... to two or more upstreams
  std::uint64_t same_upstream = 0;     ///< ... only ever to one upstream, more than once
  std::uint64_t extra_deliveries = 0;  ///< deliveries beyond the first, summed
  std::vector<DuplicateExample> examples;
};

/// One bucket of the timeline, by the time requests ended (when the client saw the outcome).
struct BucketRow {
  Nanos start{};
  std::uint64_t ended = 0;
  std::uint64_t s2xx = 0, s3xx = 0, s4xx = 0, s5xx = 0, other = 0;  ///< responses by class
  std::uint64_t errors = 0;  ///< no response (refused, reset, timeout, ...)
  Nanos p99{};
};

struct Totals {
  std::uint64_t sent = 0;              ///< LoadResult::sent
  std::uint64_t responses = 0;         ///< a complete response (any status)
  std::uint64_t transport_errors = 0;  ///< no complete response
  std::uint64_t failed = 0;            ///< transport errors + 5xx
  std::uint64_t records = 0;           ///< per-request records kept
  std::uint64_t connects = 0;
  Nanos elapsed{};
  double throughput = 0;  ///< responses per second over the run
  std::map<int, std::uint64_t> statuses;
  std::map<std::string, std::uint64_t> errors;  ///< every failure by kind
};

/// Consistency of the bookkeeping, for the report and for tests.
struct Bookkeeping {
  bool sent_matches = false;  ///< sent == responses + transport errors
  /// Good responses whose id no upstream ever read (should be 0 for a proxy in front of our
  /// upstreams only).
  std::uint64_t served_without_delivery = 0;
  /// Failed client requests that an upstream did read (a crash mid-response, a timeout).
  std::uint64_t failed_after_delivery = 0;
};

/// The latency histograms the summaries come from: what `bench merge` adds up across agents.
struct LatencyHistograms {
  load::Histogram all, steady, failover;
  std::uint64_t all_failed = 0, steady_failed = 0, failover_failed = 0;
};

struct BenchMetrics {
  Totals totals;
  Bookkeeping bookkeeping;
  /// Every request; those that ended before the first event (sent after the warmup); those in
  /// flight at some moment of a failover window.
  LatencySummary all, steady, failover;
  std::vector<std::pair<Nanos, Nanos>> failover_windows;  ///< merged [from, to] ranges
  std::vector<EventMetrics> events;
  std::vector<UpstreamMetrics> upstreams;
  Duplicates duplicates;
  std::vector<BucketRow> buckets;
  std::shared_ptr<const LatencyHistograms> histograms;  ///< set by FailoverFold::finish
};

BenchMetrics derive_metrics(const BenchData& data, const MetricsOptions& options = {});

/// Nearest-rank percentile of `sorted` (ascending), q in [0, 1]; 0 when empty.
Nanos percentile(const std::vector<Nanos>& sorted, double q);

}  // namespace bgw::bench
