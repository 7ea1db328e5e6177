// Every change made through the control API, numbered from 1 in the order it was applied, and
// a way for a long poll to wait for the next one. Lives on the serve io_context's one thread;
// not thread-safe, and needs not be.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "simulator/net.hpp"

namespace bgw::control {

class ChangeJournal {
 public:
  /// `origin` is t = 0 for the entries' t_ms (serve's start).
  ChangeJournal(sim::net::io_context& io, std::chrono::steady_clock::time_point origin);

  /// Appends {"seq", "t_ms", "action", "upstream"?, ...detail} and wakes every waiter.
  /// Returns the entry's seq.
  std::uint64_t add(std::string action, std::string upstream, boost::json::object detail = {});
  std::uint64_t last_seq() const { return entries_.size(); }
  /// The entries with seq > `since`, oldest first.
  boost::json::array since(std::uint64_t since) const;
  /// Every entry as JSON lines.
  std::string json_lines() const;

  /// Ends every wait now (the server is stopping).
  void wake_all();
  /// Completes at the next add() or at `deadline`, whichever is first.
  boost::asio::awaitable<void> wait_for_change(std::chrono::steady_clock::time_point deadline);

 private:
  sim::net::io_context& io_;
  std::chrono::steady_clock::time_point origin_;
  std::vector<boost::json::object> entries_;
  std::vector<std::weak_ptr<sim::net::steady_timer>> waiters_;
};

}  // namespace bgw::control
