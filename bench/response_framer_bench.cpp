// The load generator's response framer, hand-written (harness/load/ResponseFramer) against the
// same interface on Beast's parser (bench/beast_response_framer.hpp), on identical bytes. Run
// paired (both framers interleaved at random in one process), e.g.:
//   bgw_bench --benchmark_filter=Framer --benchmark_repetitions=10
//             --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <string>

#include "beast_response_framer.hpp"
#include "harness/load/response_framer.hpp"

namespace {

// What nginx `return 200;` sends (its Date and Server headers included).
const std::string kNginxEmpty =
    "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Tue, 24 Nov 2026 10:00:00 GMT\r\n"
    "Content-Type: text/plain\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n";

std::string with_length(std::size_t n) {
  return "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Tue, 24 Nov 2026 10:00:00 GMT\r\n"
         "Content-Type: application/octet-stream\r\nContent-Length: " +
         std::to_string(n) + "\r\nConnection: keep-alive\r\n\r\n" + std::string(n, 'x');
}

std::string chunked_64k() {
  std::string s = "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 16; ++i) s += "1000\r\n" + std::string(4096, 'x') + "\r\n";
  return s + "0\r\n\r\n";
}

// One response framed per iteration, fed in pieces of `piece` bytes the way the generator feeds
// socket reads (an unconsumed tail is offered again with the next piece).
template <class Framer>
void frame(benchmark::State& state, const std::string& resp, std::size_t piece) {
  Framer f;
  for (auto _ : state) {
    f.start();
    std::size_t begin = 0;
    std::size_t end = 0;
    while (f.state() == Framer::State::need_more && end < resp.size()) {
      end = std::min(resp.size(), end + piece);
      begin += f.feed(resp.data() + begin, end - begin);
    }
    if (f.state() != Framer::State::complete) state.SkipWithError("not framed");
    benchmark::DoNotOptimize(f.status());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * resp.size()));
}

using Hand = bgw::load::ResponseFramer;
using Beast = bgw::bench::BeastResponseFramer;

template <class F>
void BM_FramerNginxEmpty(benchmark::State& s) {
  frame<F>(s, kNginxEmpty, 1 << 20);
}
template <class F>
void BM_FramerLength4KiB(benchmark::State& s) {
  static const std::string r = with_length(4096);
  frame<F>(s, r, 1 << 20);
}
template <class F>
void BM_FramerChunked64KiB(benchmark::State& s) {
  static const std::string r = chunked_64k();
  frame<F>(s, r, 16 * 1024);  // the generator's read size
}
template <class F>
void BM_FramerNginxEmptyIn7BytePieces(benchmark::State& s) {
  frame<F>(s, kNginxEmpty, 7);  // a dripping peer: Beast re-scans the head on every piece
}

BENCHMARK_TEMPLATE(BM_FramerNginxEmpty, Hand);
BENCHMARK_TEMPLATE(BM_FramerNginxEmpty, Beast);
BENCHMARK_TEMPLATE(BM_FramerLength4KiB, Hand);
BENCHMARK_TEMPLATE(BM_FramerLength4KiB, Beast);
BENCHMARK_TEMPLATE(BM_FramerChunked64KiB, Hand);
BENCHMARK_TEMPLATE(BM_FramerChunked64KiB, Beast);
BENCHMARK_TEMPLATE(BM_FramerNginxEmptyIn7BytePieces, Hand);
BENCHMARK_TEMPLATE(BM_FramerNginxEmptyIn7BytePieces, Beast);

}  // namespace
