// Cost of loading one scenario file into the model (load_scenario_text): the size and nesting
// guards, the TOML parse, decoding every part, lowering each fault through the catalogue and the
// cross-part checks. Paid once per scenario per run, before any proxy starts. The texts are
// copies of scenarios/examples (so the benchmark needs no working directory): one with two
// upstreams, a timeline event, a pool with a backup, retries and health; one with a fault.
#include <benchmark/benchmark.h>

#include <string_view>

#include "harness/scenario/load.hpp"

namespace {

// scenarios/examples/failover_on_crash.toml, comments stripped.
constexpr std::string_view failover = R"toml(
[scenario]
name = "failover-on-crash"
description = "The primary crashes at 1s; the next request is served by the backup."
tags = ["crash", "failover", "backup"]
requires = ["backup", "retries"]
timeout = "10s"

[[upstream]]
name = "primary"
response = { headers = { X-Upstream = "primary" }, body = "from primary" }

[[upstream.event]]
at = "1s"
action = "crash"

[[upstream]]
name = "backup"
response = { headers = { X-Upstream = "backup" }, body = "from backup" }

[proxy]
pool = ["primary", { upstream = "backup", backup = true }]
timeouts = { connect = "500ms", read = "2s" }
retry = { attempts = 1, on = ["connect_error", "reset"] }
health = { max_fails = 1, fail_window = "10s" }

[[step]]
request = { target = "/before" }

[[step.expect]]
severity = "should"
status = 200
headers = { equal = { X-Upstream = "primary" } }

[[step]]
pause = "1500ms"
request = { target = "/after" }

[[step.expect]]
severity = "should"
why = "the backup is up, and a refused connect is safe to retry"
status = 200
body_equals = "from backup"
within = "2s"

[[expect]]
severity = "should"
upstream = "backup"
requests = { min = 1 }
)toml";

// scenarios/examples/truncated_body.toml, comments stripped.
constexpr std::string_view truncated = R"toml(
[scenario]
name = "truncated-body"
description = "The upstream resets after 100 of 1000 body bytes; the client must see a truncated body."
tags = ["reset", "truncation", "body"]
spec = ["RFC 9112 §6.3"]
timeout = "5s"

[[upstream]]
name = "a"

[[upstream.fault]]
fault = "reset_mid_body"
params = { bytes = 100, length = 1000 }

[proxy]
timeouts = { connect = "1s", read = "2s" }

[[step]]
request = { method = "GET", target = "/download" }

[[step.expect]]
severity = "must"
why = "RFC 9112 §6.3: a message that ends before Content-Length octets MUST be treated as incomplete"
body = "truncated"
within = "3s"

[[step.expect]]
severity = "should"
why = "a proxy that already sent 200 can only signal the failure by closing or resetting"
status = [200, 502]
)toml";

void load(benchmark::State& state, std::string_view text) {
  for (auto _ : state) {
    auto result = bgw::scenario::load_scenario_text(text, "bench.toml");
    if (!result.ok()) {
      state.SkipWithError("the benchmark scenario no longer loads: update its text");
      break;
    }
    benchmark::DoNotOptimize(result);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}

void BM_LoadScenarioFailover(benchmark::State& state) {
  load(state, failover);
}
BENCHMARK(BM_LoadScenarioFailover)->Unit(benchmark::kMicrosecond);

void BM_LoadScenarioTruncatedBody(benchmark::State& state) {
  load(state, truncated);
}
BENCHMARK(BM_LoadScenarioTruncatedBody)->Unit(benchmark::kMicrosecond);

}  // namespace
