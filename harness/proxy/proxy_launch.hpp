// Starting a proxy under test from its adapter: pick a port on the run's address, render the config
// into the run directory, spawn the proxy in its own process group and wait until it is ready,
// retrying once when the port was taken in the meantime. Shared by `badgateway run` (one scenario,
// a few requests) and `badgateway bench` (one scenario under load); neither needs to know the
// steps.
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
  std::filesystem::path run_dir;  ///< exists; the config and the proxy's logs go here (a
                                  ///< relative path is taken from the current directory)
  /// Where the proxy listens: the run's leased address (LoopbackLease), so that the port picked
  /// there can only be taken by this run's own sockets.
  std::string listen_host = "127.0.0.1";
  std::map<std::string, std::uint16_t> upstream_ports;  ///< upstream name -> bound port
  std::map<std::string, std::string> upstream_hosts;    ///< upstream name -> bound address
  double timeout_scale = 1.0;                           ///< multiplies the readiness timeout
  /// Called with the group leader's pid as soon as it is spawned, before the readiness wait
  /// (the runner registers it for Ctrl-C there), and once it is stopped again.
  std::function<void(pid_t)> on_spawn;
  /// Called with the proxy's address and port once they are picked, before the proxy starts
  /// (again on the retry): where tests put a foreign listener to force the port race.
  std::function<void(const std::string& host, std::uint16_t port)> on_port_picked;
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

/// An ephemeral port on `host` (an IPv4 loopback address): bind port 0, read it, release it.
/// Only safe on an address nobody else binds (a LoopbackLease). Throws HarnessError.
std::uint16_t pick_port(const std::string& host);

}  // namespace bgw::proxy
