// What a bench pays per request to fold it (harness/bench/failover_fold.hpp) instead of keeping
// it: one request and the upstream's read of it, with a crash and a restart on the timeline and
// one failure in 50, folded as the runner does (advance every 1,000 requests, i.e. about every
// 10 ms at 100k requests/s). The figure is per request, read and fold together.
#include <benchmark/benchmark.h>

#include "harness/bench/failover_fold.hpp"

namespace {

using namespace std::chrono_literals;
using bgw::bench::Delivery;
using bgw::bench::FailoverFold;
using bgw::bench::Nanos;
using bgw::bench::TimelineMark;

TimelineMark mark(const char* action, Nanos at) {
  TimelineMark m;
  m.upstream = "a";
  m.action = action;
  m.scheduled = at;
  m.disruptive = bgw::bench::is_disruptive(action);
  return m;
}

void FoldRequest(benchmark::State& state) {
  FailoverFold fold(FailoverFold::Setup{.upstreams = {"a", "b"},
                                        .marks = {mark("crash", 1s), mark("restart", 2s)},
                                        .placed = false,
                                        .options = {}});
  std::uint64_t id = 0;
  Nanos now{};
  bool crashed = false, restarted = false;
  for (auto _ : state) {
    ++id;
    now += 10us;  // 100k requests/s
    if (!crashed && now >= 1s) crashed = (fold.ran("a", "crash", now), true);
    if (!restarted && now >= 2s) restarted = (fold.ran("a", "restart", now), true);
    fold.add_delivery(Delivery{.upstream = id % 2, .id = id, .at = now});
    bgw::load::RequestRecord r;
    r.id = id;
    r.intended = now;
    r.latency = 300us;
    r.status = id % 50 == 0 ? 502 : 200;
    fold.add_record(r);
    if (id % 1000 == 0) fold.advance(now);
  }
  benchmark::DoNotOptimize(fold.finish(FailoverFold::LoadTotals{.sent = id, .elapsed = now}));
  state.SetItemsProcessed(static_cast<std::int64_t>(id));
}
BENCHMARK(FoldRequest)->Iterations(2'000'000);

}  // namespace
