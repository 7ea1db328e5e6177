// A real reverse proxy (nginx, haproxy, ...) in front of a test's FakeUpstreams, started from a
// shipped adapter exactly as `badgateway run` starts it: config rendered from the upstreams'
// topology into a run directory, spawned in its own process group, ready when its probe answers,
// and stopped (SIGTERM, then SIGKILL after the adapter's grace) by the destructor.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace bgw::testing {

class FakeUpstreams;

struct ProxyOptions {
  /// Where the rendered config and the proxy's logs go; empty: a fresh directory under
  /// $TMPDIR/badgateway/embedded, removed again by the destructor.
  std::filesystem::path run_dir;
  double timeout_scale = 1.0;  ///< multiplies the adapter's readiness timeout (slow CI machines)
};

class ProxyUnderTest {
 public:
  /// `adapter` is a shipped adapter's name ("nginx") or the path of an adapter file. Throws
  /// std::runtime_error with the reason (and the proxy's log tail) when it cannot be started.
  ProxyUnderTest(const std::string& adapter, FakeUpstreams& upstreams, ProxyOptions options = {});
  ~ProxyUnderTest();
  ProxyUnderTest(const ProxyUnderTest&) = delete;
  ProxyUnderTest& operator=(const ProxyUnderTest&) = delete;

  /// Why `adapter` cannot run on this machine (no such adapter, its program not installed), for
  /// GTEST_SKIP(); nullopt when it can.
  static std::optional<std::string> unavailable(const std::string& adapter);

  /// The adapter file `adapter` names: a path as given, a name from $BGW_PROXIES_DIR, the
  /// installed share/badgateway/proxies, or the source tree's proxies/.
  static std::string adapter_file(const std::string& adapter);

  const std::string& host() const;
  std::uint16_t port() const;
  /// The proxy's version as its adapter reads it ("1.22.1"); empty when unknown.
  const std::string& version() const;
  const std::filesystem::path& run_dir() const;
  /// The tails of the proxy's logs, for a failure message.
  std::string log_tail() const;

  /// Stop the proxy now (the destructor does it otherwise). Idempotent.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bgw::testing
