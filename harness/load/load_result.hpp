// What a load run measured, as plain data: one compact record per request, plus per-interval
// buckets (status counts, errors by kind, a latency histogram). No Asio here: the bench's
// metrics and reports read this without pulling in the network headers.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "harness/load/histogram.hpp"

namespace bgw::load {

using Clock = std::chrono::steady_clock;

/// How one request ended, as the client saw it.
enum class Outcome : std::uint8_t {
  response,         ///< a complete response arrived (any status; see `status`)
  refused,          ///< connecting to the proxy was refused (ECONNREFUSED)
  connect_timeout,  ///< connecting to the proxy did not complete in time
  reset,            ///< the proxy reset the connection (ECONNRESET / EPIPE)
  closed,           ///< the proxy closed before a complete response (EOF)
  timeout,          ///< no complete response within `request_timeout`
  invalid,          ///< bytes arrived that are not a parseable HTTP/1.x response
};
inline constexpr std::size_t outcome_count = 7;
const char* to_string(Outcome o) noexcept;

/// One request. Times are offsets from LoadResult::start. In the open loop `intended` is when
/// the schedule said to send (latency counts from there: no coordinated omission); in the closed
/// loop it equals the actual send time.
struct RequestRecord {
  std::uint64_t id = 0;  ///< the X-Bgw-Request value sent (1-based), or a counter
  std::chrono::nanoseconds intended{};
  std::chrono::nanoseconds latency{};  ///< intended -> end (complete response or failure)
  int status = 0;                      ///< 0 when no status line arrived
  Outcome outcome = Outcome::response;
  std::uint16_t connection = 0;  ///< which client connection slot sent it
  /// True when the request failed from a user's point of view: not a response, or a 5xx.
  bool failed() const noexcept { return outcome != Outcome::response || status >= 500; }
};

/// One fixed time interval; a request belongs to the bucket of its intended send time.
struct Bucket {
  std::chrono::nanoseconds start{};
  std::uint64_t sent = 0;
  std::uint64_t failed = 0;
  std::map<int, std::uint64_t> statuses;  ///< status code -> count (responses only)
  std::array<std::uint64_t, outcome_count> outcomes{};
  Histogram latency;  ///< every request of the bucket, failed ones included
};

/// What LoadGenerator::run() returns.
struct LoadResult {
  Clock::time_point start;
  std::chrono::nanoseconds elapsed{};
  std::chrono::nanoseconds bucket_width{};
  std::uint64_t sent = 0;       ///< requests written (at least partly) or attempted
  std::uint64_t completed = 0;  ///< outcome == response
  std::uint64_t failed = 0;     ///< RequestRecord::failed()
  std::vector<Bucket> buckets;
  Histogram latency;                   ///< all requests
  std::vector<RequestRecord> records;  ///< every request, in completion order (bounded)
  bool records_truncated = false;      ///< more than LoadOptions::max_records
  std::uint64_t connects = 0;          ///< TCP connections opened to the proxy
};

/// Live figures for a progress display, reported about every `progress_every`.
struct Progress {
  std::chrono::nanoseconds at{};
  std::uint64_t sent = 0;
  std::uint64_t completed = 0;
  std::uint64_t failed = 0;
  std::uint64_t p99_ns_last_interval = 0;
};

/// Adds `from` (another generator of the same run: same start and bucket width) to `into`:
/// counts and histograms add up, buckets add up by index, the elapsed time is the longer.
void merge_into(LoadResult& into, const LoadResult& from);

}  // namespace bgw::load
