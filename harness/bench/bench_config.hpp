// The settings of one bench run: the scenario's [bench] table (or its defaults) with the
// command line's overrides applied, plus the metric knobs. Plain data.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "harness/bench/bench_data.hpp"
#include "harness/scenario/scenario.hpp"

namespace bgw::bench {

/// What the command line may override; unset keeps the scenario's value.
struct BenchOverrides {
  std::optional<Nanos> duration;
  std::optional<int> connections;
  std::optional<double> rate;
  std::optional<Nanos> warmup;
  std::optional<Nanos> request_timeout;
  std::optional<unsigned> threads;
};

struct BenchConfig {
  Nanos duration = std::chrono::seconds(5);
  int connections = 16;
  double rate = 0;  ///< 0: closed loop
  Nanos warmup{};
  std::string method = "GET";
  std::string target = "/";
  Nanos request_timeout = std::chrono::seconds(5);
  Nanos bucket = std::chrono::milliseconds(100);
  Nanos margin = std::chrono::milliseconds(500);  ///< around each error window
  unsigned threads = 1;  ///< client threads (load::ThreadedLoad); not a scenario setting
};

/// `scenario.bench` (or the defaults) with `overrides` applied. An overridden duration that
/// no longer covers the warmup drops the warmup.
BenchConfig resolve_config(const scenario::Scenario& scenario, const BenchOverrides& overrides);

/// Timeline events at or after the end of the load, which will never run: "a restart at 8s".
std::vector<std::string> events_after_load(const scenario::Scenario& scenario, Nanos duration);

}  // namespace bgw::bench
