// The part of an upstream that its connections share: journal, rules, counters and the seeded
// generator for probabilistic rules. Held by shared_ptr so a session that is still unwinding
// never outlives what it points to.
#pragma once

#include <memory>
#include <random>
#include <vector>

#include "journal.hpp"
#include "upstream_spec.hpp"

namespace bgw::sim {

/// Rules split by scope, plus the default script, immutable once built: a rule change swaps the
/// whole set, and a connection keeps the set it started with.
struct RuleSet {
  std::vector<Rule> connection_rules;
  std::vector<Rule> request_rules;
  Script default_script;
};

std::shared_ptr<const RuleSet> make_rule_set(const Response& response,
                                             const std::vector<Rule>& rules);

/// Why a live connection is being torn down from outside.
enum class Kill : std::uint8_t { none, crash, stop };

struct UpstreamState {
  explicit UpstreamState(const UpstreamSpec& spec);

  Journal journal;
  std::shared_ptr<const RuleSet> rules;
  std::mt19937_64 rng;
  std::string run_identity;  ///< UpstreamSpec::run_identity

  /// The first rule in `rules` that covers `index` (drawing for probabilistic ones), or null.
  const Rule* select(const std::vector<Rule>& candidates, std::uint64_t index);
};

}  // namespace bgw::sim
