// The TLS steps of a custom step list: what each spelling decodes to, and the control API's
// refusal of them for a cleartext upstream. The malformed cases, with their line:col, are in
// decode_test.cpp; what the steps do on the wire is tests/integration/tls_steps_wire_test.cpp.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "../script_printers.hpp"
#include "harness/scenario/load.hpp"
#include "harness/scenario/runtime_tables.hpp"

namespace {

using namespace bgw::sim;
using bgw::scenario::load_scenario_text;
using testing::HasSubstr;

std::string dump(const bgw::scenario::LoadResult& r) {
  std::string out;
  for (const auto& d : r.diagnostics) out += "  " + d.to_string() + "\n";
  return out;
}

// The script of the only rule of a TLS upstream whose [[upstream.fault]] is `rule`.
Script decode(const std::string& rule) {
  const auto r = load_scenario_text(
      "[scenario]\nname = \"t\"\ndescription = \"d\"\n[[upstream]]\nname = \"a\"\ntls = {}\n"
      "[[upstream.fault]]\n" +
          rule,
      "t.toml");
  EXPECT_TRUE(r.ok()) << dump(r);
  if (!r.ok()) return {};
  const auto& rules = r.scenario->upstreams.at(0).spec.rules;
  EXPECT_EQ(rules.size(), 1u);
  return rules.empty() ? Script{} : rules.front().script;
}

TEST(ScenarioTlsSteps, EachStepDecodesToItsSimulatorStep) {
  EXPECT_EQ(decode("on = \"connection\"\nsteps = [{ await_client_hello = true }, { stall = "
                   "\"500ms\" }, { handshake = {} }, { serve = 1 }]\n"),
            (Script{AwaitClientHello{}, Stall{std::chrono::milliseconds(500)}, Handshake{},
                    ServeRequests{1}}));
  EXPECT_EQ(decode("on = \"connection\"\nsteps = [{ server_hello_only = true }, { close = true "
                   "}]\n"),
            (Script{ServerHelloOnly{}, Close{}}));
  EXPECT_EQ(decode("steps = [{ read = \"whole\" }, { respond = \"head\" }, { provoke_alert = "
                   "\"record_overflow\" }, { close = true }]\n")
                .at(2),
            Step{ProvokeAlert{TlsAlertCause::record_overflow}});
  EXPECT_EQ(
      decode("steps = [{ read = \"whole\" }, { provoke_alert = \"bad_record_mac\" }]\n").at(1),
      Step{ProvokeAlert{TlsAlertCause::bad_record_mac}});
  EXPECT_EQ(decode("steps = [{ read = \"whole\" }, { corrupt_next_record = true }, { respond = "
                   "\"all\" }]\n")
                .at(1),
            Step{CorruptNextRecord{}});
}

TEST(ScenarioTlsSteps, AHandshakeTakesAnOfferAndItsOwnAlpn) {
  EXPECT_EQ(decode("on = \"connection\"\nsteps = [{ handshake = { offer = \"upstream\" } }]\n"),
            Script{Handshake{}});
  EXPECT_EQ(
      decode("on = \"connection\"\nsteps = [{ handshake = { offer = \"legacy_versions\" } }]\n"),
      Script{Handshake{.offer = TlsOffer::legacy_versions}});
  EXPECT_EQ(
      decode("on = \"connection\"\nsteps = [{ handshake = { offer = \"no_shared_cipher\" } }]\n"),
      Script{Handshake{.offer = TlsOffer::no_shared_cipher}});
  EXPECT_EQ(decode("on = \"connection\"\nsteps = [{ handshake = { alpn = [\"h2\", \"spdy/3\"] } "
                   "}]\n"),
            (Script{Handshake{.alpn = {"h2", "spdy/3"}}}));
  EXPECT_EQ(decode("on = \"connection\"\nsteps = [{ handshake = { alpn = [\"h2\"], alpn_select "
                   "= true } }]\n"),
            (Script{Handshake{.alpn = {"h2"}, .alpn_select_anyway = true}}));
}

TEST(ScenarioTlsSteps, AStepListKnowsItsFirstTlsStep) {
  const auto r = load_scenario_text(
      "[scenario]\nname = \"t\"\ndescription = \"d\"\n[[upstream]]\nname = \"a\"\ntls = {}\n"
      "[[upstream.fault]]\non = \"connection\"\n"
      "steps = [{ stall = \"1s\" }, { handshake = {} }, { server_hello_only = true }]\n"
      "[[upstream.fault]]\nsteps = [{ reset = true }]\n",
      "t.toml");
  // The third step comes after the handshake: refused, and not the one named below.
  ASSERT_FALSE(r.ok());
  const auto ok = load_scenario_text(
      "[scenario]\nname = \"t\"\ndescription = \"d\"\n[[upstream]]\nname = \"a\"\ntls = {}\n"
      "[[upstream.fault]]\non = \"connection\"\n"
      "steps = [{ stall = \"1s\" }, { handshake = {} }, { serve = 1 }]\n"
      "[[upstream.fault]]\nsteps = [{ reset = true }]\n",
      "t.toml");
  ASSERT_TRUE(ok.ok()) << dump(ok);
  const auto& origins = ok.scenario->upstreams.at(0).rule_origins;
  ASSERT_EQ(origins.size(), 2u);
  EXPECT_EQ(origins[0].tls_step, "handshake");
  EXPECT_EQ(origins[0].tls_step_at.line, 9u);
  EXPECT_EQ(origins[0].tls_step_at.column, 28u);
  EXPECT_EQ(origins[1].tls_step, "");
}

// The control API decodes [[rule]] tables of its JSON body with the same decoder: a TLS step
// on a cleartext upstream is refused at the step, as a tls_* fault is refused at its rule.
TEST(ScenarioTlsSteps, RuntimeRulesRefuseATlsStepForACleartextUpstream) {
  const std::string text =
      "[[rule]]\non = \"connection\"\n"
      "steps = [{ await_client_hello = true }, { handshake = { offer = \"no_shared_cipher\" } }]\n";
  const Response base;
  const auto cleartext = bgw::scenario::decode_fault_rules(text, base, "", false);
  ASSERT_EQ(cleartext.diagnostics.size(), 1u);
  EXPECT_EQ(cleartext.diagnostics[0].where.line, 3u);
  EXPECT_EQ(cleartext.diagnostics[0].where.column, 10u);
  EXPECT_THAT(cleartext.diagnostics[0].message,
              HasSubstr("step 'await_client_hello' needs a TLS upstream"));
  EXPECT_TRUE(cleartext.rules.empty());
  const auto tls = bgw::scenario::decode_fault_rules(text, base, "", true);
  ASSERT_TRUE(tls.ok());
  ASSERT_EQ(tls.rules.size(), 1u);
  EXPECT_EQ(tls.rules[0].script,
            (Script{AwaitClientHello{}, Handshake{.offer = TlsOffer::no_shared_cipher}}));
}

}  // namespace
