// Cost of lowering a named fault into a script: paid once per rule, never per request.
#include <benchmark/benchmark.h>

#include "simulator/fault_catalogue.hpp"

static void BM_LowerResetMidBody(benchmark::State& state) {
  const bgw::sim::Response base;
  for (auto _ : state) {
    auto f = bgw::sim::lower_fault("reset_mid_body", {{"chunked", true}}, base);
    benchmark::DoNotOptimize(f);
  }
}
BENCHMARK(BM_LowerResetMidBody);

static void BM_LowerWholeCatalogue(benchmark::State& state) {
  const bgw::sim::Response base;
  for (auto _ : state) {
    for (const auto& info : bgw::sim::fault_catalogue()) {
      auto f = bgw::sim::lower_fault(info.name, {}, base);
      benchmark::DoNotOptimize(f);
    }
  }
}
BENCHMARK(BM_LowerWholeCatalogue)->Unit(benchmark::kMicrosecond);
