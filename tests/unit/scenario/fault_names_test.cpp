// Every catalogue fault goes through a scenario file and comes out as the same rule (or
// listener mode) that sim::lower_fault builds directly; a misspelled name gets it suggested.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "harness/scenario/load.hpp"
#include "simulator/fault_catalogue.hpp"

namespace {

using bgw::scenario::EventAction;
using bgw::scenario::load_scenario_text;
using bgw::sim::FaultScope;

const std::string kHead =
    "[scenario]\nname = \"t\"\ndescription = \"d\"\n[[upstream]]\nname = \"a\"\n";

// The head for fault `f`: a TLS fault needs a TLS upstream.
std::string head_for(const bgw::sim::FaultInfo& f) {
  return bgw::sim::needs_tls(f) ? kHead + "tls = {}\n" : kHead;
}

std::string dump(const bgw::scenario::LoadResult& r) {
  std::string out;
  for (const auto& d : r.diagnostics) out += "  " + d.to_string() + "\n";
  return out;
}

TEST(ScenarioFaultNames, EveryCatalogueFaultRoundTripsThroughAScenario) {
  ASSERT_FALSE(bgw::sim::fault_catalogue().empty());
  for (const auto& f : bgw::sim::fault_catalogue()) {
    SCOPED_TRACE(std::string(f.name));
    const std::string name(f.name);
    // A scenario's upstream dates its plain response (the `ok` fault's too).
    bgw::sim::Response base;
    base.date = true;
    const auto direct = bgw::sim::lower_fault(name, {}, base, bgw::sim::Match::every());
    ASSERT_TRUE(std::holds_alternative<bgw::sim::LoweredFault>(direct));
    const auto& lowered = std::get<bgw::sim::LoweredFault>(direct);

    if (f.scope == FaultScope::listener) {
      // As the upstream's listener, and as an event switching to it.
      const auto r =
          load_scenario_text(kHead + "listener = \"" + name +
                                 "\"\n[[upstream.event]]\nat = \"1s\"\naction = \"" + name + "\"\n",
                             "t.toml");
      ASSERT_TRUE(r.ok()) << dump(r);
      const auto& u = r.scenario->upstreams.at(0);
      EXPECT_EQ(u.spec.mode, *lowered.mode);
      EXPECT_TRUE(u.spec.rules.empty());
      ASSERT_EQ(u.timeline.size(), 1u);
      EXPECT_EQ(u.timeline[0].action,
                name == "refuse" ? EventAction::refuse : EventAction::blackhole);
      continue;
    }

    const auto r = load_scenario_text(
        head_for(f) + "[[upstream.fault]]\nfault = \"" + name + "\"\n[[upstream.event]]\nat = " +
            "\"1s\"\naction = \"set_fault\"\nfault = \"" + name + "\"\n",
        "t.toml");
    ASSERT_TRUE(r.ok()) << dump(r);
    const auto& u = r.scenario->upstreams.at(0);
    ASSERT_EQ(u.spec.rules.size(), 1u);
    ASSERT_EQ(u.rule_origins.size(), 1u);
    EXPECT_EQ(u.rule_origins[0].fault, name);
    EXPECT_EQ(u.spec.rules[0].name, name);
    EXPECT_EQ(u.spec.rules[0].scope, lowered.rule.scope);
    EXPECT_EQ(u.spec.rules[0].script, lowered.rule.script);
    ASSERT_EQ(u.timeline.size(), 1u);
    ASSERT_TRUE(u.timeline[0].rule.has_value());
    EXPECT_EQ(u.timeline[0].rule->script, lowered.rule.script);
    EXPECT_EQ(u.timeline[0].origin->fault, name);
  }
}

TEST(ScenarioFaultNames, EveryFaultsParametersAreAcceptedWithTheirDefaults) {
  for (const auto& f : bgw::sim::fault_catalogue()) {
    if (f.params.empty() || f.scope == FaultScope::listener) continue;
    SCOPED_TRACE(std::string(f.name));
    std::string params;
    for (const auto& p : f.params) {
      std::string value(p.default_value);
      if (p.type == bgw::sim::ParamType::duration || p.type == bgw::sim::ParamType::string ||
          p.type == bgw::sim::ParamType::size)
        value = "\"" + value + "\"";
      params += (params.empty() ? "" : ", ") + std::string(p.name) + " = " + value;
    }
    const auto r = load_scenario_text(head_for(f) + "[[upstream.fault]]\nfault = \"" +
                                          std::string(f.name) + "\"\nparams = { " + params + " }\n",
                                      "t.toml");
    ASSERT_TRUE(r.ok()) << dump(r);
    const auto direct = bgw::sim::lower_fault(f.name, {}, bgw::sim::Response{});
    EXPECT_EQ(r.scenario->upstreams[0].spec.rules.at(0).script,
              std::get<bgw::sim::LoweredFault>(direct).rule.script);
  }
}

TEST(ScenarioFaultNames, AMisspelledFaultSuggestsTheRightName) {
  for (const auto& f : bgw::sim::fault_catalogue()) {
    if (f.name.size() < 4) continue;
    std::string typo(f.name);
    typo.erase(typo.size() / 2, 1);
    SCOPED_TRACE(typo);
    const auto r =
        load_scenario_text(kHead + "[[upstream.fault]]\nfault = \"" + typo + "\"\n", "t.toml");
    ASSERT_EQ(r.diagnostics.size(), 1u) << dump(r);
    EXPECT_EQ(r.diagnostics[0].where.line, 7u);
    EXPECT_EQ(r.diagnostics[0].where.column, 9u);
    EXPECT_THAT(r.diagnostics[0].message,
                testing::HasSubstr("did you mean \"" + std::string(f.name) + "\"?"));
  }
}

}  // namespace
