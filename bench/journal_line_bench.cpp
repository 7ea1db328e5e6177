// The cost of one journal line, which a serve streaming its journal pays for every event (about
// four per request): Boost.JSON (sim::Journal::to_json, what ships) against the hand-written
// writer it replaced (reproduced here as the reference), on a request-head event with its bytes.
#include <benchmark/benchmark.h>

#include <string>

#include "simulator/journal.hpp"
#include "simulator/units.hpp"

namespace {

bgw::sim::Event head_event() {
  bgw::sim::Event e{};
  e.at = bgw::sim::Clock::now();
  e.kind = bgw::sim::EventKind::request_head;
  e.connection = 1234;
  e.request = 56789;
  e.bytes = 120;
  e.detail =
      "GET /index.html HTTP/1.1\r\nHost: backend\r\nConnection: close\r\nUser-Agent: wrk\r\n"
      "Accept: */*\r\nX-Forwarded-For: 127.0.0.1\r\n\r\n";
  return e;
}

// The writer before Boost.JSON (git 7ae9303, simulator/journal.cpp), for comparison only.
std::string hand_written(const bgw::sim::Event& e, std::string_view upstream,
                         bgw::sim::Clock::time_point origin) {
  using bgw::sim::format_ms;
  using bgw::sim::json_escape;
  std::string out = "{\"t_ms\":" + format_ms(e.at - origin) + ",\"upstream\":\"" +
                    json_escape(upstream) + "\",\"event\":\"" + to_string(e.kind) + "\"";
  if (e.connection) out += ",\"conn\":" + std::to_string(e.connection);
  if (e.request) out += ",\"request\":" + std::to_string(e.request);
  if (e.bytes) out += ",\"bytes\":" + std::to_string(e.bytes);
  if (!e.detail.empty()) out += ",\"detail\":\"" + json_escape(e.detail) + "\"";
  out += "}";
  return out;
}

}  // namespace

static void BM_JournalLineBoostJson(benchmark::State& state) {
  const auto e = head_event();
  const auto origin = e.at - std::chrono::milliseconds(1234);
  for (auto _ : state) benchmark::DoNotOptimize(bgw::sim::Journal::to_json(e, "a", origin));
}
BENCHMARK(BM_JournalLineBoostJson);

static void BM_JournalLineHandWritten(benchmark::State& state) {
  const auto e = head_event();
  const auto origin = e.at - std::chrono::milliseconds(1234);
  for (auto _ : state) benchmark::DoNotOptimize(hand_written(e, "a", origin));
}
BENCHMARK(BM_JournalLineHandWritten);
