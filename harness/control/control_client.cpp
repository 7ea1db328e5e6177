#include "control_client.hpp"

#include <boost/asio/detached.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <stdexcept>

#include "simulator/net.hpp"

namespace bgw::control {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using sim::tcp;

http::request<http::string_body> make_request(const ControlEndpoint& endpoint,
                                              const ClientRequest& request) {
  http::request<http::string_body> req{http::string_to_verb(request.method), request.target, 11};
  if (req.method() == http::verb::unknown) req.method_string(request.method);
  req.set(http::field::host, endpoint.address + ":" + std::to_string(endpoint.port));
  req.set(http::field::user_agent, "badgateway-ctl");
  if (!request.token.empty()) req.set(http::field::authorization, "Bearer " + request.token);
  if (!request.body.empty()) req.set(http::field::content_type, "application/json");
  req.body() = request.body;
  req.keep_alive(false);
  req.prepare_payload();
  return req;
}

// Connects and sends the request within the stream's deadline; false (with `failure` set)
// when either fails.
sim::net::awaitable<bool> connect_and_send(beast::tcp_stream& stream,
                                           const ControlEndpoint& endpoint,
                                           const ClientRequest& request, std::string& failure) {
  const tcp::endpoint to(sim::net::ip::make_address(endpoint.address), endpoint.port);
  auto [cec] = co_await stream.async_connect(to, sim::nothrow);
  if (cec) {
    failure = "connect: " + cec.message();
    co_return false;
  }
  auto req = make_request(endpoint, request);
  auto [wec, wn] = co_await http::async_write(stream, req, sim::nothrow);
  if (wec) failure = "send: " + wec.message();
  co_return !wec;
}

sim::net::awaitable<void> exchange(const ControlEndpoint& endpoint, const ClientRequest& request,
                                   ClientReply& reply, std::string& failure) {
  beast::tcp_stream stream(co_await sim::net::this_coro::executor);
  stream.expires_after(request.timeout);
  if (!co_await connect_and_send(stream, endpoint, request, failure)) co_return;
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  auto [rec, rn] = co_await http::async_read(stream, buffer, parser, sim::nothrow);
  if (rec) {
    failure = "read the reply: " + rec.message();
    co_return;
  }
  const auto& res = parser.get();
  reply.status = static_cast<int>(res.result_int());
  reply.allow = std::string(res[http::field::allow]);
  reply.body = res.body();
}

sim::net::awaitable<void> events(const ControlEndpoint& endpoint, const ClientRequest& request,
                                 const std::function<bool(const std::string&)>& on_event,
                                 int& status, std::string& error_body, std::string& failure) {
  beast::tcp_stream stream(co_await sim::net::this_coro::executor);
  stream.expires_after(request.timeout);
  if (!co_await connect_and_send(stream, endpoint, request, failure)) co_return;
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  auto [hec, hn] = co_await http::async_read_header(stream, buffer, parser, sim::nothrow);
  if (hec) {
    failure = "read the reply: " + hec.message();
    co_return;
  }
  status = static_cast<int>(parser.get().result_int());
  if (status != 200) {
    auto [bec, bn] = co_await http::async_read(stream, buffer, parser, sim::nothrow);
    if (!bec) error_body = parser.get().body();
    co_return;
  }
  // The body runs until the server closes: split it into events at blank lines as it comes.
  std::string pending(static_cast<const char*>(buffer.data().data()), buffer.size());
  char chunk[4096];
  while (true) {
    for (auto end = pending.find("\n\n"); end != std::string::npos; end = pending.find("\n\n")) {
      std::string event = pending.substr(0, end);
      pending.erase(0, end + 2);
      if (event.starts_with(':')) continue;  // a keepalive comment
      if (!on_event(event)) co_return;
    }
    auto [rec, n] = co_await stream.async_read_some(sim::net::buffer(chunk), sim::nothrow);
    if (rec) co_return;  // closed, or the deadline: the stream is over either way
    pending.append(chunk, n);
  }
}

// Runs one client coroutine to its end on a private io_context; the failure it reported (a
// refused connect, a deadline) becomes an exception naming the endpoint.
void run_client(const ControlEndpoint& endpoint, sim::net::awaitable<void> op,
                const std::string& failure) {
  sim::net::io_context io(1);
  std::exception_ptr crashed;
  sim::net::co_spawn(io, std::move(op), [&](std::exception_ptr e) { crashed = e; });
  io.run();
  if (crashed) std::rethrow_exception(crashed);
  if (!failure.empty())
    throw std::runtime_error("control API at " + endpoint.address + ":" +
                             std::to_string(endpoint.port) + ": " + failure);
}

}  // namespace

int stream_events(const ControlEndpoint& endpoint, const ClientRequest& request,
                  const std::function<bool(const std::string&)>& on_event,
                  std::string& error_body) {
  int status = 0;
  std::string failure;
  run_client(endpoint, events(endpoint, request, on_event, status, error_body, failure), failure);
  return status;
}

ClientReply call(const ControlEndpoint& endpoint, const ClientRequest& request) {
  ClientReply reply;
  std::string failure;
  run_client(endpoint, exchange(endpoint, request, reply, failure), failure);
  return reply;
}

}  // namespace bgw::control
