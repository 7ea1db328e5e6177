#include "http_exchange.hpp"

#include <array>
#include <cstdio>
#include <exception>
#include <optional>
#include <utility>

#include "response_reader.hpp"
#include "simulator/net.hpp"

namespace bgw::client {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using sim::nothrow;

// ---- request bytes ---------------------------------------------------------------------------

std::string host_header(std::string_view host, std::uint16_t port) {
  const bool v6 = host.find(':') != std::string_view::npos;
  return (v6 ? "[" + std::string(host) + "]" : std::string(host)) + ":" + std::to_string(port);
}

std::string serialize(const HttpRequest& request, std::string_view host) {
  bool has_host = false;
  bool has_framing = false;
  bool has_connection = false;
  for (const auto& [name, value] : request.headers) {
    has_host = has_host || iequals(name, "Host");
    has_framing =
        has_framing || iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding");
    has_connection = has_connection || iequals(name, "Connection");
  }
  std::string out = request.method + " " + request.target + " " + request.version + "\r\n";
  if (!has_host) out += "Host: " + std::string(host) + "\r\n";
  for (const auto& [name, value] : request.headers) out += name + ": " + value + "\r\n";
  if (!request.body.empty() && !has_framing)
    out += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
  if (!request.keep_alive && !has_connection) out += "Connection: close\r\n";
  out += "\r\n";
  out += request.body;
  return out;
}

// ---- describe --------------------------------------------------------------------------------

namespace {

std::string ms(Duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", std::chrono::duration<double, std::milli>(d).count());
  return buf;
}

// A configured duration as a user would write it: "5s", "200ms", "1.5s".
std::string span(Duration d) {
  using namespace std::chrono;
  if (d >= 1s && d % 1s == 0ns) return std::to_string(duration_cast<seconds>(d).count()) + "s";
  if (d < 1s && d % 1ms == 0ns)
    return std::to_string(duration_cast<milliseconds>(d).count()) + "ms";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%gs", duration<double>(d).count());
  return buf;
}

std::string ending_phrase(const Observation& o) {
  const std::string at = ms(o.timings.end);
  if (!o.ending) return "kept open after " + at;
  switch (*o.ending) {
    case Ending::eof:
      return "EOF after " + at;
    case Ending::reset:
      return "connection reset after " + at;
    case Ending::open:
      return "still open at the " + span(o.deadline) + " deadline";
    case Ending::error:
      return "error after " + at + ": " + o.error;
    case Ending::refused:
    case Ending::connect_timeout:
      break;
  }
  return to_string(*o.ending);
}

std::string body_phrase(const Observation& o) {
  const std::string size = std::to_string(o.payload().size()) + " B";
  const bool chunked = o.framing == Framing::chunked;
  switch (o.body_state) {
    case BodyState::absent:
      return "no body";
    case BodyState::complete:
      return size + (chunked ? " chunked" : "") + " body complete";
    case BodyState::unframed_complete:
      return size + " body until close";
    case BodyState::truncated:
      break;
  }
  switch (o.framing) {
    case Framing::content_length:
      return std::to_string(o.body.size()) + " of " + std::to_string(o.content_length.value_or(0)) +
             " B body, truncated";
    case Framing::chunked:
      if (o.chunked.malformed) return size + " chunked body, malformed: " + o.chunked.error;
      return size + " chunked body, truncated (" +
             (o.chunked.final_chunk ? "trailer section cut" : "no final chunk") + ")";
    case Framing::until_close:
    case Framing::none:
      break;
  }
  return size + " body until close, cut short";
}

std::string interim_phrase(const Observation& o) {
  std::string out;
  for (const InterimResponse& i : o.interim) {
    if (!out.empty()) out += ", ";
    out += std::to_string(i.status);
  }
  return out;
}

}  // namespace

std::string describe(const Observation& o) {
  if (!o.connected) {
    switch (o.ending.value_or(Ending::error)) {
      case Ending::refused:
        return "connection refused";
      case Ending::connect_timeout:
        return "connect timeout after " + span(o.connect_timeout);
      default:
        return "connect failed: " + (o.error.empty() ? std::string("unknown error") : o.error);
    }
  }
  std::string out;
  if (o.status) {
    out = std::to_string(*o.status);
    if (!o.reason.empty()) out += " " + escape_bytes(o.reason, 60);
    if (!o.interim.empty()) out += " (after " + interim_phrase(o) + ")";
    out += ", ";
    if (!o.head_complete)
      out += "incomplete head (" + std::to_string(o.received.size()) + " B)";
    else
      out += body_phrase(o);
    out += ", " + ending_phrase(o);
    if (!o.extra.empty()) out += ", " + std::to_string(o.extra.size()) + " B after the response";
    if (!o.header_problems.empty()) {
      out += ", header problems:";
      for (const HeaderProblem& p : o.header_problems) out += std::string(" ") + to_string(p.kind);
    }
  } else if (o.http09) {
    out = "no status line: " + std::to_string(o.body.size()) + " raw bytes (\"" +
          escape_bytes(o.status_line, 40) + "\"";
    if (o.status_line.starts_with("HTTP/")) out += ": " + o.status_error;
    out += "), " + ending_phrase(o);
  } else if (o.received.empty()) {
    if (o.ending == Ending::open)
      out = "no response within " + span(o.deadline);
    else if (o.ending == Ending::eof)
      out = "EOF with no byte after " + ms(o.timings.end);
    else if (o.ending == Ending::reset)
      out = "connection reset with no byte after " + ms(o.timings.end);
    else
      out = ending_phrase(o);
  } else if (!o.status_line.empty()) {
    out = "incomplete status line: " + std::to_string(o.received.size()) + " B (\"" +
          escape_bytes(o.status_line, 40) + "\"), " + ending_phrase(o);
  } else {
    out = "only interim " + interim_phrase(o) + ", " + ending_phrase(o);
  }
  // A failed send explains what followed (unless the ending already quotes the error).
  if (!o.request_sent && !o.error.empty() && o.ending != Ending::error) out += " (" + o.error + ")";
  return out;
}

// ---- connection ------------------------------------------------------------------------------

namespace detail {

struct ConnectionState {
  explicit ConnectionState(net::io_context& context)
      : io(context), socket(context), watchdog(context) {}
  net::io_context& io;
  tcp::socket socket;
  net::steady_timer watchdog;
  std::uint64_t generation = 0;  ///< of the watchdog's current arming
  bool timed_out = false;        ///< the current arming fired

  bool connected = false;
  bool closed = false;          ///< close() was called
  std::optional<Ending> ended;  ///< the connect failed, or an exchange saw the connection end
  std::size_t ended_in = 0;     ///< the exchange that saw it end
  std::string error;            ///< the connect failure
  Duration connect_time{};
  Duration connect_timeout{};
  std::string host;  ///< the Host value
  std::string pending;
  std::size_t exchanges = 0;
};

}  // namespace detail

namespace {

using detail::ConnectionState;
using StatePtr = std::shared_ptr<ConnectionState>;

// The watchdog cancels the socket's pending operation when `at` passes; the operation then
// completes with operation_aborted and `timed_out` says why. A generation guards against a
// completion from an earlier arming that was already queued. Not a beast::tcp_stream expiry:
// that closes the socket, and an exchange that times out leaves the connection open for the
// next one (Ending::open, or a close_wait that passed with the connection kept).
void arm(const StatePtr& s, Clock::time_point at) {
  const std::uint64_t gen = ++s->generation;
  s->timed_out = false;
  s->watchdog.expires_at(at);
  s->watchdog.async_wait(
      [weak = std::weak_ptr<ConnectionState>(s), gen](const sim::error_code& ec) {
        if (ec) return;
        const auto st = weak.lock();
        if (!st || st->generation != gen) return;
        st->timed_out = true;
        sim::error_code ignored;
        st->socket.cancel(ignored);
      });
}

void disarm(const StatePtr& s) {
  ++s->generation;
  s->watchdog.cancel();
}

// Run `op` on `io` until it completes or `backstop` passes; false on the backstop. An exception
// escaping the coroutine is a bug in this file: it is rethrown here.
bool drive(net::io_context& io, net::awaitable<void> op, Clock::time_point backstop) {
  auto done = std::make_shared<bool>(false);
  auto failure = std::make_shared<std::exception_ptr>();
  net::co_spawn(io, std::move(op), [done, failure](std::exception_ptr e) {
    *failure = e;
    *done = true;
  });
  auto guard = net::make_work_guard(io);
  if (io.stopped()) io.restart();
  while (!*done && Clock::now() < backstop) io.run_one_until(backstop);
  if (*failure) std::rethrow_exception(*failure);
  return *done;
}

constexpr Duration kBackstop = std::chrono::seconds(5);

net::awaitable<void> do_connect(StatePtr s, net::ip::address addr, std::uint16_t port,
                                Duration timeout) {
  sim::error_code ec;
  s->socket.open(addr.is_v6() ? tcp::v6() : tcp::v4(), ec);
  if (ec) {
    s->ended = Ending::error;
    s->error = "socket: " + ec.message();
    co_return;
  }
  const auto t0 = Clock::now();
  arm(s, t0 + timeout);
  auto [cec] = co_await s->socket.async_connect(tcp::endpoint(addr, port), nothrow);
  const bool fired = s->timed_out;
  disarm(s);
  s->connect_time = Clock::now() - t0;
  if (cec) {
    if (fired)
      s->ended = Ending::connect_timeout;
    else if (cec == net::error::connection_refused)
      s->ended = Ending::refused;
    else {
      s->ended = Ending::error;
      s->error = cec.message();
    }
    s->socket.close(ec);
    co_return;
  }
  s->connected = true;
  s->socket.set_option(tcp::no_delay(true), ec);
}

struct ExchangeArgs {
  std::string bytes;
  bool head_request = false;
  bool keep_alive = false;
  Duration deadline{};
  Duration close_wait{};
};

net::awaitable<void> do_exchange(StatePtr s, ExchangeArgs a, std::shared_ptr<Observation> out) {
  Observation& o = *out;
  ResponseReader reader(ResponseReader::Options{.head_request = a.head_request});

  // The send has the response deadline too: a proxy that reads nothing must not hang us.
  arm(s, Clock::now() + a.deadline);
  // Write what the socket buffer takes right now, synchronously (the socket is non-blocking, so
  // this returns at once): the clock then starts when the bytes are with the kernel, not when
  // this coroutine gets to run again after a completion that other handlers on the io_context
  // (the upstreams) can delay. A proxy's timeout starts no earlier than that moment, so
  // `not_before` is judged against a start that is never late.
  boost::system::error_code wec;
  s->socket.non_blocking(true, wec);
  std::size_t written = wec ? 0 : s->socket.write_some(net::buffer(a.bytes), wec);
  if (wec == net::error::would_block || wec == net::error::try_again) wec.clear();
  if (!wec && written < a.bytes.size()) {
    auto [rest_ec, rest] = co_await net::async_write(
        s->socket, net::buffer(a.bytes.data() + written, a.bytes.size() - written), nothrow);
    wec = rest_ec;
    written += rest;
  }
  const bool send_timed_out = s->timed_out;
  disarm(s);
  if (!wec)
    o.request_sent = true;
  else if (send_timed_out)
    o.error = "send: not complete within " + span(a.deadline) + " (" + std::to_string(written) +
              " of " + std::to_string(a.bytes.size()) + " B)";
  else
    o.error = "send: " + wec.message();  // keep reading: the reply may explain it
  // A reset reported by the send is consumed by it: the reads that follow only see EOF.
  const bool reset_on_send = wec == net::error::connection_reset;
  const auto t0 = Clock::now();

  auto progress = [&](Clock::time_point now) {
    if (!o.timings.head_complete && reader.head_complete()) o.timings.head_complete = now - t0;
    if (!o.timings.response_complete && reader.complete()) o.timings.response_complete = now - t0;
  };
  // Bytes that came after the previous response are this exchange's first bytes.
  if (!s->pending.empty()) {
    o.received = std::exchange(s->pending, {});
    o.carried_over = o.received.size();
    o.timings.first_byte = Duration::zero();
    reader.feed(o.received);
    progress(t0);
  }

  auto read_deadline = t0 + a.deadline;
  bool waiting_for_close = false;
  std::array<char, 16384> buf;
  for (;;) {
    if (reader.complete() && !waiting_for_close) {
      const bool closing = !a.keep_alive || reader.response().connection_close;
      if (!closing || a.close_wait <= Duration::zero()) {
        o.timings.end = Clock::now() - t0;
        break;  // kept open: ending stays nullopt
      }
      waiting_for_close = true;
      read_deadline = Clock::now() + a.close_wait;
    }
    if (Clock::now() >= read_deadline) {
      o.timings.end = Clock::now() - t0;
      if (!waiting_for_close) o.ending = Ending::open;
      break;
    }
    arm(s, read_deadline);
    auto [rec, n] = co_await s->socket.async_read_some(net::buffer(buf), nothrow);
    const bool fired = s->timed_out;
    disarm(s);
    const auto now = Clock::now();
    if (n > 0) {
      if (!o.timings.first_byte) o.timings.first_byte = now - t0;
      o.received.append(buf.data(), n);
      o.arrivals.push_back({now - t0, n});
      reader.feed(std::string_view(buf.data(), n));
      progress(now);
    }
    if (!rec) continue;
    o.timings.end = now - t0;
    if (fired && rec == net::error::operation_aborted) {
      if (!waiting_for_close) o.ending = Ending::open;
    } else if (rec == net::error::eof) {
      o.ending = Ending::eof;
    } else if (rec == net::error::connection_reset) {
      o.ending = Ending::reset;
    } else {
      o.ending = Ending::error;
      o.error += (o.error.empty() ? "" : "; ") + rec.message();
    }
    break;
  }

  if (o.ending == Ending::eof && reset_on_send) o.ending = Ending::reset;
  if (o.ending) reader.finish(*o.ending);
  if (!o.ending) s->pending = reader.response().extra;
  static_cast<ParsedResponse&>(o) = std::move(reader).take();
  if (o.ending && *o.ending != Ending::open) {
    s->ended = o.ending;
    s->ended_in = o.sequence;
    sim::error_code ec;
    s->socket.close(ec);
  }
}

}  // namespace

ClientConnection::ClientConnection(StatePtr state) : s_(std::move(state)) {}
ClientConnection::ClientConnection(ClientConnection&&) noexcept = default;
ClientConnection& ClientConnection::operator=(ClientConnection&& other) noexcept {
  if (this != &other) {
    close();
    s_ = std::move(other.s_);
  }
  return *this;
}
ClientConnection::~ClientConnection() {
  close();
}

ClientConnection ClientConnection::connect(net::io_context& io, const std::string& host,
                                           std::uint16_t port, Duration connect_timeout) {
  auto s = std::make_shared<ConnectionState>(io);
  s->connect_timeout = connect_timeout;
  s->host = host_header(host, port);
  sim::error_code ec;
  const auto addr = net::ip::make_address(host, ec);
  if (ec) {
    s->ended = Ending::error;
    s->error = "invalid address '" + host + "'";
    return ClientConnection(std::move(s));
  }
  if (!drive(io, do_connect(s, addr, port, connect_timeout),
             Clock::now() + connect_timeout + kBackstop)) {
    s->socket.close(ec);
    s->ended = Ending::error;
    s->error = "internal: connect did not complete";
  }
  return ClientConnection(std::move(s));
}

bool ClientConnection::connected() const {
  return s_ && s_->connected;
}

bool ClientConnection::usable() const {
  return s_ && s_->connected && !s_->ended && !s_->closed;
}

std::size_t ClientConnection::exchanges() const {
  return s_ ? s_->exchanges : 0;
}

const std::string& ClientConnection::pending() const {
  static const std::string none;
  return s_ ? s_->pending : none;
}

void ClientConnection::close() {
  if (!s_ || s_->closed) return;
  s_->closed = true;
  sim::error_code ec;
  s_->socket.close(ec);
}

namespace {

// Everything an exchange needs before its coroutine starts; or the finished Observation when
// the connection cannot carry one (never connected, already ended, closed).
struct PreparedExchange {
  std::shared_ptr<Observation> out = std::make_shared<Observation>();
  std::optional<ExchangeArgs> args;  ///< unset: *out is already the answer
};

PreparedExchange prepare(const StatePtr& sp, const HttpRequest& request, Duration deadline,
                         Duration close_wait) {
  PreparedExchange p;
  Observation& o = *p.out;
  o.deadline = deadline;
  if (!sp) {
    o.ending = Ending::error;
    o.error = "no connection (moved from)";
    return p;
  }
  ConnectionState& s = *sp;
  o.sequence = ++s.exchanges;
  o.connected = s.connected;
  o.connect_timeout = s.connect_timeout;
  if (o.sequence == 1) o.timings.connect = s.connect_time;
  if (!s.connected) {
    o.ending = s.ended.value_or(Ending::error);
    o.error = s.error;
    return p;
  }
  if (s.closed || s.ended) {
    o.ending = Ending::error;
    o.error = s.closed ? std::string("the connection was closed by the client")
                       : std::string("the connection already ended (") + to_string(*s.ended) +
                             ") in exchange " + std::to_string(s.ended_in);
    return p;
  }
  p.args = ExchangeArgs{.bytes = serialize(request, s.host),
                        .head_request = iequals(request.method, "HEAD"),
                        .keep_alive = request.keep_alive,
                        .deadline = deadline,
                        .close_wait = close_wait};
  return p;
}

// A bug, not a network outcome: the coroutine ignored its own deadlines.
Observation stuck(ConnectionState& s, const Observation& o) {
  sim::error_code ec;
  s.socket.close(ec);
  s.ended = Ending::error;
  s.ended_in = o.sequence;
  Observation out;
  out.connected = true;
  out.sequence = o.sequence;
  out.deadline = o.deadline;
  out.ending = Ending::error;
  out.error = "internal: exchange did not complete";
  return out;
}

}  // namespace

Observation ClientConnection::exchange(const HttpRequest& request, Duration deadline,
                                       Duration close_wait) {
  PreparedExchange p = prepare(s_, request, deadline, close_wait);
  if (!p.args) return *p.out;
  const auto backstop = Clock::now() + 2 * deadline + close_wait + kBackstop;
  if (!drive(s_->io, do_exchange(s_, std::move(*p.args), p.out), backstop))
    return stuck(*s_, *p.out);
  return *p.out;
}

std::vector<Observation> ClientConnection::exchange_concurrently(
    std::vector<ClientConnection>& connections, const std::vector<HttpRequest>& requests,
    Duration deadline, Duration close_wait) {
  std::vector<PreparedExchange> prepared;
  const std::size_t n = std::min(connections.size(), requests.size());
  for (std::size_t i = 0; i < n; ++i)
    prepared.push_back(prepare(connections[i].s_, requests[i], deadline, close_wait));
  // All exchanges are in flight at once on the one io_context; each keeps its own deadline.
  auto remaining = std::make_shared<std::size_t>(0);
  auto failure = std::make_shared<std::exception_ptr>();
  net::io_context* io = nullptr;
  for (std::size_t i = 0; i < n; ++i) {
    if (!prepared[i].args) continue;
    io = &connections[i].s_->io;
    ++*remaining;
    net::co_spawn(*io,
                  do_exchange(connections[i].s_, std::move(*prepared[i].args), prepared[i].out),
                  [remaining, failure](std::exception_ptr e) {
                    if (e) *failure = e;
                    --*remaining;
                  });
  }
  if (io != nullptr) {
    auto guard = net::make_work_guard(*io);
    if (io->stopped()) io->restart();
    const auto backstop = Clock::now() + 2 * deadline + close_wait + kBackstop;
    while (*remaining > 0 && Clock::now() < backstop) io->run_one_until(backstop);
    if (*failure) std::rethrow_exception(*failure);
  }
  std::vector<Observation> out;
  for (std::size_t i = 0; i < n; ++i) {
    if (prepared[i].args && *remaining > 0 && !prepared[i].out->ending.has_value() &&
        !prepared[i].out->response_complete)
      out.push_back(stuck(*connections[i].s_, *prepared[i].out));
    else
      out.push_back(*prepared[i].out);
  }
  return out;
}

Observation exchange_once(net::io_context& io, const std::string& host, std::uint16_t port,
                          const HttpRequest& request, const Timeouts& timeouts) {
  ClientConnection conn = ClientConnection::connect(io, host, port, timeouts.connect);
  Observation o = conn.exchange(request, timeouts.response, timeouts.close_wait);
  conn.close();
  return o;
}

}  // namespace bgw::client
