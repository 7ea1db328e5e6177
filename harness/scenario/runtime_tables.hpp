// Scenario tables on their own, outside a scenario file: the control API (harness/control)
// turns a JSON request into TOML text of `[[rule]]` or `[[upstream]]` tables and decodes it
// here, so what is set at runtime is checked by exactly the code, and reported in exactly the
// words, of [[upstream.fault]] and [[upstream]] in a file.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "harness/scenario/diagnostic.hpp"
#include "harness/scenario/scenario.hpp"
#include "simulator/response.hpp"
#include "simulator/upstream_spec.hpp"

namespace bgw::scenario {

struct FaultRulesResult {
  std::vector<sim::Rule> rules;     ///< in order; set only when there are no diagnostics
  std::vector<RuleOrigin> origins;  ///< parallel to rules
  Diagnostics diagnostics;          ///< line:col in `text`
  bool ok() const { return diagnostics.empty(); }
};

/// Decodes every table of the array `rule` in `text` (TOML) as an [[upstream.fault]] table,
/// lowered against the upstream's default response `base`. `listener_hint` ends the message
/// for a listener fault given as a rule (how to switch the listener instead). A tls_* fault, or
/// a step list with a TLS step (at that step), is refused unless `tls_upstream` (the upstream
/// speaks TLS): on cleartext its steps do nothing.
FaultRulesResult decode_fault_rules(std::string_view text, const sim::Response& base,
                                    std::string_view listener_hint, bool tls_upstream);

struct UpstreamTablesResult {
  std::vector<Upstream> upstreams;  ///< set only when there are no diagnostics
  Diagnostics diagnostics;          ///< line:col in `text`
  bool ok() const { return diagnostics.empty(); }
};

/// Decodes every table of the array `upstream` in `text` (TOML) as an [[upstream]] of a file.
UpstreamTablesResult decode_upstream_tables(std::string_view text);

}  // namespace bgw::scenario
