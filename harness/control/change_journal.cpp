#include "change_journal.hpp"

#include <boost/json/serialize.hpp>

namespace bgw::control {

ChangeJournal::ChangeJournal(sim::net::io_context& io, std::chrono::steady_clock::time_point origin)
    : io_(io), origin_(origin) {}

std::uint64_t ChangeJournal::add(std::string action, std::string upstream,
                                 boost::json::object detail) {
  boost::json::object e;
  const std::uint64_t seq = entries_.size() + 1;
  e["seq"] = seq;
  e["t_ms"] =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - origin_).count();
  e["action"] = std::move(action);
  if (!upstream.empty()) e["upstream"] = std::move(upstream);
  for (auto& kv : detail) e[kv.key()] = std::move(kv.value());
  entries_.push_back(std::move(e));
  wake_all();
  return seq;
}

void ChangeJournal::wake_all() {
  for (auto& w : waiters_)
    if (auto timer = w.lock()) timer->cancel();
  waiters_.clear();
}

boost::json::array ChangeJournal::since(std::uint64_t since) const {
  boost::json::array out;
  for (std::size_t i = since; i < entries_.size(); ++i) out.push_back(entries_[i]);
  return out;
}

std::string ChangeJournal::json_lines() const {
  std::string out;
  for (const auto& e : entries_) {
    boost::json::object line = e;
    line["event"] = "control";
    out += boost::json::serialize(line) + "\n";
  }
  return out;
}

boost::asio::awaitable<void> ChangeJournal::wait_for_change(
    std::chrono::steady_clock::time_point deadline) {
  auto timer = std::make_shared<sim::net::steady_timer>(io_, deadline);
  waiters_.push_back(timer);
  co_await timer->async_wait(sim::nothrow);  // cancelled by add(), or expired: both end the wait
}

}  // namespace bgw::control
