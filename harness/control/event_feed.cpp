#include "event_feed.hpp"

#include <boost/json/serialize.hpp>

namespace bgw::control {
namespace {

double ms_between(sim::Clock::time_point from, sim::Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

// Wire bytes as text that means the same as the journal files' escapes: each byte >= 0x80 is
// the code point U+0080..U+00FF (Latin-1), so the JSON is valid UTF-8 whatever the peer sent.
std::string bytes_as_text(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (const unsigned char c : bytes) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(0xc0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3f));
    }
  }
  return out;
}

double ms(sim::Duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

}  // namespace

EventFeed::EventFeed(sim::net::io_context& io, sim::Clock::time_point origin, std::size_t capacity)
    : io_(io), origin_(origin), capacity_(capacity == 0 ? 1 : capacity) {}

void EventFeed::push(Entry e) {
  if (entries_.size() == capacity_) entries_.pop_front();
  entries_.push_back(std::move(e));
  ++next_seq_;
  wake_all();
}

std::uint64_t EventFeed::add_change(std::string action, std::string upstream,
                                    boost::json::object detail) {
  Entry e;
  e.at = sim::Clock::now();
  e.upstream = std::move(upstream);
  e.is_control = true;
  e.control = std::move(detail);
  e.control["action"] = std::move(action);
  const std::uint64_t seq = next_seq_;
  if (change_sink_) change_sink_(boost::json::serialize(render(e, seq)));
  push(std::move(e));
  return seq;
}

void EventFeed::add_wire(const std::string& upstream, const sim::Event& event) {
  Entry e;
  e.at = event.at;
  e.upstream = upstream;
  e.wire = event;
  if (e.wire.detail.size() > detail_cap) e.wire.detail.resize(detail_cap);
  push(std::move(e));
}

boost::json::object EventFeed::render(const Entry& e, std::uint64_t seq) const {
  boost::json::object o;
  o["seq"] = seq;
  o["t_ms"] = ms_between(origin_, e.at);
  if (!e.upstream.empty()) o["upstream"] = e.upstream;
  if (e.is_control) {
    o["event"] = "control";
    for (const auto& kv : e.control) o[kv.key()] = kv.value();
    return o;
  }
  const sim::Event& w = e.wire;
  o["event"] = sim::to_string(w.kind);
  if (w.connection) o["conn"] = w.connection;
  if (w.request) o["request"] = w.request;
  if (w.bytes) o["bytes"] = w.bytes;
  if (w.kind == sim::EventKind::step) {
    o["requested_ms"] = ms(w.requested);
    o["actual_ms"] = ms(w.actual);
  }
  if (!w.detail.empty()) o["detail"] = bytes_as_text(w.detail);
  return o;
}

boost::json::array EventFeed::since(std::uint64_t since, std::size_t limit) const {
  boost::json::array out;
  const std::uint64_t first = first_seq();
  std::uint64_t seq = since + 1 < first ? first : since + 1;
  for (; seq <= last_seq() && out.size() < limit; ++seq)
    out.push_back(render(entries_[seq - first], seq));
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
  co_await timer->async_wait(sim::nothrow);  // cancelled by push(), or expired: both end the wait
}

}  // namespace bgw::control
