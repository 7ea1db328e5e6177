// The part of an upstream that its connections share: journal, rules, counters and the seeded
// generator for probabilistic rules. Held by shared_ptr so a session that is still unwinding
// never outlives what it points to. Shared by every thread that serves the upstream (Upstream
// with more threads), so each member is safe to use from several: the journal locks, the rule
// set is swapped atomically, and the generator draws under a lock.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
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
  std::string run_identity;  ///< UpstreamSpec::run_identity

  /// The rules a connection starts with (it keeps them to its end).
  std::shared_ptr<const RuleSet> rules() const { return rules_.load(std::memory_order_acquire); }
  void set_rules(std::shared_ptr<const RuleSet> rules) {
    rules_.store(std::move(rules), std::memory_order_release);
  }

  /// The first rule in `rules` that covers `index` (drawing for probabilistic ones), or null.
  const Rule* select(const std::vector<Rule>& candidates, std::uint64_t index);

 private:
  std::atomic<std::shared_ptr<const RuleSet>> rules_;
  std::mutex rng_mutex_;
  std::mt19937_64 rng_;
};

}  // namespace bgw::sim
