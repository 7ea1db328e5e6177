// What `badgateway serve --control` tells its clients happened: every change made through the
// API and every event the upstreams journal (accepts, requests, fault steps, closes), numbered
// from 1 in the order they happened. GET /journal reads it, and long polls and GET /events wait
// on it. It keeps the most recent `capacity` entries only, so a serve that runs for days holds
// a fixed amount of memory; a reader that falls behind is told how many it missed. Lives on
// serve's first io_context thread; with `serve --threads N` (set_threaded()) wire events also
// come from the other threads.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "simulator/journal.hpp"
#include "simulator/net.hpp"

namespace bgw::control {

class EventFeed {
 public:
  static constexpr std::size_t default_capacity = 16384;
  /// Longest `detail` kept per wire event (a request head or written bytes): the rest is cut,
  /// so the feed's memory is bounded by capacity × this.
  static constexpr std::size_t detail_cap = 1024;

  /// `origin` is t = 0 for every entry's t_ms (serve's start). `capacity` is rounded up to a
  /// power of two.
  EventFeed(sim::net::io_context& io, sim::Clock::time_point origin,
            std::size_t capacity = default_capacity);

  /// A change made through the API: {"seq", "t_ms", "event": "control", "action",
  /// "upstream"?, ...detail}. Returns its seq. `on_change` sees it too.
  std::uint64_t add_change(std::string action, std::string upstream,
                           boost::json::object detail = {});
  /// An event an upstream journaled: {"seq", "t_ms", "upstream", "event", "conn"?, ...}.
  void add_wire(const std::string& upstream, const sim::Event& event);

  /// From now on add_wire may be called from any thread: the ring is locked, and waiters are
  /// woken on the feed's io_context. Call before the other threads journal. Without it (one
  /// thread) nothing is locked: the data path pays nothing for threads it does not have.
  void set_threaded();

  std::uint64_t last_seq() const;
  /// The oldest seq still kept (last_seq() + 1 when empty).
  std::uint64_t first_seq() const;
  /// The kept entries with seq > `since`, oldest first, at most `limit`.
  boost::json::array since(std::uint64_t since, std::size_t limit) const;

  /// Every API change is also handed here as one JSON line, as it happens: serve writes them
  /// to its journal file, so the file keeps every change however long the run.
  void on_change(std::function<void(const std::string& line)> sink);

  /// Ends every wait now (the server is stopping).
  void wake_all();
  /// Completes at the next entry or at `deadline`, whichever is first.
  boost::asio::awaitable<void> wait_for_entry(sim::Clock::time_point deadline);

 private:
  // One slot of the ring. Slots are reused in place (their strings keep their capacity), so once
  // the ring is full, recording a wire event allocates nothing: the data path's whole cost is
  // copying the event's fields and its bytes.
  struct Entry {
    sim::Clock::time_point at;
    std::uint32_t upstream = 0;  ///< index into names_; 0 is "" (no upstream)
    bool is_control = false;
    sim::EventKind kind{};
    std::uint64_t connection = 0, request = 0, bytes = 0;
    sim::Duration requested{}, actual{};
    std::string detail;
    boost::json::object control;  ///< a change: its action and detail
  };
  boost::json::object render(const Entry& e, std::uint64_t seq) const;
  Entry& next_slot();
  void store_wire(const std::string& upstream, const sim::Event& event);
  std::uint32_t intern(std::string_view upstream);
  std::unique_lock<std::mutex> lock() const {
    return threaded_ ? std::unique_lock(mutex_) : std::unique_lock<std::mutex>();
  }

  sim::net::io_context& io_;
  sim::Clock::time_point origin_;
  std::size_t capacity_;     ///< rounded up to a power of two
  std::vector<Entry> ring_;  ///< grows to capacity_, then wraps
  std::uint64_t next_seq_ = 1;
  std::vector<std::string> names_{""};
  std::uint32_t last_name_ = 0;
  std::function<void(const std::string&)> change_sink_;
  std::vector<std::weak_ptr<sim::net::steady_timer>> waiters_;  // the io_context's thread only
  bool threaded_ = false;
  mutable std::mutex mutex_;              // the ring, seq and names, when threaded_
  std::atomic<bool> wake_posted_{false};  // one wake_all in flight at a time, not one per event
};

}  // namespace bgw::control
