// The catalogue of named faults: each name, its parameters with types and defaults, the exact
// wire effect, and its lowering into a Rule (a Script of steps) or a listener mode. This is the
// one spelling table for fault names: the scenario loader, the CLI and the journal all use it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "response.hpp"
#include "upstream_spec.hpp"

namespace bgw::sim {

enum class FaultScope : std::uint8_t {
  listener,    ///< changes how the port behaves (refuse, blackhole)
  connection,  ///< runs when a connection is accepted
  request,     ///< runs for a request
};

enum class ParamType : std::uint8_t { size, duration, integer, boolean, string };

const char* to_string(ParamType type);
const char* to_string(FaultScope scope);

struct ParamInfo {
  std::string_view name;
  ParamType type;
  std::string_view default_value;  ///< as a user would write it ("10", "1s", "false")
  std::string_view doc;
};

struct FaultInfo {
  std::string_view name;
  FaultScope scope;
  std::string_view wire;    ///< exactly what goes on the wire
  std::string_view client;  ///< what a raw client observes
  std::vector<ParamInfo> params;
};

/// A parameter value: sizes and integers as int64, durations, booleans, strings.
using ParamValue = std::variant<std::int64_t, Duration, bool, std::string>;
using FaultParams = std::map<std::string, ParamValue, std::less<>>;

/// Every fault, in documentation order.
std::span<const FaultInfo> fault_catalogue();

/// nullptr when `name` is not in the catalogue.
const FaultInfo* find_fault(std::string_view name);

/// True for the faults that only mean something on a TLS upstream (UpstreamSpec::tls): the
/// tls_* rows. On a cleartext upstream their TLS steps are journalled and skipped.
bool needs_tls(const FaultInfo& info);

/// The closest catalogue name for a did-you-mean, or empty when nothing is close.
std::string suggest_fault(std::string_view name);

/// A fault ready to install: a listener mode, or a rule (scope and script) to add.
struct LoweredFault {
  std::optional<ListenerMode> mode;  ///< set for listener faults
  Rule rule;                         ///< for connection and request faults
};

/// Why lowering failed; `param` names the offending parameter (empty: the fault name itself).
struct FaultError {
  std::string param;
  std::string message;
};

/// Lower `name` with `params` (missing ones take their defaults) against `base`, the upstream's
/// normal response, which the fault cuts short or corrupts. `match` is copied into the rule.
std::variant<LoweredFault, FaultError> lower_fault(std::string_view name, const FaultParams& params,
                                                   const Response& base, Match match = {});

/// Parse a parameter given as text ("10", "250ms", "true") for `info`'s parameter `param`.
std::variant<ParamValue, FaultError> parse_param(const FaultInfo& info, std::string_view param,
                                                 std::string_view text);

}  // namespace bgw::sim
