#include "fault_rules.hpp"

#include "harness/scenario/sections.hpp"

namespace bgw::scenario {

using namespace std::string_view_literals;

FaultRulesResult decode_fault_rules(std::string_view text, const sim::Response& base,
                                    std::string_view listener_hint) {
  FaultRulesResult result;
  detail::Decoder d(std::make_shared<const std::string>("request"), result.diagnostics);
  try {
    toml::table root;
    try {
      root = toml::parse(text, "request"sv);
    } catch (const toml::parse_error& e) {
      d.error(d.at(e.source()), "invalid TOML: " + std::string(e.description()));
      return result;
    }
    if (const toml::node* rules = root.get("rule")) {
      detail::for_each_table(d, *rules, "rule", detail::max_rules, [&](const toml::table& t) {
        if (auto rule = detail::decode_fault_table(d, t, base, listener_hint)) {
          result.rules.push_back(std::move(rule->rule));
          result.origins.push_back(std::move(rule->origin));
        }
      });
    }
  } catch (const std::exception& e) {
    d.error(d.start(), std::string("internal error while decoding the rules: ") + e.what());
  }
  if (!result.ok()) {
    result.rules.clear();
    result.origins.clear();
  }
  sort_by_position(result.diagnostics);
  return result;
}

}  // namespace bgw::scenario
