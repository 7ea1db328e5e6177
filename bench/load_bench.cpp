// The load generator's costs: recording a latency, framing a typical response, and requests/s
// against the simulator's `200 ok` responder, with the upstream on the same thread (both ends'
// CPU per request on one core) and on a second thread (the generator alone on its core).
#include <benchmark/benchmark.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <cmath>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "harness/load/histogram.hpp"
#include "harness/load/load_generator.hpp"
#include "harness/load/response_framer.hpp"
#include "simulator/upstream.hpp"

namespace {

namespace net = boost::asio;
using bgw::load::Histogram;

std::vector<std::uint64_t> sample_latencies() {
  std::mt19937_64 rng(1);
  std::lognormal_distribution<double> d(std::log(500e3), 1.0);  // ~0.5 ms, long tail
  std::vector<std::uint64_t> v(4096);
  for (auto& x : v) x = static_cast<std::uint64_t>(d(rng));
  return v;
}

void BM_HistogramRecord(benchmark::State& state) {
  const std::vector<std::uint64_t> values = sample_latencies();
  Histogram h;
  std::size_t i = 0;
  for (auto _ : state) {
    h.record(values[i++ & 4095]);
  }
  benchmark::DoNotOptimize(h.count());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HistogramRecord);

void BM_HistogramP99(benchmark::State& state) {
  Histogram h;
  for (const auto v : sample_latencies()) h.record(v);
  for (auto _ : state) benchmark::DoNotOptimize(h.percentile(0.99));
}
BENCHMARK(BM_HistogramP99);

void BM_FrameNginxResponse(benchmark::State& state) {
  // What nginx `return 200;` sends (its Date and Server headers included).
  const std::string resp =
      "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Tue, 24 Nov 2026 10:00:00 GMT\r\n"
      "Content-Type: text/plain\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n";
  bgw::load::ResponseFramer f;
  for (auto _ : state) {
    f.start();
    benchmark::DoNotOptimize(f.feed(resp.data(), resp.size()));
    if (f.state() != bgw::load::ResponseFramer::State::complete) state.SkipWithError("not framed");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FrameNginxResponse);

bgw::load::LoadResult run_on(net::io_context& io, bgw::load::LoadOptions o) {
  std::optional<bgw::load::LoadResult> result;
  net::co_spawn(io, bgw::load::run_load(std::move(o)),
                [&](std::exception_ptr e, bgw::load::LoadResult r) {
                  if (e) std::rethrow_exception(e);
                  result = std::move(r);
                });
  while (!result) io.run_one();
  return std::move(*result);
}

bgw::load::LoadOptions closed_loop(std::uint16_t port, int connections, std::uint64_t requests) {
  bgw::load::LoadOptions o;
  o.port = port;
  o.connections = connections;
  o.duration = std::chrono::seconds(60);  // bounded by max_requests
  o.max_requests = requests;
  return o;
}

// Generator and upstream on one io_context and one thread: the CPU of both ends per request.
void BM_LoadClosedLoopSameThread(benchmark::State& state) {
  net::io_context io(1);
  bgw::sim::Upstream up(io, {.name = "bench", .journal = bgw::sim::JournalLevel::counters});
  const int connections = static_cast<int>(state.range(0));
  std::uint64_t completed = 0;
  for (auto _ : state) {
    const auto r = run_on(io, closed_loop(up.port(), connections, 20'000));
    completed += r.completed;
    if (r.completed != 20'000) state.SkipWithError("requests failed");
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(completed));
  up.stop();
}
BENCHMARK(BM_LoadClosedLoopSameThread)->Arg(1)->Arg(8)->Arg(50)->Unit(benchmark::kMillisecond);

// The upstream on a second thread (its own io_context): the generator's thread does only the
// client's work, as against a real proxy.
void BM_LoadClosedLoopUpstreamThread(benchmark::State& state) {
  net::io_context upstream_io(1);
  auto guard = net::make_work_guard(upstream_io);
  bgw::sim::Upstream up(upstream_io,
                        {.name = "bench", .journal = bgw::sim::JournalLevel::counters});
  std::thread server([&] { upstream_io.run(); });
  net::io_context io(1);
  const int connections = static_cast<int>(state.range(0));
  std::uint64_t completed = 0;
  for (auto _ : state) {
    const auto r = run_on(io, closed_loop(up.port(), connections, 50'000));
    completed += r.completed;
    if (r.completed != 50'000) state.SkipWithError("requests failed");
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(completed));
  net::post(upstream_io, [&] { up.stop(); });
  guard.reset();
  server.join();
}
BENCHMARK(BM_LoadClosedLoopUpstreamThread)
    ->Arg(1)
    ->Arg(50)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
