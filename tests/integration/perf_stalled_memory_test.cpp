// What a stalled connection costs the simulator in heap memory. A stalled connection owns no
// input buffer (the session gives it back before a timed wait), so holding 10,000 of them fits
// in well under 200 MB (bench/stalled_connections.sh measures the real process). Here: 200
// loopback connections, each with its request read and stalled, measured with mallinfo2 (the
// bytes malloc has handed out; deterministic, unlike RSS).
#include <malloc.h>

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <memory>
#include <vector>

#include "simulator/fault_catalogue.hpp"
#include "simulator/journal.hpp"
#include "simulator/upstream.hpp"
#include "support/fault_fixture.hpp"
#include "support/run_until.hpp"

namespace {

using namespace std::chrono_literals;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using bgw::sim::EventKind;

TEST(StalledConnections, EachCostsFarLessThanAnInputBuffer) {
  if (mallinfo2().uordblks == 0) GTEST_SKIP() << "malloc statistics unavailable (sanitizer?)";
  net::io_context io;
  bgw::sim::Upstream up(io, bgw::test::spec_for(bgw::test::lower(
                                "stall_before_headers", {{"duration", bgw::sim::Duration{60s}}})));
  const tcp::endpoint at(net::ip::make_address("127.0.0.1"), up.port());
  constexpr std::size_t n = 200;
  std::vector<std::unique_ptr<tcp::socket>> clients;
  clients.reserve(n);

  // One connection first, so lazily created shared state (reactor, timer queue, journal
  // capacity) is not counted per connection.
  auto open = [&] {
    auto s = std::make_unique<tcp::socket>(io);
    s->connect(at);
    net::write(*s, net::buffer(bgw::test::kGet));
    clients.push_back(std::move(s));
  };
  open();
  ASSERT_TRUE(bgw::test::run_until(
      io, [&] { return up.journal().count(EventKind::request_head) == 1; }, 10s,
      "the first request read"));

  const std::size_t before = mallinfo2().uordblks;
  for (std::size_t i = 1; i < n; ++i) open();
  // A session journals the request head and goes straight on into the stall in the same
  // handler, so once every head is journalled every connection is stalled.
  ASSERT_TRUE(bgw::test::run_until(
      io, [&] { return up.journal().count(EventKind::request_head) == n; }, 20s,
      "every request read"));
  const std::size_t after = mallinfo2().uordblks;
  const double per_connection =
      (static_cast<double>(after) - static_cast<double>(before)) / static_cast<double>(n - 1);
  // Measured ~3.5 KiB (coroutine frames, socket state, journal events, and the client socket of
  // this test). An input buffer kept through the stall would add 16 KiB.
  EXPECT_LT(per_connection, 8 * 1024.0) << "heap bytes per stalled connection";
  RecordProperty("heap_bytes_per_stalled_connection", static_cast<int>(per_connection));
  EXPECT_EQ(up.journal().count(EventKind::wrote), 0u) << "nobody was answered yet";

  up.stop();
  ASSERT_TRUE(bgw::test::run_until(
      io, [&] { return up.live_connections() == 0; }, 10s, "every session ended"));
  EXPECT_EQ(up.journal().count(EventKind::internal_error), 0u);
}

}  // namespace
