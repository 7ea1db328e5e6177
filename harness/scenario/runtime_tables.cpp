#include "runtime_tables.hpp"

#include "harness/scenario/sections.hpp"
#include "simulator/fault_catalogue.hpp"

namespace bgw::scenario {
namespace {

using namespace std::string_view_literals;

// Parses `text` and hands its root to `decode`, every failure a diagnostic at its line:col.
template <class Decode>
void decode_text(std::string_view text, Diagnostics& diagnostics, Decode decode) {
  detail::Decoder d(std::make_shared<const std::string>("request"), diagnostics);
  try {
    toml::table root;
    try {
      root = toml::parse(text, "request"sv);
    } catch (const toml::parse_error& e) {
      d.error(d.at(e.source()), "invalid TOML: " + std::string(e.description()));
      return;
    }
    decode(d, root);
  } catch (const std::exception& e) {
    d.error(d.start(), std::string("internal error while decoding the request: ") + e.what());
  }
  sort_by_position(diagnostics);
}

}  // namespace

FaultRulesResult decode_fault_rules(std::string_view text, const sim::Response& base,
                                    std::string_view listener_hint, bool tls_upstream) {
  FaultRulesResult result;
  decode_text(text, result.diagnostics, [&](detail::Decoder& d, const toml::table& root) {
    const toml::node* rules = root.get("rule");
    if (rules == nullptr) return;
    detail::for_each_table(d, *rules, "rule", detail::max_rules, [&](const toml::table& t) {
      if (auto rule = detail::decode_fault_table(d, t, base, listener_hint)) {
        const sim::FaultInfo* f = sim::find_fault(rule->origin.fault);
        const std::string fix =
            " needs a TLS upstream, and this one speaks cleartext: add an upstream with "
            "\"tls\": {} (POST /upstreams) for TLS faults";
        if (!tls_upstream && f != nullptr && sim::needs_tls(*f))
          d.error(rule->origin.where, "fault \"" + rule->origin.fault + "\"" + fix);
        else if (!tls_upstream && !rule->origin.tls_step.empty())
          d.error(rule->origin.tls_step_at, "step '" + rule->origin.tls_step + "'" + fix);
        result.rules.push_back(std::move(rule->rule));
        result.origins.push_back(std::move(rule->origin));
      }
    });
  });
  if (!result.ok()) {
    result.rules.clear();
    result.origins.clear();
  }
  return result;
}

UpstreamTablesResult decode_upstream_tables(std::string_view text) {
  UpstreamTablesResult result;
  decode_text(text, result.diagnostics, [&](detail::Decoder& d, const toml::table& root) {
    result.upstreams = detail::decode_upstreams(d, root.get("upstream"));
  });
  if (!result.ok()) result.upstreams.clear();
  return result;
}

}  // namespace bgw::scenario
