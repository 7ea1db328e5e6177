// Starting a proxy under test from its adapter: pick a loopback port, render the config into the
// run directory, spawn the proxy in its own process group and wait until it is ready, retrying
// once when the port was taken in the meantime. Shared by `badgateway run` (one scenario, a few
// requests) and `badgateway bench` (one scenario under load); neither needs to know the steps.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "harness/proxy/adapter.hpp"
#include "harness/proxy/child_process.hpp"
#include "harness/scenario/scenario.hpp"

namespace bgw::proxy {

struct LaunchOptions {
  std::filesystem::path run_dir;  ///< exists; the config and the proxy's logs go here
  std::map<std::string, std::uint16_t> upstream_ports;  ///< upstream name -> bound port
  double timeout_scale = 1.0;                           ///< multiplies the readiness timeout
  /// Called with the group leader's pid as soon as it is spawned, before the readiness wait
  /// (the runner registers it for Ctrl-C there), and once it is stopped again.
  std::function<void(pid_t)> on_spawn;
  std::function<void(pid_t)> on_stop;
};

/// A proxy that answered its readiness probe.
struct LaunchedProxy {
  std::unique_ptr<ChildProcess> child;
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
};

/// Render, start, wait until ready. Throws HarnessError (with the probe's reason and the tail
/// of the proxy's logs) when it does not come up; the failed child is stopped and reaped.
LaunchedProxy launch_proxy(const Adapter& adapter, const scenario::Scenario& scenario,
                           const LaunchOptions& options);

/// SIGTERM to the group, SIGKILL after the adapter's grace (ChildProcess::stop); then
/// `on_stop`. Returns how the proxy ended; nullopt when there is no child (already stopped).
std::optional<ExitStatus> stop_proxy(LaunchedProxy& proxy, const Adapter& adapter,
                                     const LaunchOptions& options);

/// The tails of the logs a proxy writes into `run_dir` (stderr, error.log, stdout), for
/// reports; empty when there are none.
std::string proxy_log_tail(const std::filesystem::path& run_dir);

/// An ephemeral loopback port: bind port 0, read it, release it. Throws HarnessError.
std::uint16_t pick_port(const std::string& host);

}  // namespace bgw::proxy
