// One upstream as the control API shows it: where it listens, its listener mode, the fault
// rules in force (from the file, the timeline or the API) and its counters.
#pragma once

#include <boost/json/object.hpp>

#include <string_view>

#include "simulator/upstream.hpp"

namespace bgw::control {

/// {"name", "address", "port", "listener", "faults": [{"fault", "on", "first", "last"?,
/// "probability"}], "counters": {"connections", "requests", "live_connections", "crashes"}}
boost::json::object upstream_view(std::string_view name, const sim::Upstream& upstream);

}  // namespace bgw::control
