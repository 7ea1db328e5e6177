#include "fake_upstreams.hpp"

#include <sstream>
#include <stdexcept>
#include <utility>

#include "harness/scenario/load.hpp"
#include "harness/scenario/scenario.hpp"
#include "harness/scenario/simulation.hpp"

namespace bgw::testing {

// Both kinds run through scenario::Simulation, so a test's upstreams behave exactly as a run's.
// The Scenario lives here, on the heap, for as long as the Simulation that was built from it.
struct FakeUpstreams::Impl {
  scenario::Scenario scenario;
  std::unique_ptr<scenario::Simulation> simulation;
};

FakeUpstreams::FakeUpstreams(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FakeUpstreams::FakeUpstreams(FakeUpstreams&&) noexcept = default;
FakeUpstreams& FakeUpstreams::operator=(FakeUpstreams&&) noexcept = default;
FakeUpstreams::~FakeUpstreams() {
  stop();
}

FakeUpstreams FakeUpstreams::from_scenario(boost::asio::io_context& io,
                                           const std::filesystem::path& scenario_file) {
  auto loaded = scenario::load_scenario(scenario_file);
  if (!loaded.ok()) {
    std::ostringstream what;
    what << "badgateway::testing: invalid scenario file";
    for (const auto& d : loaded.diagnostics) what << "\n" << d.to_string();
    throw std::runtime_error(what.str());
  }
  auto impl = std::make_unique<Impl>();
  impl->scenario = std::move(*loaded.scenario);
  impl->simulation = std::make_unique<scenario::Simulation>(io, impl->scenario);
  return FakeUpstreams(std::move(impl));
}

FakeUpstreams FakeUpstreams::from_specs(boost::asio::io_context& io,
                                        std::vector<sim::UpstreamSpec> specs) {
  auto impl = std::make_unique<Impl>();
  impl->scenario.meta.name = "embedded";
  for (auto& spec : specs) {
    if (impl->scenario.find_upstream(spec.name) != nullptr)
      throw std::invalid_argument("badgateway::testing: two upstreams named '" + spec.name + "'");
    scenario::Upstream u;
    u.name = spec.name;
    u.spec = std::move(spec);
    impl->scenario.upstreams.push_back(std::move(u));
  }
  impl->simulation = std::make_unique<scenario::Simulation>(io, impl->scenario);
  return FakeUpstreams(std::move(impl));
}

sim::Upstream& FakeUpstreams::upstream(std::string_view name) {
  return impl_->simulation->upstream(name);
}

void FakeUpstreams::start_timeline() {
  impl_->simulation->start_timeline();
}

void FakeUpstreams::stop() {
  if (impl_ && impl_->simulation) impl_->simulation->stop();
}

const scenario::Scenario& FakeUpstreams::topology() const {
  return impl_->scenario;
}

}  // namespace bgw::testing
