#include "upstream_state.hpp"

namespace bgw::sim {

std::shared_ptr<const RuleSet> make_rule_set(const Response& response,
                                             const std::vector<Rule>& rules) {
  auto set = std::make_shared<RuleSet>();
  for (const Rule& r : rules) {
    (r.scope == RuleScope::connection ? set->connection_rules : set->request_rules).push_back(r);
  }
  set->default_script = {ReadRequest{}, plain_response(response)};
  if (response.close) set->default_script.push_back(Close{});
  return set;
}

UpstreamState::UpstreamState(const UpstreamSpec& spec)
    : journal(spec.name, spec.journal, spec.journal_byte_cap),
      run_identity(spec.run_identity),
      rules_(make_rule_set(spec.response, spec.rules)),
      rng_(spec.seed) {}

const Rule* UpstreamState::select(const std::vector<Rule>& candidates, std::uint64_t index) {
  for (const Rule& r : candidates) {
    if (!r.match.covers(index)) continue;
    if (r.match.probability >= 1.0) return &r;
    if (r.match.probability <= 0.0) continue;
    std::uniform_real_distribution<double> draw(0.0, 1.0);
    std::lock_guard lock(rng_mutex_);  // only probabilistic rules draw: the common path is free
    if (draw(rng_) < r.match.probability) return &r;
  }
  return nullptr;
}

}  // namespace bgw::sim
