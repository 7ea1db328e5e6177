// The per-request parsing cost on the simulator's hot path: find the head, read its framing.
#include <benchmark/benchmark.h>

#include <string>

#include "simulator/request_framer.hpp"

static void BM_FrameProxiedGet(benchmark::State& state) {
  // What nginx sends upstream for a plain GET (proxy_http_version 1.1).
  const std::string request =
      "GET /index.html HTTP/1.1\r\nHost: backend\r\nConnection: close\r\n"
      "User-Agent: wrk\r\nAccept: */*\r\nX-Forwarded-For: 127.0.0.1\r\n\r\n";
  for (auto _ : state) {
    const std::size_t end = bgw::sim::find_head_end(request);
    auto head = bgw::sim::parse_request_head(std::string_view(request).substr(0, end));
    benchmark::DoNotOptimize(head);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * request.size()));
}
BENCHMARK(BM_FrameProxiedGet);

static void BM_ChunkedBody64KiB(benchmark::State& state) {
  std::string body;
  for (int i = 0; i < 16; ++i) body += "1000\r\n" + std::string(4096, 'x') + "\r\n";
  body += "0\r\n\r\n";
  for (auto _ : state) {
    bgw::sim::ChunkedBodyReader reader;
    benchmark::DoNotOptimize(reader.feed(body));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_ChunkedBody64KiB);
