// Upstreams from C++ with the catalogue's fault names (docs/faults.md): the same lowering the
// scenario loader uses, so `upstream_with_fault("a", "reset_after_request")` misbehaves exactly
// like `fault = "reset_after_request"` in a scenario file.
#pragma once

#include <string>
#include <string_view>

#include "simulator/fault_catalogue.hpp"
#include "simulator/upstream_spec.hpp"

namespace bgw::testing {

/// Add catalogue fault `fault` with `params` to `spec` for the connections or requests `match`
/// selects; listener faults (refuse, blackhole) set the listener mode. Throws
/// std::invalid_argument naming the fault and parameter when it cannot be lowered.
sim::UpstreamSpec& add_fault(sim::UpstreamSpec& spec, std::string_view fault,
                             const sim::FaultParams& params = {},
                             sim::Match match = sim::Match::every());

/// An upstream named `name` (port 0 on 127.0.0.1) with one catalogue fault.
sim::UpstreamSpec upstream_with_fault(std::string name, std::string_view fault,
                                      const sim::FaultParams& params = {},
                                      sim::Match match = sim::Match::every());

}  // namespace bgw::testing
