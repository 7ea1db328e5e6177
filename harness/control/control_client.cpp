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

sim::net::awaitable<void> exchange(const ControlEndpoint& endpoint, const ClientRequest& request,
                                   ClientReply& reply, std::string& failure) {
  auto executor = co_await sim::net::this_coro::executor;
  beast::tcp_stream stream(executor);
  stream.expires_after(request.timeout);
  const tcp::endpoint to(sim::net::ip::make_address(endpoint.address), endpoint.port);
  auto [cec] = co_await stream.async_connect(to, sim::nothrow);
  if (cec) {
    failure = "connect: " + cec.message();
    co_return;
  }
  http::request<http::string_body> req{http::string_to_verb(request.method), request.target, 11};
  if (req.method() == http::verb::unknown) req.method_string(request.method);
  req.set(http::field::host, endpoint.address + ":" + std::to_string(endpoint.port));
  req.set(http::field::user_agent, "badgateway-ctl");
  if (!request.token.empty()) req.set(http::field::authorization, "Bearer " + request.token);
  if (!request.body.empty()) req.set(http::field::content_type, "application/json");
  req.body() = request.body;
  req.keep_alive(false);
  req.prepare_payload();
  auto [wec, wn] = co_await http::async_write(stream, req, sim::nothrow);
  if (wec) {
    failure = "send: " + wec.message();
    co_return;
  }
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

}  // namespace

ClientReply call(const ControlEndpoint& endpoint, const ClientRequest& request) {
  sim::net::io_context io(1);
  ClientReply reply;
  std::string failure;
  std::exception_ptr crashed;
  sim::net::co_spawn(io, exchange(endpoint, request, reply, failure),
                     [&](std::exception_ptr e) { crashed = e; });
  io.run();
  if (crashed) std::rethrow_exception(crashed);
  if (!failure.empty())
    throw std::runtime_error("control API at " + endpoint.address + ":" +
                             std::to_string(endpoint.port) + ": " + failure);
  return reply;
}

}  // namespace bgw::control
