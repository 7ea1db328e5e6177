// Shared pieces of the fault integration tests: lowering catalogue faults into upstream specs,
// one-call raw exchanges, a keep-alive connection that sends and reads in steps, and a fixture
// that owns the io_context and its upstreams and checks their journals after every test (no
// internal_error, every accepted connection ended).
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "harness/client/raw_client.hpp"
#include "simulator/fault_catalogue.hpp"
#include "simulator/journal.hpp"
#include "simulator/upstream.hpp"
#include "support/run_until.hpp"

namespace bgw::test {

using namespace std::chrono_literals;
using Ms = std::chrono::duration<double, std::milli>;

/// The request every wire test sends: keep-alive, so faults that keep the connection show it.
inline const std::string kGet = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";
/// The same with Connection: close: the upstream closes (FIN) after its response.
inline const std::string kGetClose = "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
/// The default upstream response (Response{}) on the wire: a 38-byte head and "hello".
inline const std::string kOkHead = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
inline const std::string kOk = kOkHead + "hello";
/// The default response to a request that asked to close: it says so (RFC 9112 §9.6).
inline const std::string kOkClose =
    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello";

inline double ms(std::chrono::nanoseconds d) {
  return Ms(d).count();
}

/// Lower a catalogue fault; a FaultError is a test bug, so it throws (gtest reports it).
inline sim::LoweredFault lower(std::string_view name, const sim::FaultParams& params = {},
                               sim::Match match = {}, const sim::Response& base = {}) {
  auto r = sim::lower_fault(name, params, base, match);
  if (auto* e = std::get_if<sim::FaultError>(&r)) {
    throw std::invalid_argument("lower_fault(" + std::string(name) + "): " + e->param + ": " +
                                e->message);
  }
  return std::get<sim::LoweredFault>(std::move(r));
}

/// A spec that installs `fault`: its listener mode, or its rule.
inline sim::UpstreamSpec spec_for(const sim::LoweredFault& fault, std::string name = "up") {
  sim::UpstreamSpec spec;
  spec.name = std::move(name);
  if (fault.mode)
    spec.mode = *fault.mode;
  else
    spec.rules.push_back(fault.rule);
  return spec;
}

/// One raw exchange with `port` on 127.0.0.1.
inline client::RawResult exchange(boost::asio::io_context& io, std::uint16_t port,
                                  std::string request, std::chrono::nanoseconds deadline = 2s,
                                  std::chrono::nanoseconds connect_timeout = 1s) {
  client::RawExchange req;
  req.port = port;
  req.request = std::move(request);
  req.deadline = deadline;
  req.connect_timeout = connect_timeout;
  return client::exchange(io, req);
}

/// Printable summary of a raw result for failure messages.
inline std::string describe(const client::RawResult& r) {
  std::string out = std::string("ending=") + client::to_string(r.ending) +
                    (r.error.empty() ? "" : " (" + r.error + ")") +
                    " bytes=" + std::to_string(r.received.size()) +
                    " first_byte=" + std::to_string(ms(r.first_byte)) +
                    "ms total=" + std::to_string(ms(r.total)) + "ms arrivals=[";
  for (const auto& a : r.arrivals) {
    out += std::to_string(ms(a.at)) + "ms:" + std::to_string(a.bytes) + " ";
  }
  return out + "] received=\"" + client::escape_bytes(r.received, 300) + "\"";
}

/// When the byte at `offset` of `received` arrived; negative when it never did.
inline std::chrono::nanoseconds arrival_of(const client::RawResult& r, std::size_t offset) {
  std::size_t seen = 0;
  for (const auto& a : r.arrivals) {
    seen += a.bytes;
    if (offset < seen) return a.at;
  }
  return -1ns;
}

/// Spread of the arrivals: last minus first.
inline std::chrono::nanoseconds arrival_spread(const client::RawResult& r) {
  if (r.arrivals.empty()) return 0ns;
  return r.arrivals.back().at - r.arrivals.front().at;
}

/// Upper timing bound from the brief: requested + max(20 ms, 10 %).
inline std::chrono::nanoseconds upper_bound(std::chrono::nanoseconds requested) {
  return requested + std::max<std::chrono::nanoseconds>(20ms, requested / 10);
}

/// The journal has no internal_error event.
inline testing::AssertionResult no_internal_errors(const sim::Journal& journal) {
  std::string found;
  for (const sim::Event& e : journal.snapshot()) {
    if (e.kind == sim::EventKind::internal_error) found += "\n  " + e.detail;
  }
  if (found.empty()) return testing::AssertionSuccess();
  return testing::AssertionFailure()
         << "upstream '" << journal.upstream() << "' journalled internal_error:" << found;
}

/// Events of one kind, in order.
inline std::vector<sim::Event> events_of(const sim::Journal& journal, sim::EventKind kind) {
  std::vector<sim::Event> out;
  for (const sim::Event& e : journal.snapshot()) {
    if (e.kind == kind) out.push_back(e);
  }
  return out;
}

/// The detail of the `closed` event of connection `conn`; empty when it has none yet.
inline std::string closed_detail(const sim::Journal& journal, std::uint64_t conn) {
  for (const sim::Event& e : journal.snapshot()) {
    if (e.kind == sim::EventKind::closed && e.connection == conn) return e.detail;
  }
  return {};
}

/// A client connection driven step by step on the test's io_context: connect, send, wait for
/// bytes, send again (keep-alive), abort. Reads continuously once connected.
class TestConnection {
 public:
  TestConnection(boost::asio::io_context& io, std::uint16_t port)
      : io_(io), s_(std::make_shared<State>(io)) {
    auto s = s_;
    const boost::asio::ip::tcp::endpoint ep(boost::asio::ip::make_address("127.0.0.1"), port);
    s->socket.async_connect(ep, [s](const boost::system::error_code& ec) {
      s->connect_ec = ec;
      s->connected = !ec;
      s->connect_done = true;
      if (!ec) {
        boost::system::error_code ignored;
        s->socket.set_option(boost::asio::ip::tcp::no_delay(true), ignored);
        read_loop(s);
      }
    });
  }
  ~TestConnection() { close(); }
  TestConnection(const TestConnection&) = delete;
  TestConnection& operator=(const TestConnection&) = delete;

  testing::AssertionResult wait_connected(std::chrono::nanoseconds timeout = 2s) {
    auto r = run_until(
        io_, [&] { return s_->connect_done; }, timeout, "connect");
    if (!r) return r;
    if (!s_->connected)
      return testing::AssertionFailure() << "connect: " << s_->connect_ec.message();
    return testing::AssertionSuccess();
  }

  testing::AssertionResult send(std::string bytes, std::chrono::nanoseconds timeout = 2s) {
    if (auto r = wait_connected(timeout); !r) return r;
    auto data = std::make_shared<std::string>(std::move(bytes));
    auto done = std::make_shared<bool>(false);
    auto err = std::make_shared<boost::system::error_code>();
    boost::asio::async_write(s_->socket, boost::asio::buffer(*data),
                             [data, done, err](const boost::system::error_code& ec, std::size_t) {
                               *err = ec;
                               *done = true;
                             });
    auto r = run_until(
        io_, [&] { return *done; }, timeout, "send");
    if (!r) return r;
    if (*err) return testing::AssertionFailure() << "send: " << err->message();
    return testing::AssertionSuccess();
  }

  /// Until `received()` holds at least `n` bytes (or the connection ended).
  testing::AssertionResult wait_bytes(std::size_t n, std::chrono::nanoseconds timeout = 2s) {
    auto r = run_until(
        io_, [&] { return s_->received.size() >= n || s_->ended; }, timeout, "response bytes");
    if (!r) return r << " (have " << s_->received.size() << " of " << n << ")";
    if (s_->received.size() < n)
      return testing::AssertionFailure()
             << "connection ended (" << s_->end_ec.message() << ") after " << s_->received.size()
             << " of " << n << " bytes: \"" << client::escape_bytes(s_->received) << "\"";
    return testing::AssertionSuccess();
  }

  /// Until the upstream ends the connection (EOF or reset).
  testing::AssertionResult wait_ended(std::chrono::nanoseconds timeout = 2s) {
    return run_until(
        io_, [&] { return s_->ended; }, timeout, "the connection to end");
  }

  const std::string& received() const { return s_->received; }
  /// Drop what was received so far (the next response starts at 0).
  std::string take() { return std::exchange(s_->received, {}); }
  bool ended() const { return s_->ended; }
  bool eof() const { return s_->ended && s_->end_ec == boost::asio::error::eof; }
  bool reset() const { return s_->ended && s_->end_ec == boost::asio::error::connection_reset; }
  boost::system::error_code end_error() const { return s_->end_ec; }

  /// Close with SO_LINGER {on, 0}: the upstream sees RST.
  void abort() {
    boost::system::error_code ec;
    s_->socket.set_option(boost::asio::socket_base::linger(true, 0), ec);
    s_->socket.close(ec);
  }
  void close() {
    boost::system::error_code ec;
    s_->socket.close(ec);
  }

 private:
  struct State {
    explicit State(boost::asio::io_context& io) : socket(io) {}
    boost::asio::ip::tcp::socket socket;
    bool connect_done = false;
    bool connected = false;
    boost::system::error_code connect_ec;
    std::string received;
    std::array<char, 16384> buf{};
    bool ended = false;
    boost::system::error_code end_ec;
  };

  static void read_loop(const std::shared_ptr<State>& s) {
    s->socket.async_read_some(boost::asio::buffer(s->buf),
                              [s](const boost::system::error_code& ec, std::size_t n) {
                                s->received.append(s->buf.data(), n);
                                if (ec) {
                                  s->ended = true;
                                  s->end_ec = ec;
                                  return;
                                }
                                read_loop(s);
                              });
  }

  boost::asio::io_context& io_;
  std::shared_ptr<State> s_;
};

/// Owns the io_context and the upstreams of one test. After the test body: drive the context
/// until every session has ended (the clients are gone by then), and check every journal: no
/// internal_error, and one `closed` event per `accepted` one.
class UpstreamTest : public testing::Test {
 protected:
  sim::Upstream& make(sim::UpstreamSpec spec) {
    upstreams_.push_back(std::make_unique<sim::Upstream>(io_, std::move(spec)));
    return *upstreams_.back();
  }
  sim::Upstream& make(const sim::LoweredFault& fault, std::string name = "up") {
    return make(spec_for(fault, std::move(name)));
  }

  /// Drive the context until every session of every upstream has ended.
  testing::AssertionResult drain(std::chrono::nanoseconds timeout = 3s) {
    return run_until(
        io_,
        [&] {
          return std::all_of(upstreams_.begin(), upstreams_.end(),
                             [](const auto& u) { return u->live_connections() == 0; });
        },
        timeout, "every upstream session to end");
  }

  void TearDown() override {
    EXPECT_TRUE(drain());
    for (const auto& u : upstreams_) {
      EXPECT_TRUE(no_internal_errors(u->journal()));
      if (u->journal().level() != sim::JournalLevel::counters) {
        EXPECT_EQ(u->journal().count(sim::EventKind::accepted),
                  u->journal().count(sim::EventKind::closed))
            << "upstream '" << u->name() << "': every accepted connection has a closed event\n"
            << u->journal().to_json_lines();
      }
    }
  }

  boost::asio::io_context io_;
  std::vector<std::unique_ptr<sim::Upstream>> upstreams_;
};

}  // namespace bgw::test
