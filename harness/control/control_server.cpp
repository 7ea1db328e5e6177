#include "control_server.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include "simulator/json_text.hpp"

#include <boost/asio/write.hpp>

#include <list>

#include "simulator/upstream.hpp"

namespace bgw::control {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using sim::nothrow;
using sim::tcp;
using sim::net::awaitable;

// A client that sends nothing for this long is dropped; long polls are bounded separately.
constexpr auto idle_timeout = std::chrono::seconds(30);
// How often an idle event stream sends a comment line.
constexpr auto keepalive_interval = std::chrono::seconds(15);

http::response<http::string_body> json_response(int status, const json::value& body,
                                                unsigned version, bool keep_alive) {
  http::response<http::string_body> res{static_cast<http::status>(status), version};
  res.set(http::field::server, "badgateway");
  res.set(http::field::content_type, "application/json");
  res.body() = sim::json_text(body) + "\n";
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

json::object error_body(std::string message) {
  return json::object{{"error", std::move(message)}};
}

// Constant time in the token's length: the comparison says nothing through its timing.
bool same_secret(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

struct ControlServer::Impl : std::enable_shared_from_this<Impl> {
  Impl(sim::net::io_context& io_context, ControlApi& a, EventFeed& j, ServerOptions o)
      : io(io_context), api(a), feed(j), options(std::move(o)), acceptor(io_context) {}

  sim::net::io_context& io;
  ControlApi& api;
  EventFeed& feed;
  ServerOptions options;
  tcp::acceptor acceptor;
  std::uint16_t port = 0;
  bool stopped = false;
  std::list<std::weak_ptr<beast::tcp_stream>> streams;

  void bind() {
    sim::error_code ec;
    const auto address = sim::net::ip::make_address(options.address, ec);
    if (ec) throw sim::SetupError("control API: '" + options.address + "' is not an IP address");
    const tcp::endpoint endpoint(address, options.port);
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(sim::net::socket_base::max_listen_connections, ec);
    if (ec)
      throw sim::SetupError("control API: bind " + options.address + ":" +
                            std::to_string(options.port) + ": " + ec.message());
    port = acceptor.local_endpoint().port();
  }

  awaitable<void> accept_loop() {
    auto self = shared_from_this();
    while (!stopped) {
      auto [ec, socket] = co_await acceptor.async_accept(nothrow);
      if (ec) {
        if (stopped || ec == sim::net::error::operation_aborted) co_return;
        continue;  // EMFILE and the like: the next accept may succeed
      }
      // Nothing in a session should throw; if something does, the journal says so and serve
      // goes on serving the other connections.
      sim::net::co_spawn(io, session(std::move(socket)), [self](std::exception_ptr e) {
        if (!e) return;
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          self->feed.add_change("internal_error", "", {{"error", ex.what()}});
        } catch (...) {
          self->feed.add_change("internal_error", "", {{"error", "unknown exception"}});
        }
      });
    }
  }

  // Why a request is refused before it reaches the API, or empty.
  std::optional<std::pair<int, std::string>> refusal(
      const http::request<http::string_body>& req) const {
    if (!options.token.empty()) {
      const auto auth = req[http::field::authorization];
      if (!same_secret(auth, "Bearer " + options.token))
        return std::pair{401, std::string("this control API needs Authorization: Bearer <token>")};
    }
    // A web page the tester's browser happens to show must not reach a loopback API that can
    // crash upstreams: browsers send Origin on cross-site requests; our clients never do.
    if (req.count(http::field::origin) != 0)
      return std::pair{403, std::string("requests from web pages (with an Origin header) are "
                                        "refused")};
    return std::nullopt;
  }

  awaitable<void> session(tcp::socket socket) {
    auto self = shared_from_this();
    auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
    streams.push_back(stream);
    const auto mine = std::prev(streams.end());
    beast::flat_buffer buffer;
    while (!stopped) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(options.body_limit);
      stream->expires_after(idle_timeout);
      auto [ec, n] = co_await http::async_read(*stream, buffer, parser, nothrow);
      if (ec == http::error::body_limit) {
        auto res = json_response(
            413,
            error_body("the body is larger than " + std::to_string(options.body_limit) + " bytes"),
            11, false);
        co_await http::async_write(*stream, res, nothrow);
        break;
      }
      if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
          ec == sim::net::error::operation_aborted || ec == sim::net::error::connection_reset ||
          stopped)
        break;
      if (ec) {
        auto res =
            json_response(400, error_body("malformed HTTP request: " + ec.message()), 11, false);
        co_await http::async_write(*stream, res, nothrow);
        break;
      }
      const auto& req = parser.get();
      const bool keep_alive = req.keep_alive();
      http::response<http::string_body> res;
      if (auto refused = refusal(req)) {
        res = json_response(refused->first, error_body(refused->second), req.version(), keep_alive);
        if (refused->first == 401) res.set(http::field::www_authenticate, "Bearer");
      } else {
        ApiReply reply = api.handle(
            ApiRequest{req.method_string(), req.target(), req.body(), req["Last-Event-ID"]});
        if (reply.event_stream) {
          co_await stream_events(*stream, reply.event_stream->since, req.version());
          break;  // the stream ends with the connection
        }
        if (reply.long_poll) {
          stream->expires_never();
          const auto deadline = std::chrono::steady_clock::now() + reply.long_poll->wait;
          while (!stopped && feed.last_seq() <= reply.long_poll->since &&
                 std::chrono::steady_clock::now() < deadline)
            co_await feed.wait_for_entry(deadline);
          if (stopped) break;
          reply.body = api.journal_reply(reply.long_poll->since, reply.long_poll->limit);
        }
        res = json_response(reply.status, reply.body, req.version(), keep_alive);
        if (!reply.allow.empty()) res.set(http::field::allow, reply.allow);
      }
      stream->expires_after(idle_timeout);
      auto [wec, wn] = co_await http::async_write(*stream, res, nothrow);
      if (wec || !keep_alive) break;
    }
    sim::error_code ignored;
    stream->socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream->close();
    streams.erase(mine);
  }

  // GET /events: the head, then each feed entry after `since` as an SSE event whose id is its
  // seq (a client that reconnects with Last-Event-ID resumes after it), and a comment line
  // every keepalive_interval so proxies and clients see the stream is alive. Entries the feed
  // dropped before they were sent are announced as one `missed` event.
  awaitable<void> stream_events(beast::tcp_stream& stream, std::uint64_t since, unsigned version) {
    http::response<http::empty_body> head{http::status::ok, version};
    head.set(http::field::server, "badgateway");
    head.set(http::field::content_type, "text/event-stream");
    head.set(http::field::cache_control, "no-store");
    head.keep_alive(false);  // the body runs until the connection closes
    http::response_serializer<http::empty_body> serializer{head};
    stream.expires_never();
    auto [hec, hn] = co_await http::async_write_header(stream, serializer, nothrow);
    if (hec) co_return;
    std::uint64_t sent = since;
    while (!stopped) {
      std::string chunk;
      if (sent + 1 < feed.first_seq()) {
        const auto missed = feed.first_seq() - sent - 1;
        chunk += "event: missed\ndata: {\"missed\":" + std::to_string(missed) + "}\n\n";
        sent = feed.first_seq() - 1;
      }
      for (const auto& entry : feed.since(sent, max_journal_limit)) {
        const auto& o = entry.as_object();
        sent = o.at("seq").to_number<std::uint64_t>();
        chunk += "id: " + std::to_string(sent) +
                 "\nevent: " + std::string(o.at("event").as_string()) +
                 "\ndata: " + sim::json_text(o) + "\n\n";
      }
      if (chunk.empty()) chunk = ": keepalive\n\n";
      stream.expires_after(idle_timeout);  // a reader that stops reading is dropped
      auto [wec, wn] = co_await sim::net::async_write(stream, sim::net::buffer(chunk), nothrow);
      if (wec) co_return;
      stream.expires_never();
      if (feed.last_seq() <= sent)
        co_await feed.wait_for_entry(std::chrono::steady_clock::now() + keepalive_interval);
    }
  }

  void stop() {
    if (stopped) return;
    stopped = true;
    sim::error_code ec;
    acceptor.close(ec);
    for (auto& w : streams)
      if (auto s = w.lock()) s->cancel(), s->close();
    // Long polls and event streams wake on an entry: the stop is one for them.
    feed.wake_all();
  }
};

ControlServer::ControlServer(sim::net::io_context& io, ControlApi& api, EventFeed& feed,
                             ServerOptions options)
    : impl_(std::make_shared<Impl>(io, api, feed, std::move(options))) {
  impl_->bind();
}

ControlServer::~ControlServer() {
  stop();
}

const std::string& ControlServer::address() const {
  return impl_->options.address;
}

std::uint16_t ControlServer::port() const {
  return impl_->port;
}

void ControlServer::start() {
  sim::net::co_spawn(impl_->io, impl_->accept_loop(), [impl = impl_](std::exception_ptr e) {
    if (e)
      impl->feed.add_change("internal_error", "", {{"error", "the control API stopped accepting"}});
  });
}

void ControlServer::stop() {
  if (impl_) impl_->stop();
}

}  // namespace bgw::control
