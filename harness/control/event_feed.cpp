#include "event_feed.hpp"

#include "simulator/json_text.hpp"
#include "simulator/units.hpp"

#include <algorithm>
#include <bit>

#include <boost/asio/post.hpp>

namespace bgw::control {
EventFeed::EventFeed(sim::net::io_context& io, sim::Clock::time_point origin, std::size_t capacity)
    : io_(io), origin_(origin), capacity_(std::bit_ceil(capacity == 0 ? 1 : capacity)) {}

EventFeed::Entry& EventFeed::next_slot() {
  const std::uint64_t seq = next_seq_++;
  if (ring_.size() < capacity_) return ring_.emplace_back();
  return ring_[(seq - 1) & (capacity_ - 1)];  // a power of two: a mask, not a division
}

std::uint32_t EventFeed::intern(std::string_view upstream) {
  // Events come in runs from one upstream: try the last one's name first.
  if (names_[last_name_] == upstream) return last_name_;
  for (std::size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == upstream) return last_name_ = static_cast<std::uint32_t>(i);
  names_.emplace_back(upstream);
  return last_name_ = static_cast<std::uint32_t>(names_.size() - 1);
}

void EventFeed::set_threaded() {
  threaded_ = true;
}

std::uint64_t EventFeed::last_seq() const {
  auto guard = lock();
  return next_seq_ - 1;
}

std::uint64_t EventFeed::first_seq() const {
  auto guard = lock();
  return next_seq_ - ring_.size();
}

std::uint64_t EventFeed::add_change(std::string action, std::string upstream,
                                    boost::json::object detail) {
  std::string line;
  std::uint64_t seq = 0;
  {
    auto guard = lock();
    seq = next_seq_;
    Entry& e = next_slot();
    e.at = sim::Clock::now();
    e.upstream = intern(upstream);
    e.is_control = true;
    e.detail.clear();
    e.control = boost::json::object{{"action", std::move(action)}};
    for (auto& kv : detail) e.control[kv.key()] = std::move(kv.value());
    if (change_sink_) line = sim::json_text(render(e, seq));
  }
  if (change_sink_) change_sink_(line);
  wake_all();
  return seq;
}

void EventFeed::add_wire(const std::string& upstream, const sim::Event& event) {
  if (threaded_) {
    {
      std::lock_guard guard(mutex_);
      store_wire(upstream, event);
    }
    // Timers are the io_context's: wake the waiters there, once for a burst of events.
    if (!wake_posted_.exchange(true))
      boost::asio::post(io_, [this] {
        wake_posted_ = false;
        wake_all();
      });
    return;
  }
  store_wire(upstream, event);
  wake_all();
}

void EventFeed::store_wire(const std::string& upstream, const sim::Event& event) {
  Entry& e = next_slot();
  e.at = event.at;
  e.upstream = intern(upstream);
  e.is_control = false;
  e.kind = event.kind;
  e.connection = event.connection;
  e.request = event.request;
  e.bytes = event.bytes;
  e.requested = event.requested;
  e.actual = event.actual;
  e.detail.assign(event.detail, 0, std::min(event.detail.size(), detail_cap));
  if (!e.control.empty()) e.control.clear();
}

boost::json::object EventFeed::render(const Entry& e, std::uint64_t seq) const {
  boost::json::object o;
  o["seq"] = seq;
  o["t_ms"] = sim::ms_value(e.at - origin_);
  if (e.upstream != 0) o["upstream"] = names_[e.upstream];
  if (e.is_control) {
    o["event"] = "control";
    for (const auto& kv : e.control) o[kv.key()] = kv.value();
    return o;
  }
  o["event"] = sim::to_string(e.kind);
  if (e.connection) o["conn"] = e.connection;
  if (e.request) o["request"] = e.request;
  if (e.bytes) o["bytes"] = e.bytes;
  if (e.kind == sim::EventKind::step) {
    o["requested_ms"] = sim::ms_value(e.requested);
    o["actual_ms"] = sim::ms_value(e.actual);
  }
  if (!e.detail.empty()) o["detail"] = sim::bytes_as_text(e.detail);
  return o;
}

boost::json::array EventFeed::since(std::uint64_t since, std::size_t limit) const {
  boost::json::array out;
  auto guard = lock();
  const std::uint64_t first = next_seq_ - ring_.size(), last = next_seq_ - 1;
  std::uint64_t seq = since + 1 < first ? first : since + 1;
  for (; seq <= last && out.size() < limit; ++seq)
    out.push_back(render(ring_[(seq - 1) & (capacity_ - 1)], seq));
  return out;
}

void EventFeed::on_change(std::function<void(const std::string&)> sink) {
  change_sink_ = std::move(sink);
}

void EventFeed::wake_all() {
  if (waiters_.empty()) return;
  for (auto& w : waiters_)
    if (auto timer = w.lock()) timer->cancel();
  waiters_.clear();
}

boost::asio::awaitable<void> EventFeed::wait_for_entry(sim::Clock::time_point deadline) {
  auto timer = std::make_shared<sim::net::steady_timer>(io_, deadline);
  waiters_.push_back(timer);
  co_await timer->async_wait(
      sim::nothrow);  // cancelled by the next entry, or expired: both end the wait
}

}  // namespace bgw::control
