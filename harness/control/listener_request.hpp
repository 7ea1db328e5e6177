// The body of PUT /upstreams/{name}/listener: {"mode": "accept" | "refuse" | "blackhole"}, in
// the words of the scenario format's `listener`, with a did-you-mean for a near miss.
#pragma once

#include <string_view>
#include <variant>

#include "harness/control/api_error.hpp"
#include "simulator/upstream_spec.hpp"

namespace bgw::control {

/// A 400 for malformed JSON, a 422 (with the field's pointer) for anything else wrong.
std::variant<sim::ListenerMode, ApiError> decode_listener(std::string_view body);

}  // namespace bgw::control
