#include "waits.hpp"

#include <string>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace bgw::testing {
namespace {

// The journal's last events, for a timeout's message: what did happen instead.
std::string journal_tail(const sim::Upstream& upstream, std::size_t max = 8) {
  const auto events = upstream.journal().snapshot();
  std::string out =
      "; upstream '" + upstream.name() + "' journal (last " + std::to_string(max) + "):";
  const std::size_t from = events.size() > max ? events.size() - max : 0;
  for (std::size_t i = from; i < events.size(); ++i) {
    out += std::string("\n  ") + sim::to_string(events[i].kind);
    if (!events[i].detail.empty()) out += " " + events[i].detail.substr(0, 80);
  }
  if (events.empty()) out += " empty";
  return out;
}

::testing::AssertionResult with_journal(::testing::AssertionResult r,
                                        const sim::Upstream& upstream) {
  if (!r) r << journal_tail(upstream);
  return r;
}

}  // namespace

::testing::AssertionResult wait_until(boost::asio::io_context& io,
                                      const std::function<bool()>& done,
                                      std::chrono::milliseconds timeout, const char* what) {
  auto guard = boost::asio::make_work_guard(io);
  if (io.stopped()) io.restart();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline)
      return ::testing::AssertionFailure()
             << "timed out after " << timeout.count() << " ms waiting for " << what;
    io.run_one_until(deadline);
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult wait_for_requests(boost::asio::io_context& io,
                                             const sim::Upstream& upstream, std::size_t count,
                                             std::chrono::milliseconds timeout) {
  const std::string what =
      std::to_string(count) + " request(s) at upstream '" + upstream.name() + "'";
  return with_journal(
      wait_until(
          io, [&] { return upstream.journal().count(sim::EventKind::request_head) >= count; },
          timeout, what.c_str()),
      upstream);
}

::testing::AssertionResult wait_for_connection_closed(boost::asio::io_context& io,
                                                      const sim::Upstream& upstream,
                                                      std::size_t count,
                                                      std::chrono::milliseconds timeout) {
  const std::string what =
      std::to_string(count) + " closed connection(s) at upstream '" + upstream.name() + "'";
  const auto ended = [&] {
    return upstream.journal().count_if([](const sim::Event& e) {
      return e.kind == sim::EventKind::closed || e.kind == sim::EventKind::peer_closed ||
             e.kind == sim::EventKind::peer_reset;
    });
  };
  return with_journal(wait_until(
                          io, [&] { return ended() >= count; }, timeout, what.c_str()),
                      upstream);
}

bool is_fault(const sim::Event& e) {
  switch (e.kind) {
    case sim::EventKind::step:
    case sim::EventKind::crashed:
      return true;
    case sim::EventKind::closed:
      return e.detail == "rst" || e.detail == "half_close" || e.detail == "crash";
    default:
      return false;
  }
}

::testing::AssertionResult wait_for_fault(boost::asio::io_context& io,
                                          const sim::Upstream& upstream,
                                          std::chrono::milliseconds timeout) {
  const std::string what = "a fault to fire at upstream '" + upstream.name() + "'";
  return with_journal(
      wait_until(
          io, [&] { return upstream.journal().count_if(is_fault) > 0; }, timeout, what.c_str()),
      upstream);
}

}  // namespace bgw::testing
