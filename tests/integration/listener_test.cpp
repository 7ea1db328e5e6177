// Listener modes on real loopback sockets: accept, refuse (ECONNREFUSED, port still held),
// blackhole (a connect deadline expires), and switching between them while running.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "harness/client/raw_client.hpp"
#include "simulator/upstream.hpp"

namespace {

using namespace std::chrono_literals;
using bgw::client::Ending;
using bgw::sim::ListenerMode;

bgw::client::RawResult get(boost::asio::io_context& io, std::uint16_t port,
                           std::chrono::milliseconds connect_timeout = 1000ms) {
  bgw::client::RawExchange req;
  req.port = port;
  req.request = "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
  req.connect_timeout = connect_timeout;
  req.deadline = 2s;
  return bgw::client::exchange(io, req);
}

// Binding the same port without SO_REUSEPORT must fail while the upstream holds it.
bool port_is_held(std::uint16_t port) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor probe(io);
  boost::system::error_code ec;
  probe.open(boost::asio::ip::tcp::v4(), ec);
  probe.bind({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
  return ec == boost::asio::error::address_in_use;
}

TEST(Listener, AcceptServesTheDefaultResponse) {
  boost::asio::io_context io;
  bgw::sim::Upstream up(io, {.name = "a"});
  ASSERT_NE(up.port(), 0);
  const auto r = get(io, up.port());
  EXPECT_EQ(r.ending, Ending::eof);
  // The request said Connection: close, so the response says so too (RFC 9112 §9.6).
  EXPECT_EQ(r.received, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");
  EXPECT_EQ(up.journal().requests(), 1u);
}

TEST(Listener, RefuseGivesEconnrefusedAndKeepsThePort) {
  boost::asio::io_context io;
  bgw::sim::Upstream up(io, {.name = "a", .mode = ListenerMode::refuse});
  const auto r = get(io, up.port());
  EXPECT_FALSE(r.connected);
  EXPECT_EQ(r.ending, Ending::refused);
  EXPECT_TRUE(port_is_held(up.port()));
  EXPECT_EQ(up.journal().connections(), 0u);
}

TEST(Listener, BlackholeMakesAConnectDeadlineExpire) {
  boost::asio::io_context io;
  bgw::sim::Upstream up(io, {.name = "a", .mode = ListenerMode::blackhole});
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = get(io, up.port(), 300ms);
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  EXPECT_FALSE(r.connected);
  EXPECT_EQ(r.ending, Ending::connect_timeout);
  EXPECT_GE(elapsed, 300ms);
  EXPECT_LT(elapsed, 300ms + 200ms);
  EXPECT_EQ(up.journal().connections(), 0u);
}

TEST(Listener, ModesSwitchWhileRunningOnTheSamePort) {
  boost::asio::io_context io;
  bgw::sim::Upstream up(io, {.name = "a"});
  const auto port = up.port();
  EXPECT_EQ(get(io, port).ending, Ending::eof);
  up.set_mode(ListenerMode::refuse);
  EXPECT_EQ(up.port(), port);
  EXPECT_EQ(get(io, port).ending, Ending::refused);
  up.set_mode(ListenerMode::blackhole);
  EXPECT_EQ(get(io, port, 300ms).ending, Ending::connect_timeout);
  up.set_mode(ListenerMode::accept);
  EXPECT_EQ(get(io, port).ending, Ending::eof);
  EXPECT_EQ(up.port(), port);
}

TEST(Listener, NonLoopbackAddressIsASetupError) {
  boost::asio::io_context io;
  EXPECT_THROW(bgw::sim::Upstream(io, {.name = "a", .address = "0.0.0.0"}), bgw::sim::SetupError);
}

}  // namespace
