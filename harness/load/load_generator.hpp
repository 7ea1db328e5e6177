// An HTTP/1.1 keep-alive load generator on Asio coroutines, for measuring a proxy while its
// upstreams fail. Closed loop: N connections, each sends its next request when the previous one
// ends. Open loop: requests are scheduled at a fixed rate over the N connections and latency
// counts from the scheduled time, so a stalled proxy cannot hide its delay (no coordinated
// omission). A failed connection is replaced by a new one for the next request.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "harness/load/load_result.hpp"

namespace bgw::load {

struct LoadOptions {
  std::string host = "127.0.0.1";  ///< loopback (127.0.0.0/8 or ::1), unless allow_remote
  /// Any address: a distributed bench's agent loading a proxy through a Kubernetes Service
  /// (`bench --agent --allow-remote-proxy`). Everything else stays on loopback.
  bool allow_remote = false;
  std::uint16_t port = 0;
  std::string method = "GET";
  std::string target = "/";
  std::vector<std::pair<std::string, std::string>> headers;  ///< extra request headers
  std::string body;                                          ///< sent with Content-Length
  int connections = 16;
  double rate = 0;  ///< requests per second in all; 0 = closed loop
  std::chrono::nanoseconds duration = std::chrono::seconds(5);
  std::chrono::nanoseconds bucket = std::chrono::milliseconds(100);
  std::chrono::nanoseconds request_timeout = std::chrono::seconds(5);
  std::chrono::nanoseconds progress_every = std::chrono::milliseconds(250);
  bool request_ids = true;         ///< add "X-Bgw-Request: <id>" to every request
  std::uint64_t max_requests = 0;  ///< stop after this many (0: only the duration)
  /// One of `id_stride` generators sharing a run (ThreadedLoad): this one sends the run's
  /// requests id_offset, id_offset + id_stride, ... (0-based), at their times in the open loop,
  /// so ids stay unique and the rate adds up. `rate` and `max_requests` are the whole run's.
  unsigned id_stride = 1;
  unsigned id_offset = 0;
  std::size_t max_records = 20'000'000;  ///< keep at most this many RequestRecords (0: none)
  /// Called with every request as it ends, on the load's thread: a bench folds them as they
  /// come instead of keeping them (max_records = 0), so its memory does not grow with the run.
  std::function<void(const RequestRecord&)> on_record;
  /// Per-interval buckets (each with a latency histogram of about 42 KB); without, only the
  /// run's totals and latency: a bench folds its own series (FailoverFold).
  bool buckets = true;
  /// t = 0 of the run (records and the schedule count from it); default: when run_load begins.
  /// A bench passes the instant its timeline starts from, so both share one clock origin.
  Clock::time_point start{};
};

using ProgressFn = std::function<void(const Progress&)>;

/// Runs the load on the calling coroutine's executor (one io_context, one thread) and completes
/// once `duration` has passed and every request in flight has ended or timed out. Never throws
/// for what the proxy does; throws std::invalid_argument for bad options (non-loopback host,
/// connections < 1, rate < 0).
boost::asio::awaitable<LoadResult> run_load(LoadOptions options, ProgressFn progress = {});

}  // namespace bgw::load
