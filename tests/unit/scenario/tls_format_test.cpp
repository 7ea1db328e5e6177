// upstream.tls and [proxy] upstream_tls: what a valid file decodes to, the defaults, and the
// template values adapters see (pool[].tls, upstream_tls.*, upstream_ca). The malformed cases,
// with their line:col, are in decode_test.cpp.
#include <gtest/gtest.h>

#include <string>

#include "harness/proxy/config_template.hpp"
#include "harness/proxy/topology_context.hpp"
#include "harness/scenario/load.hpp"

namespace {

using bgw::scenario::load_scenario_text;

const std::string kFile = R"([scenario]
name = "t"
description = "d"

[[upstream]]
name = "secure"
tls = { cert = "expired", key = "rsa", versions = ["1.2", "1.3"], alpn = ["http/1.1"] }

[[upstream]]
name = "plain"

[proxy]
upstream_tls = { verify = false, sni = "backend.example" }
)";

std::string dump(const bgw::scenario::LoadResult& r) {
  std::string out;
  for (const auto& d : r.diagnostics) out += "  " + d.to_string() + "\n";
  return out;
}

TEST(ScenarioTls, DecodesTheUpstreamsTlsAndTheProxysSettings) {
  const auto r = load_scenario_text(kFile, "t.toml");
  ASSERT_TRUE(r.ok()) << dump(r);
  const auto& secure = r.scenario->upstreams.at(0).spec;
  ASSERT_TRUE(secure.tls.has_value());
  EXPECT_EQ(secure.tls->cert, bgw::sim::CertKind::expired);
  EXPECT_EQ(secure.tls->key, bgw::sim::KeyKind::rsa);
  EXPECT_EQ(secure.tls->versions,
            (std::vector{bgw::sim::TlsVersion::tls1_2, bgw::sim::TlsVersion::tls1_3}));
  EXPECT_EQ(secure.tls->alpn, std::vector<std::string>{"http/1.1"});
  EXPECT_FALSE(r.scenario->upstreams.at(1).spec.tls.has_value());
  ASSERT_TRUE(r.scenario->proxy.upstream_tls.has_value());
  EXPECT_EQ(r.scenario->proxy.upstream_tls->verify, bgw::scenario::TlsVerify::off);
  EXPECT_EQ(r.scenario->proxy.upstream_tls->sni, "backend.example");
}

TEST(ScenarioTls, AnEmptyTableTakesEveryDefault) {
  const auto r = load_scenario_text(
      "[scenario]\nname = \"t\"\ndescription = \"d\"\n[[upstream]]\nname = \"a\"\ntls = {}\n"
      "[[upstream.fault]]\nfault = \"tls_no_shared_cipher\"\n",
      "t.toml");
  ASSERT_TRUE(r.ok()) << dump(r);
  const auto& tls = *r.scenario->upstreams.at(0).spec.tls;
  EXPECT_EQ(tls.cert, bgw::sim::CertKind::good);
  EXPECT_EQ(tls.key, bgw::sim::KeyKind::ecdsa);
  EXPECT_TRUE(tls.versions.empty());
  EXPECT_TRUE(tls.alpn.empty());
  EXPECT_EQ(tls.server_name, bgw::sim::default_server_name);
  EXPECT_FALSE(r.scenario->proxy.upstream_tls.has_value());
}

TEST(ScenarioTls, AdaptersSeeWhichUpstreamsSpeakTlsAndHowToVerify) {
  const auto r = load_scenario_text(kFile, "t.toml");
  ASSERT_TRUE(r.ok()) << dump(r);
  bgw::proxy::Bindings b;
  b.upstream_ports = {{"secure", 1001}, {"plain", 1002}};
  b.upstream_ca = "/run/upstream-ca.pem";
  b.upstream_ca_chain = "/run/upstream-ca-chain.pem";
  const auto ctx = bgw::proxy::make_context(*r.scenario, b, "nginx");
  const std::string out = bgw::proxy::render_template(
      "{{#pool}}{{name}} tls={{tls}}\n{{/pool}}enabled={{upstream_tls.enabled}} "
      "verify={{upstream_tls.verify}} sni={{upstream_tls.sni}} ca={{upstream_ca}} "
      "chain={{upstream_ca_chain}}",
      ctx, "t");
  EXPECT_EQ(out,
            "secure tls=true\nplain tls=false\nenabled=true verify=false sni=backend.example "
            "ca=/run/upstream-ca.pem chain=/run/upstream-ca-chain.pem");
}

TEST(ScenarioTls, WithoutUpstreamTlsAdaptersVerifyTheDefaultName) {
  const auto r = load_scenario_text(
      "[scenario]\nname = \"t\"\ndescription = \"d\"\n[[upstream]]\nname = \"a\"\ntls = {}\n",
      "t.toml");
  ASSERT_TRUE(r.ok()) << dump(r);
  const auto ctx = bgw::proxy::make_context(*r.scenario, {}, "nginx");
  EXPECT_EQ(bgw::proxy::render_template("{{upstream_tls.verify}} {{upstream_tls.sni}}", ctx, "t"),
            "true upstream.badgateway.test");
}

// Exactly one of verify / no_verify / proxy_default is true, so a template can render each case
// (and render nothing about verification for the proxy's own default).
TEST(ScenarioTls, VerifyDefaultLeavesVerificationToTheProxy) {
  const auto text = [](std::string_view verify) {
    return "[scenario]\nname = \"t\"\ndescription = \"d\"\n[[upstream]]\nname = \"a\"\n"
           "tls = {}\n[proxy]\nupstream_tls = { verify = " +
           std::string(verify) + " }\n";
  };
  const auto modes = [&](std::string_view verify) {
    const auto r = load_scenario_text(text(verify), "t.toml");
    EXPECT_TRUE(r.ok()) << dump(r);
    if (!r.ok()) return std::string();
    const auto ctx = bgw::proxy::make_context(*r.scenario, {}, "nginx");
    return bgw::proxy::render_template(
        "{{upstream_tls.verify}} {{upstream_tls.no_verify}} {{upstream_tls.proxy_default}}", ctx,
        "t");
  };
  EXPECT_EQ(modes("true"), "true false false");
  EXPECT_EQ(modes("false"), "false true false");
  EXPECT_EQ(modes("\"default\""), "false false true");
  const auto r = load_scenario_text(text("\"defaults\""), "t.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(dump(r).find("t.toml:8:27: error: 'verify' must be true, false or \"default\""),
            std::string::npos)
      << dump(r);
}

// A pool that mixes TLS and cleartext members needs an adapter that sets the scheme per member;
// nginx takes one scheme for the whole proxy_pass and skips such a scenario instead.
TEST(ScenarioTls, APoolMixingTlsAndCleartextRequiresUpstreamTlsMixed) {
  const auto required = [](const std::string& text) {
    const auto r = load_scenario_text(text, "t.toml");
    EXPECT_TRUE(r.ok()) << dump(r);
    std::string out;
    if (r.ok())
      for (const auto& q : r.scenario->meta.requirements) out += q.text + " ";
    return out;
  };
  EXPECT_EQ(required(kFile), "upstream_tls upstream_tls_mixed ");
  // The cleartext upstream is outside the pool: the proxy speaks only TLS.
  EXPECT_EQ(required(kFile + "pool = [\"secure\"]\n"), "upstream_tls ");
  EXPECT_EQ(required(kFile + "pool = [\"secure\", { upstream = \"plain\", backup = true }]\n"),
            "upstream_tls upstream_tls_mixed ");
}

}  // namespace
