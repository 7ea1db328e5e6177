// The upstreams of a test: started from a scenario file (its [[upstream]] tables and timeline,
// exactly as `badgateway run` starts them) or from C++ (sim::UpstreamSpec aggregates). They serve
// on the caller's io_context, which the waits (waits.hpp) and requests (requests.hpp) drive: one
// thread, no locks, no sleeps. Call every method from that thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

#include "simulator/upstream.hpp"
#include "simulator/upstream_spec.hpp"

namespace boost::asio {
class io_context;
}

namespace bgw::scenario {
struct Scenario;
}

namespace bgw::testing {

class FakeUpstreams {
 public:
  /// Load `scenario_file` and bind its upstreams (the timeline waits for start_timeline()).
  /// Throws std::runtime_error with the file's diagnostics (file:line:col) when it is invalid,
  /// sim::SetupError when an upstream cannot bind.
  static FakeUpstreams from_scenario(boost::asio::io_context& io,
                                     const std::filesystem::path& scenario_file);
  /// Bind one upstream per spec (names must differ); a proxy launched on them sees a one-pool
  /// topology with these upstreams in this order.
  static FakeUpstreams from_specs(boost::asio::io_context& io,
                                  std::vector<sim::UpstreamSpec> specs);

  FakeUpstreams(FakeUpstreams&&) noexcept;
  FakeUpstreams& operator=(FakeUpstreams&&) noexcept;
  ~FakeUpstreams();

  /// Throws std::out_of_range for an unknown name.
  sim::Upstream& upstream(std::string_view name);
  std::uint16_t port(std::string_view name) { return upstream(name).port(); }

  /// Start the scenario's timeline (crashes, restarts, mode switches at their offsets). Only
  /// scenario-made upstreams have one; for spec-made ones this does nothing.
  void start_timeline();
  /// Stop every upstream and release the ports. Idempotent; the destructor calls it.
  void stop();

  /// The topology a proxy config is rendered from (ProxyUnderTest::launch).
  const scenario::Scenario& topology() const;

 private:
  struct Impl;
  explicit FakeUpstreams(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace bgw::testing
