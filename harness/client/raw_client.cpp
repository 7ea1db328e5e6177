#include "raw_client.hpp"

#include <array>
#include <cstdio>
#include <memory>
#include <optional>

#include "simulator/net.hpp"

namespace bgw::client {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using sim::nothrow;

const char* to_string(Ending e) {
  switch (e) {
    case Ending::eof:
      return "EOF";
    case Ending::reset:
      return "ECONNRESET";
    case Ending::open:
      return "open at deadline";
    case Ending::refused:
      return "ECONNREFUSED";
    case Ending::connect_timeout:
      return "connect timeout";
    case Ending::error:
      return "error";
  }
  return "?";
}

std::string escape_bytes(std::string_view bytes, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < bytes.size() && i < max; ++i) {
    const unsigned char c = static_cast<unsigned char>(bytes[i]);
    switch (c) {
      case '\r':
        out += "\\r";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\0':
        out += "\\0";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        if (c < 0x20 || c >= 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  if (bytes.size() > max) out += "...(" + std::to_string(bytes.size()) + " bytes)";
  return out;
}

namespace {

net::awaitable<void> run(RawExchange req, std::shared_ptr<RawResult> result) {
  RawResult& out = *result;
  auto ex = co_await net::this_coro::executor;
  // The watchdog cancels the pending operation when its deadline passes; the operation then
  // completes with operation_aborted and we know why. Its handler may already be queued when we
  // disarm it, so it holds the socket through a shared pointer (never a dangling frame) and
  // acts only if its generation is still the armed one. Not a beast::tcp_stream expiry: that
  // reports beast::error::timeout once its timer fired, even for a read that completed with EOF
  // or RST in the same instant; here the peer's action wins (see the read loop).
  struct Watched {
    explicit Watched(const net::any_io_executor& e) : socket(e) {}
    tcp::socket socket;
    bool timed_out = false;
    unsigned generation = 0;
  };
  auto w = std::make_shared<Watched>(ex);
  tcp::socket& socket = w->socket;
  net::steady_timer watchdog(ex);
  auto arm = [&](Duration d) {
    const unsigned generation = ++w->generation;
    w->timed_out = false;
    watchdog.expires_after(d);
    watchdog.async_wait([w, generation](const sim::error_code& e) {
      if (e || w->generation != generation) return;
      w->timed_out = true;
      sim::error_code ignored;
      w->socket.cancel(ignored);
    });
  };
  auto disarm = [&] {
    ++w->generation;
    watchdog.cancel();
  };
  const bool& timed_out = w->timed_out;

  sim::error_code ec;
  const auto addr = net::ip::make_address(req.host, ec);
  if (ec) {
    out.ending = Ending::error;
    out.error = "invalid address '" + req.host + "'";
    co_return;
  }
  const auto t_connect = Clock::now();
  socket.open(addr.is_v6() ? tcp::v6() : tcp::v4(), ec);
  arm(req.connect_timeout);
  auto [cec] = co_await socket.async_connect(tcp::endpoint(addr, req.port), nothrow);
  disarm();
  out.connect_time = Clock::now() - t_connect;
  if (cec) {
    if (timed_out)
      out.ending = Ending::connect_timeout;
    else if (cec == net::error::connection_refused)
      out.ending = Ending::refused;
    else {
      out.ending = Ending::error;
      out.error = cec.message();
    }
    co_return;
  }
  out.connected = true;
  socket.set_option(tcp::no_delay(true), ec);

  bool send_reset = false;
  if (!req.request.empty()) {
    // What the socket buffer takes now is written synchronously (non-blocking): the clock below
    // then starts when the bytes are with the kernel, not when this coroutine next runs, which
    // other handlers on the io_context can delay. A proxy's timeout never starts earlier.
    boost::system::error_code wec;
    socket.non_blocking(true, wec);
    std::size_t n = wec ? 0 : socket.write_some(net::buffer(req.request), wec);
    if (wec == net::error::would_block || wec == net::error::try_again) wec.clear();
    if (!wec && n < req.request.size()) {
      auto [rest_ec, rest] = co_await net::async_write(
          socket, net::buffer(req.request.data() + n, req.request.size() - n), nothrow);
      wec = rest_ec;
      n += rest;
    }
    if (wec) out.error = "send: " + wec.message();  // keep reading: the reply may explain it
    // A send that met the peer's RST consumes the socket's error: later reads see EOF. The
    // connection was reset all the same.
    send_reset = wec == net::error::connection_reset || wec == net::error::broken_pipe;
  }
  if (req.shutdown_after_send) socket.shutdown(tcp::socket::shutdown_send, ec);
  const auto t0 = Clock::now();

  arm(req.deadline);
  std::array<char, 16384> buf;
  for (;;) {
    // The deadline may have passed while no read was pending (nothing to cancel then).
    if (timed_out) {
      out.total = Clock::now() - t0;
      out.ending = Ending::open;
      break;
    }
    auto [rec, n] = co_await socket.async_read_some(net::buffer(buf), nothrow);
    const auto now = Clock::now();
    if (n > 0) {
      if (out.received.empty()) out.first_byte = now - t0;
      out.received.append(buf.data(), n);
      out.arrivals.push_back({now - t0, n});
      if (req.on_data) req.on_data(out.received);
    }
    if (rec) {
      out.total = now - t0;
      // What the peer did wins over a deadline that expired in the same instant.
      if (rec == net::error::eof)
        out.ending = Ending::eof;
      else if (rec == net::error::connection_reset)
        out.ending = Ending::reset;
      else if (timed_out)
        out.ending = Ending::open;
      else {
        out.ending = Ending::error;
        out.error = rec.message();
      }
      break;
    }
  }
  disarm();
  if (send_reset && out.ending == Ending::eof) out.ending = Ending::reset;
  socket.close(ec);
}

}  // namespace

RawResult exchange(net::io_context& io, const RawExchange& request) {
  // Shared with the coroutine, which may outlive this call if the backstop fires.
  auto result = std::make_shared<RawResult>();
  auto done = std::make_shared<bool>(false);
  auto failure = std::make_shared<std::exception_ptr>();
  net::co_spawn(io, run(request, result), [done, failure](std::exception_ptr e) {
    *failure = e;
    *done = true;
  });
  auto guard = net::make_work_guard(io);
  if (io.stopped()) io.restart();
  // Bounded: the exchange's own timeouts end it; this is a backstop against a bug.
  const auto backstop =
      Clock::now() + request.connect_timeout + request.deadline + std::chrono::seconds(5);
  while (!*done && Clock::now() < backstop) io.run_one_until(backstop);
  if (*failure) std::rethrow_exception(*failure);
  if (!*done) {
    RawResult stuck;
    stuck.ending = Ending::error;
    stuck.error = "internal: exchange did not complete";
    return stuck;
  }
  return *result;
}

}  // namespace bgw::client
