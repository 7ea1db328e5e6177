// Per-upstream record of what happened on the wire: accepts, requests, writes, each fault step
// with its requested and achieved timing, and why every connection ended. Readable while the
// upstream runs (snapshot) and as JSON lines for run directories.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "script.hpp"
#include "upstream_spec.hpp"

namespace bgw::sim {

using Clock = std::chrono::steady_clock;

enum class EventKind : std::uint8_t {
  listening,       ///< detail: mode ("accept", "refuse", "blackhole")
  accepted,        ///< a connection was accepted
  request_head,    ///< bytes: head size; detail: the request head (capped)
  request_body,    ///< bytes: body bytes read
  request_bytes,   ///< ReadRequest{bytes}: bytes: raw bytes read
  bad_request,     ///< the request could not be framed; detail says why
  wrote,           ///< bytes: written; detail: the bytes at JournalLevel::bytes (capped)
  write_failed,    ///< bytes: written before the error; detail: the error
  step,            ///< a timed step finished: detail names it; requested vs actual duration
  peer_closed,     ///< the peer sent FIN (read returned EOF); bytes: bytes discarded
  peer_reset,      ///< the peer sent RST
  closed,          ///< we ended the connection; detail: "fin", "rst", "half_close", "crash", "stop"
  crashed,         ///< Upstream::crash()
  restarted,       ///< Upstream::restart()
  stopped,         ///< Upstream::stop()
  internal_error,  ///< a bug in the simulator: tests fail on any
  foreign_request,  ///< another run's request (run_identity.hpp); detail: the identities. Kept
                    ///< at every journal level, like internal_error
};

const char* to_string(EventKind kind);

struct Event {
  Clock::time_point at;
  EventKind kind;
  std::uint64_t connection = 0;  ///< 1-based accept order; 0 for listener events
  std::uint64_t request = 0;     ///< 1-based request order on this upstream; 0 when none
  std::uint64_t bytes = 0;
  Duration requested{};  ///< timed steps: what the script asked for
  Duration actual{};     ///< timed steps: what the timer achieved (never less)
  std::string detail;
};

/// Thread-safe: the upstream appends from its io_context thread; tests and reporters read from
/// anywhere. Counters stay exact even at JournalLevel::counters, where events are not kept.
/// Unbounded by default (a scenario's journal is judged whole); keep_at_most(n) makes it a ring
/// of the n most recent events, whose slots are overwritten in place: a journal that runs for
/// hours holds a fixed amount of memory and never moves what it kept.
class Journal {
 public:
  explicit Journal(std::string upstream, JournalLevel level = JournalLevel::bytes,
                   std::size_t byte_cap = 4096);

  const std::string& upstream() const { return upstream_; }
  JournalLevel level() const { return level_; }
  std::size_t byte_cap() const { return byte_cap_; }
  Clock::time_point origin() const { return origin_; }

  void add(Event event);
  /// Called with every event the journal keeps, on the thread that adds it, after it is kept:
  /// `badgateway serve --control` streams them to its API. Set before the upstream serves.
  void set_listener(std::function<void(const Event&)> listener);
  /// Keep only the `n` most recent events (a ring: each new event takes the oldest one's slot);
  /// 0 keeps none. The listener still sees every event, and counters and totals stay exact:
  /// what a long-running serve or bgw-upstream does, so memory does not grow with run length.
  void keep_at_most(std::size_t n);
  std::vector<Event> snapshot() const;
  std::size_t count(EventKind kind) const;
  /// How many events of `kind` happened, kept or not (at JournalLevel::counters too): O(1), for
  /// readers that ask while the upstream runs for hours (the control API's counters).
  std::uint64_t total(EventKind kind) const {
    return totals_[static_cast<std::size_t>(kind)].load(std::memory_order_relaxed);
  }
  std::size_t count_if(const std::function<bool(const Event&)>& pred) const;

  std::uint64_t connections() const { return connections_.load(std::memory_order_relaxed); }
  std::uint64_t requests() const { return requests_.load(std::memory_order_relaxed); }
  std::uint64_t next_connection() { return connections_.fetch_add(1) + 1; }
  std::uint64_t next_request() { return requests_.fetch_add(1) + 1; }

  /// One JSON object per line: {"t_ms":…, "upstream":…, "event":…, "conn":…, …}.
  std::string to_json_lines() const;
  static std::string to_json(const Event& e, std::string_view upstream, Clock::time_point origin);

 private:
  std::string upstream_;
  JournalLevel level_;
  std::size_t byte_cap_;
  Clock::time_point origin_;
  mutable std::mutex mutex_;
  // In order while it grows; once it holds keep_ events it is a ring whose oldest is at head_.
  // A growing vector that is never bounded copies everything it holds at each doubling: that
  // pause, tens of milliseconds at millions of events, was bgw-upstream's p99 at level events.
  std::vector<Event> events_;
  std::size_t head_ = 0;
  std::function<void(const Event&)> listener_;
  // Written under mutex_; read without it first, so a journal that keeps nothing (a streaming
  // serve, whose threads all journal here) takes no lock per event.
  std::atomic<std::size_t> keep_{static_cast<std::size_t>(-1)};
  void unwrap();  // puts the ring back in order (head_ = 0); mutex_ held
  static constexpr std::size_t kinds = static_cast<std::size_t>(EventKind::foreign_request) + 1;
  std::array<std::atomic<std::uint64_t>, kinds> totals_{};
  std::atomic<std::uint64_t> connections_{0};
  std::atomic<std::uint64_t> requests_{0};
};

/// JSON string escaping for bytes that may be binary: control bytes and non-ASCII as \u00XX.
std::string json_escape(std::string_view bytes);

/// Bytes from the wire as text for a JSON string: each byte >= 0x80 becomes the character
/// U+0080..U+00FF (Latin-1), so any bytes make valid UTF-8 and read back byte for byte.
std::string bytes_as_text(std::string_view bytes);

}  // namespace bgw::sim
