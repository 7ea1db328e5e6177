#include "faults.hpp"

#include <stdexcept>
#include <utility>
#include <variant>

namespace bgw::testing {

sim::UpstreamSpec& add_fault(sim::UpstreamSpec& spec, std::string_view fault,
                             const sim::FaultParams& params, sim::Match match) {
  auto lowered = sim::lower_fault(fault, params, spec.response, match);
  if (const auto* e = std::get_if<sim::FaultError>(&lowered)) {
    throw std::invalid_argument("badgateway::testing: fault '" + std::string(fault) + "'" +
                                (e->param.empty() ? "" : " parameter '" + e->param + "'") + ": " +
                                e->message);
  }
  auto& f = std::get<sim::LoweredFault>(lowered);
  if (f.mode)
    spec.mode = *f.mode;
  else
    spec.rules.push_back(std::move(f.rule));
  return spec;
}

sim::UpstreamSpec upstream_with_fault(std::string name, std::string_view fault,
                                      const sim::FaultParams& params, sim::Match match) {
  sim::UpstreamSpec spec;
  spec.name = std::move(name);
  add_fault(spec, fault, params, match);
  return spec;
}

}  // namespace bgw::testing
