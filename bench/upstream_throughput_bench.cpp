// Requests per second of the simulator's default responder over loopback, with a keep-alive
// client on the same io_context (one thread: this measures both ends' CPU per request).
#include <benchmark/benchmark.h>

#include <array>

#include "simulator/net.hpp"
#include "simulator/upstream.hpp"

namespace {

namespace net = bgw::sim::net;
using bgw::sim::tcp;

net::awaitable<void> client(std::uint16_t port, std::int64_t requests, std::int64_t& done) {
  auto ex = co_await net::this_coro::executor;
  tcp::socket s(ex);
  co_await s.async_connect({net::ip::make_address("127.0.0.1"), port}, net::use_awaitable);
  s.set_option(tcp::no_delay(true));
  static const std::string req = "GET / HTTP/1.1\r\nHost: b\r\n\r\n";
  std::array<char, 4096> buf;
  for (std::int64_t i = 0; i < requests; ++i) {
    co_await net::async_write(s, net::buffer(req), net::use_awaitable);
    // The default response is 43 bytes; read until all of it arrived.
    std::size_t got = 0;
    while (got < 43) got += co_await s.async_read_some(net::buffer(buf), net::use_awaitable);
    ++done;
  }
}

void BM_DefaultResponderKeepAlive(benchmark::State& state) {
  net::io_context io(1);
  bgw::sim::Upstream up(io, {.name = "bench", .journal = bgw::sim::JournalLevel::counters});
  const std::int64_t connections = state.range(0);
  for (auto _ : state) {
    std::int64_t done = 0;
    for (std::int64_t c = 0; c < connections; ++c)
      net::co_spawn(io, client(up.port(), 1000, done), [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);  // surfaces from run_one(): a failed client stops the run
      });
    while (done < connections * 1000) io.run_one();
  }
  state.SetItemsProcessed(state.iterations() * connections * 1000);
  up.stop();
}
BENCHMARK(BM_DefaultResponderKeepAlive)->Arg(1)->Arg(8)->Unit(benchmark::kMillisecond);

}  // namespace
