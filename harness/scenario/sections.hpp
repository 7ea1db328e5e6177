// The decoders of each part of a scenario file and the cross-part checks, called in this
// order by load.cpp. Each reports into the Decoder and returns what it could decode.
// Internal to bgw_scenario.
#pragma once

#include "harness/scenario/decode.hpp"
#include "harness/scenario/scenario.hpp"

namespace bgw::scenario::detail {

/// Limits that keep a hostile file from exhausting memory or time.
inline constexpr Duration max_duration = std::chrono::hours(24);
inline constexpr std::uint64_t max_body_size = 16 * 1024 * 1024;
inline constexpr std::size_t max_steps_per_script = 1000;
inline constexpr std::size_t max_upstreams = 100;
inline constexpr std::size_t max_rules = 1000;  ///< fault rules, and events, per upstream
inline constexpr std::size_t max_client_steps = 1000;
inline constexpr std::size_t max_expects = 1000;  ///< per step, and [[expect]] tables

/// Header fields as a table (sent sorted by name) or as an array of [name, value] pairs (sent
/// in that order; a name may repeat).
std::optional<Headers> read_headers(Decoder& d, const toml::node& n, std::string_view what);
/// A header field name: an RFC 9110 token.
bool is_token(std::string_view s);

struct DecodedRule {
  sim::Rule rule;
  RuleOrigin origin;
};
/// One fault rule table with the keys of [[upstream.fault]], lowered against `base`.
/// `listener_hint` says how to switch the listener instead, for a listener fault given as a rule.
std::optional<DecodedRule> decode_fault_table(Decoder& d, const toml::table& t,
                                              const sim::Response& base,
                                              std::string_view listener_hint);

Meta decode_meta(Decoder& d, const toml::node* node);
std::vector<Upstream> decode_upstreams(Decoder& d, const toml::node* node);
Proxy decode_proxy(Decoder& d, const toml::node* node);
/// Adds the features the [proxy] topology needs to `requires` (retry.same_upstream needs
/// "retry_same_upstream"), so a proxy that cannot express them is skipped, not approximated.
void require_topology_features(Scenario& s);
std::vector<Step> decode_steps(Decoder& d, const toml::node* node);
std::vector<UpstreamExpect> decode_expects(Decoder& d, const toml::node* node);
/// [bench]; nullopt when the file has none. Events the load would end before are errors.
std::optional<BenchSettings> decode_bench(Decoder& d, const toml::node* node,
                                          const std::vector<Upstream>& upstreams);

/// Rules that span parts of the file: names referenced exist and are unique, the timeline and
/// the timing expectations fit in the scenario's timeout. Fills in the default pool.
void validate(Decoder& d, Scenario& s);

}  // namespace bgw::scenario::detail
