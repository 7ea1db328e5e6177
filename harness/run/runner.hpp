// Running one scenario against one proxy: start the scenario's upstreams, render the proxy's
// config from its adapter, start the proxy and wait until it is ready, run the timeline and the
// client steps, judge what came back, stop everything, and keep the evidence when it matters.
// Setup failures become verdict `error`; a proxy that misbehaves becomes `fail`; nothing throws.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "harness/proxy/adapter.hpp"
#include "harness/run/result.hpp"
#include "harness/scenario/scenario.hpp"

namespace bgw::run {

/// An already-running proxy (`--proxy-url http://127.0.0.1:8080`, parsed by
/// client::parse_loopback_url): the harness starts only the upstreams, whose ports the scenario
/// must pin.
struct ProxyUrl {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
};

struct RunOptions {
  std::filesystem::path runs_root;  ///< where run directories go (relative: to the current
                                    ///< directory); empty: $TMPDIR/badgateway/runs
  bool keep_artifacts = false;      ///< keep run directories of passing scenarios too
  double timeout_scale = 1.0;       ///< multiplies client deadlines and readiness timeouts
  bool strict = false;              ///< SHOULD failures count like MUST failures
  std::optional<ProxyUrl> proxy_url;
  std::chrono::milliseconds default_deadline{5000};  ///< response deadline without a `within`
  /// proxy::LaunchOptions::on_port_picked, for tests that force the port race.
  std::function<void(const std::string& host, std::uint16_t port)> on_proxy_port;
};

/// The default runs root: $TMPDIR/badgateway/runs (or /tmp/badgateway/runs).
std::filesystem::path default_runs_root();

/// Run `scenario` against `adapter` (null with a proxy URL). `version` is the proxy's version,
/// read once per run by the caller. Safe to call from several threads at once.
ScenarioResult run_scenario(const scenario::Scenario& scenario, const proxy::Adapter* adapter,
                            const std::string& version, const RunOptions& options);

}  // namespace bgw::run
