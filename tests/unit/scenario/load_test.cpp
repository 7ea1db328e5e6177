// Valid scenarios decode into the model: every part lands in the right field, upstreams carry
// ready UpstreamSpecs, defaults apply, locations point into the file, overrides resolve.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "harness/scenario/load.hpp"
#include "simulator/fault_catalogue.hpp"
#include "simulator/response.hpp"

namespace {

using namespace std::chrono_literals;
using namespace bgw::scenario;
namespace sim = bgw::sim;

std::string dump(const LoadResult& r) {
  std::string out;
  for (const auto& d : r.diagnostics) out += "  " + d.to_string() + "\n";
  return out;
}

Scenario load_ok(const std::string& text) {
  LoadResult r = load_scenario_text(text, "ok.toml");
  EXPECT_TRUE(r.ok()) << dump(r);
  if (!r.ok()) return {};
  EXPECT_TRUE(r.diagnostics.empty());
  return std::move(*r.scenario);
}

const char* kFull = R"(# Why: everything at once.
[scenario]
name = "full"
description = "Every part of the format."
tags = ["reset", "gateway-error"]
spec = ["RFC 9110 §15.6.3"]
requires = ["retries", "nginx >= 1.23"]
timeout = "10s"

[[upstream]]
name = "a"
response = { status = 201, headers = [["X-B", "2"], ["X-A", "1"]], body = "created" }
seed = 42

[[upstream.fault]]
fault = "reset_after_request"
nth = 2

[[upstream.fault]]
fault = "stall_mid_body"
params = { bytes = 5, length = "1KiB", duration = "250ms" }
on = "connection"
first = 3
last = 4
probability = 0.25

[[upstream.fault]]
steps = [{ read = "head" }, { respond = "head" }, { drip = "abc", chunk = 2, interval = "5ms" }, { half_close = true }]

[[upstream.event]]
at = "2s"
action = "set_fault"
fault = "close_mid_headers"
params = { bytes = 4 }

[[upstream.event]]
at = "1s"
action = "crash"

[[upstream]]
name = "b"
listener = "blackhole"

[proxy]
pool = ["a", { upstream = "b", backup = true, weight = 2 }]
upstream_keepalive = 4
timeouts = { connect = "200ms", read = "1s" }
retry = { attempts = 1, on = ["reset", "http_502"], non_idempotent = true }
health = { max_fails = 3, fail_window = "5s" }

[proxy.override.nginx]
proxy_buffering = "off"
tries = 3
list = ["x", "y"]

[[step]]
request = { method = "POST", target = "/x?y=1", headers = { X-Test = "1" }, body = "data" }
repeat = 4
concurrency = 2
pause = "100ms"

[[step.expect]]
severity = "should"
why = "RFC 9209"
status = [502, "5xx"]
within = "1s"
not_before = "10ms"
body = "absent"
connection = "close"
headers = { present = ["Via"], absent = ["X-A"], equal = { Server = "x" } }

[step.expect.override.haproxy]
status = 503
severity = "must"

[[step]]
reuse_connection = true

[[step.expect]]
severity = "must"
status = "none"

[[expect]]
severity = "must"
upstream = "a"
connections = { min = 1 }
requests = 2

[expect.override.nginx]
requests = { max = 3 }
)";

TEST(ScenarioLoad, MetadataIsDecoded) {
  const Scenario s = load_ok(kFull);
  EXPECT_EQ(s.meta.name, "full");
  EXPECT_EQ(s.meta.description, "Every part of the format.");
  EXPECT_THAT(s.meta.tags, testing::ElementsAre("reset", "gateway-error"));
  EXPECT_THAT(s.meta.spec, testing::ElementsAre("RFC 9110 §15.6.3"));
  ASSERT_EQ(s.meta.requirements.size(), 2u);
  EXPECT_FALSE(s.meta.requirements[0].is_version());
  EXPECT_EQ(s.meta.requirements[0].subject, "retries");
  EXPECT_EQ(s.meta.requirements[1].subject, "nginx");
  EXPECT_EQ(s.meta.requirements[1].op, ">=");
  EXPECT_EQ(s.meta.requirements[1].version, "1.23");
  EXPECT_EQ(s.meta.requirements[1].where.to_string(), "ok.toml:7:24");
  EXPECT_EQ(s.meta.timeout.value, 10s);
  EXPECT_EQ(s.meta.timeout.where.to_string(), "ok.toml:8:11");
}

TEST(ScenarioLoad, UpstreamsCarryReadySpecs) {
  const Scenario s = load_ok(kFull);
  ASSERT_EQ(s.upstreams.size(), 2u);
  const Upstream& a = s.upstreams[0];
  EXPECT_EQ(a.name, "a");
  EXPECT_EQ(a.spec.name, "a");
  EXPECT_EQ(a.spec.mode, sim::ListenerMode::accept);
  EXPECT_EQ(a.spec.seed, 42u);
  EXPECT_EQ(a.spec.response.status, 201);
  EXPECT_EQ(a.spec.response.body, "created");
  EXPECT_THAT(a.spec.response.headers,
              testing::ElementsAre(testing::Pair("X-B", "2"), testing::Pair("X-A", "1")));
  EXPECT_EQ(a.where.to_string(), "ok.toml:10:1");

  ASSERT_EQ(a.spec.rules.size(), 3u);
  ASSERT_EQ(a.rule_origins.size(), 3u);
  const sim::Rule& reset = a.spec.rules[0];
  EXPECT_EQ(reset.name, "reset_after_request");
  EXPECT_EQ(reset.scope, sim::RuleScope::request);
  EXPECT_EQ(reset.match.first, 2u);
  EXPECT_EQ(reset.match.last, 2u);
  EXPECT_EQ(a.rule_origins[0].where.to_string(), "ok.toml:15:1");

  // Lowered against the upstream's own response, with the parameters as given.
  const sim::Rule& stall = a.spec.rules[1];
  EXPECT_EQ(stall.scope, sim::RuleScope::connection);
  EXPECT_EQ(stall.match.first, 3u);
  EXPECT_EQ(stall.match.last, 4u);
  EXPECT_DOUBLE_EQ(stall.match.probability, 0.25);
  sim::FaultParams params{{"bytes", std::int64_t{5}},
                          {"length", std::int64_t{1024}},
                          {"duration", sim::Duration(250ms)}};
  EXPECT_EQ(a.rule_origins[1].params, params);
  const auto direct = sim::lower_fault("stall_mid_body", params, a.spec.response);
  EXPECT_EQ(stall.script, std::get<sim::LoweredFault>(direct).rule.script);

  const sim::Rule& custom = a.spec.rules[2];
  EXPECT_EQ(custom.name, "custom");
  EXPECT_EQ(a.rule_origins[2].fault, "custom");
  const sim::Script expected{sim::ReadRequest{sim::ReadPart::head, 0},
                             sim::Write{sim::serialize(a.spec.response).head},
                             sim::Drip{"abc", 2, sim::Duration(5ms)}, sim::HalfClose{}};
  EXPECT_EQ(custom.script, expected);

  EXPECT_EQ(s.upstreams[1].spec.mode, sim::ListenerMode::blackhole);
}

TEST(ScenarioLoad, TheTimelineIsInTimeOrderWithLoweredRules) {
  const Scenario s = load_ok(kFull);
  const auto& t = s.upstreams[0].timeline;
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].action, EventAction::crash);
  EXPECT_EQ(t[0].at.value, 1s);
  EXPECT_FALSE(t[0].rule);
  EXPECT_EQ(t[1].action, EventAction::set_fault);
  EXPECT_EQ(t[1].at.value, 2s);
  EXPECT_EQ(t[1].at.where.to_string(), "ok.toml:31:6");
  ASSERT_TRUE(t[1].rule);
  EXPECT_EQ(t[1].rule->name, "close_mid_headers");
  EXPECT_EQ(t[1].rule->script, (sim::Script{sim::ReadRequest{}, sim::Write{"HTTP"}, sim::Close{}}));
}

TEST(ScenarioLoad, ProxyTopologyIsDecoded) {
  const Scenario s = load_ok(kFull);
  const Proxy& p = s.proxy;
  ASSERT_EQ(p.pool.size(), 2u);
  EXPECT_EQ(p.pool[0].upstream.value, "a");
  EXPECT_FALSE(p.pool[0].backup);
  EXPECT_EQ(p.pool[1].upstream.value, "b");
  EXPECT_TRUE(p.pool[1].backup);
  EXPECT_EQ(p.pool[1].weight, 2);
  EXPECT_EQ(p.upstream_keepalive, 4);
  EXPECT_EQ(p.timeouts.connect, 200ms);
  EXPECT_EQ(p.timeouts.read, 1s);
  EXPECT_EQ(p.timeouts.send, 5s);  // default
  EXPECT_EQ(p.retry.attempts, 1);
  EXPECT_THAT(p.retry.on, testing::ElementsAre(RetryOn::reset, RetryOn::http_502));
  EXPECT_TRUE(p.retry.non_idempotent);
  EXPECT_EQ(p.health.max_fails, 3);
  EXPECT_EQ(p.health.fail_window, 5s);
  ASSERT_EQ(p.overrides.size(), 1u);
  EXPECT_EQ(p.overrides[0].proxy, "nginx");
  ASSERT_EQ(p.overrides[0].knobs.size(), 3u);
  // In file order, which templates keep.
  EXPECT_EQ(p.overrides[0].knobs[0].key, "proxy_buffering");
  EXPECT_EQ(std::get<std::string>(p.overrides[0].knobs[0].value), "off");
  EXPECT_EQ(std::get<std::int64_t>(p.overrides[0].knobs[1].value), 3);
  EXPECT_EQ(p.overrides[0].knobs[2].key, "list");
  EXPECT_EQ(std::get<std::vector<std::string>>(p.overrides[0].knobs[2].value),
            (std::vector<std::string>{"x", "y"}));
}

TEST(ScenarioLoad, StepsAndExpectationsAreDecoded) {
  const Scenario s = load_ok(kFull);
  ASSERT_EQ(s.steps.size(), 2u);
  const Step& post = s.steps[0];
  EXPECT_EQ(post.request.method, "POST");
  EXPECT_EQ(post.request.target, "/x?y=1");
  EXPECT_THAT(post.request.headers, testing::ElementsAre(testing::Pair("X-Test", "1")));
  EXPECT_EQ(post.request.body, "data");
  EXPECT_EQ(post.repeat, 4);
  EXPECT_EQ(post.concurrency, 2);
  EXPECT_EQ(post.pause, 100ms);
  ASSERT_EQ(post.expects.size(), 1u);
  const ResponseExpect& e = post.expects[0];
  EXPECT_EQ(e.severity, Severity::should);
  EXPECT_EQ(e.why, "RFC 9209");
  ASSERT_TRUE(e.checks.status);
  EXPECT_TRUE(e.checks.status->value.matches(502));
  EXPECT_TRUE(e.checks.status->value.matches(504));
  EXPECT_FALSE(e.checks.status->value.matches(200));
  EXPECT_FALSE(e.checks.status->value.matches(std::nullopt));
  EXPECT_EQ(e.checks.status->value.to_string(), "502 or 5xx");
  EXPECT_EQ(e.checks.status->where.to_string(), "ok.toml:65:10");
  EXPECT_EQ(e.checks.within->value, 1s);
  EXPECT_EQ(e.checks.not_before->value, 10ms);
  EXPECT_EQ(e.checks.body->value, BodyState::absent);
  EXPECT_EQ(e.checks.connection->value, ConnectionEnd::close);
  ASSERT_EQ(e.checks.headers.size(), 3u);
  EXPECT_EQ(e.checks.headers[0].kind, HeaderCheck::Kind::present);
  EXPECT_EQ(e.checks.headers[2].kind, HeaderCheck::Kind::equal);
  EXPECT_EQ(e.checks.headers[2].value, "x");

  // HAProxy's override replaces status and severity; other proxies see the base.
  const ResponseExpect haproxy = for_proxy(e, "haproxy");
  EXPECT_EQ(haproxy.severity, Severity::must);
  EXPECT_EQ(haproxy.checks.status->value.to_string(), "503");
  EXPECT_EQ(haproxy.checks.within->value, 1s);
  EXPECT_EQ(for_proxy(e, "nginx").checks.status->value.to_string(), "502 or 5xx");

  EXPECT_TRUE(s.steps[1].reuse_connection);
  EXPECT_EQ(s.steps[1].request.method, "GET");  // default request
  EXPECT_EQ(s.steps[1].request.target, "/");
  EXPECT_TRUE(s.steps[1].expects[0].checks.status->value.matches(std::nullopt));

  ASSERT_EQ(s.expects.size(), 1u);
  const UpstreamExpect& u = s.expects[0];
  EXPECT_EQ(u.upstream->value, "a");
  EXPECT_EQ(u.checks.connections->value.to_string(), "at least 1");
  EXPECT_EQ(u.checks.requests->value.to_string(), "2");
  const UpstreamExpect nginx = for_proxy(u, "nginx");
  EXPECT_EQ(nginx.checks.requests->value.to_string(), "at most 3");
  EXPECT_EQ(nginx.upstream->value, "a");
}

TEST(ScenarioLoad, AMinimalScenarioTakesEveryDefault) {
  const Scenario s = load_ok(
      "[scenario]\nname = \"m\"\ndescription = \"d\"\n[[upstream]]\nname = \"a\"\n"
      "[[upstream]]\nname = \"b\"\n");
  EXPECT_EQ(s.meta.timeout.value, 30s);
  ASSERT_EQ(s.upstreams.size(), 2u);
  EXPECT_EQ(s.upstreams[0].spec.mode, sim::ListenerMode::accept);
  EXPECT_EQ(s.upstreams[0].spec.response.body, sim::Response{}.body);
  EXPECT_TRUE(s.upstreams[0].spec.rules.empty());
  ASSERT_EQ(s.proxy.pool.size(), 2u);  // every upstream, primary
  EXPECT_EQ(s.proxy.pool[1].upstream.value, "b");
  EXPECT_FALSE(s.proxy.pool[1].backup);
  EXPECT_EQ(s.proxy.retry.attempts, 0);
  EXPECT_EQ(s.proxy.health.max_fails, 0);
  EXPECT_TRUE(s.steps.empty());
  EXPECT_TRUE(s.expects.empty());
}

TEST(ScenarioLoad, ResponseBodySizeAndChunkingReachTheSpec) {
  const Scenario s = load_ok(
      "[scenario]\nname = \"m\"\ndescription = \"d\"\n[[upstream]]\nname = \"a\"\n"
      "response = { body_size = \"2KiB\", chunked = true, chunk_size = 512, close = true }\n");
  const sim::Response& r = s.upstreams[0].spec.response;
  EXPECT_EQ(r.body, sim::pattern_body(2048));
  EXPECT_TRUE(r.chunked);
  EXPECT_EQ(r.chunk_size, 512u);
  EXPECT_TRUE(r.close);
}

TEST(ScenarioLoad, SameUpstreamRetriesRequireTheFeature) {
  const Scenario s = load_ok(R"([scenario]
name = "t"
description = "d"
requires = ["retries"]
[[upstream]]
name = "a"
[proxy]
retry = { attempts = 2, same_upstream = 1 }
)");
  EXPECT_EQ(s.proxy.retry.same_upstream, 1);
  // Added from the topology, so a proxy that cannot retry on the same upstream is skipped.
  ASSERT_EQ(s.meta.requirements.size(), 2u);
  EXPECT_EQ(s.meta.requirements[1].subject, "retry_same_upstream");
  EXPECT_FALSE(s.meta.requirements[1].is_version());
  EXPECT_EQ(s.meta.requirements[1].where.line, 8u);  // at the same_upstream value
  EXPECT_EQ(s.meta.requirements[1].where.column, 41u);
}

TEST(ScenarioLoad, DottedOverrideKeysStayOneKnob) {
  const Scenario s = load_ok(R"([scenario]
name = "t"
description = "d"
[[upstream]]
name = "a"
[proxy.override.lighttpd]
server.max-keep-alive-requests = 5
[proxy.override.trafficserver]
"proxy.config.http.insert_age_in_response" = 0
)");
  ASSERT_EQ(s.proxy.overrides.size(), 2u);
  ASSERT_EQ(s.proxy.overrides[0].knobs.size(), 1u);
  EXPECT_EQ(s.proxy.overrides[0].knobs[0].key, "server.max-keep-alive-requests");
  EXPECT_EQ(s.proxy.overrides[0].knobs[0].where.line, 7u);
  EXPECT_EQ(s.proxy.overrides[1].knobs[0].key, "proxy.config.http.insert_age_in_response");
}

}  // namespace

namespace {

TEST(ScenarioLoadSemantics, StepAtGracefulCloseAndDatedResponse) {
  const Scenario s = load_ok(R"([scenario]
name = "sem"
description = "d"
[[upstream]]
name = "a"
[[upstream.fault]]
fault = "close_mid_body"
params = { close = "graceful" }
[[upstream.fault]]
steps = [{ read = "whole" }, { graceful_close = "250ms" }]
[[step]]
at = "1.5s"
[[step.expect]]
status = 200
)");
  ASSERT_EQ(s.steps.size(), 1u);
  ASSERT_TRUE(s.steps[0].at.has_value());
  EXPECT_EQ(s.steps[0].at->value, sim::Duration(1500ms));
  EXPECT_EQ(s.steps[0].pause, sim::Duration{});
  EXPECT_EQ(s.steps[0].expects[0].severity, Severity::must) << "severity defaults to must";
  const auto& u = s.upstreams[0];
  EXPECT_TRUE(u.spec.response.date) << "scenario upstreams date their plain response";
  ASSERT_EQ(u.spec.rules.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<sim::GracefulClose>(u.spec.rules[0].script.back()));
  const auto* g = std::get_if<sim::GracefulClose>(&u.spec.rules[1].script.back());
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->max_wait, sim::Duration(250ms));
}

}  // namespace
