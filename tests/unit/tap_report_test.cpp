// TAP version 14 of a run: the plan, one test point per scenario with SKIP and TODO directives,
// and YAML diagnostics under every `not ok`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "harness/run/tap_report.hpp"

namespace {

using namespace bgw::run;
using namespace std::chrono_literals;

ScenarioResult result(const std::string& name, Verdict v, const std::string& reason = "") {
  ScenarioResult r;
  r.name = name;
  r.file = "s/" + name + ".toml";
  r.verdict = v;
  r.reason = reason;
  r.elapsed = 12500us;
  return r;
}

std::string tap(const RunReport& r) {
  std::ostringstream out;
  write_tap(r, out);
  return out.str();
}

TEST(TapReport, EveryVerdictHasItsTestPoint) {
  RunReport r;
  r.badgateway_version = "0.1.0";
  r.proxy = "nginx";
  r.proxy_version = "1.22.1";
  auto fail = result("bad #1", Verdict::fail, "status: expected 502, observed \"200\"");
  CheckResult c;
  c.kind = "status";
  c.subject = "step 1 (GET /)";
  c.expected = "502";
  c.observed = "200";
  c.why = "RFC 9110\n15.6.3";
  c.where.file = std::make_shared<const std::string>("s/bad.toml");
  c.where.line = 4;
  c.where.column = 1;
  fail.checks = {c};
  fail.run_dir = "/tmp/run";
  auto flaky = result("wobbly", Verdict::fail, "status");
  flaky.runs = {Verdict::pass, Verdict::fail};
  r.results = {result("good", Verdict::pass), result("later", Verdict::skip, "needs h2\nmore"),
               result("known", Verdict::xfail, "known deviation: 200"), fail, flaky};
  EXPECT_EQ(tap(r),
            "TAP version 14\n"
            "1..5\n"
            "# badgateway 0.1.0 against nginx 1.22.1\n"
            "ok 1 - good\n"
            "ok 2 - later # SKIP needs h2\n"
            "not ok 3 - known # TODO known deviation: 200\n"
            "  ---\n"
            "  verdict: xfail\n"
            "  message: \"known deviation: 200\"\n"
            "  file: \"s/known.toml\"\n"
            "  elapsed_ms: 12.5\n"
            "  ...\n"
            "not ok 4 - bad \\#1\n"
            "  ---\n"
            "  verdict: fail\n"
            "  message: \"status: expected 502, observed \\\"200\\\"\"\n"
            "  file: \"s/bad #1.toml\"\n"
            "  elapsed_ms: 12.5\n"
            "  checks:\n"
            "    - kind: \"status\"\n"
            "      subject: \"step 1 (GET /)\"\n"
            "      severity: must\n"
            "      expected: \"502\"\n"
            "      observed: \"200\"\n"
            "      why: \"RFC 9110\\n15.6.3\"\n"
            "      at: \"s/bad.toml:4:1\"\n"
            "  run_dir: \"/tmp/run\"\n"
            "  ...\n"
            "not ok 5 - wobbly # TODO flaky: pass, fail\n"
            "  ---\n"
            "  verdict: flaky\n"
            "  message: \"status\"\n"
            "  file: \"s/wobbly.toml\"\n"
            "  elapsed_ms: 12.5\n"
            "  runs: [pass, fail]\n"
            "  ...\n");
}

TEST(TapReport, AnEmptyShardIsASkippedPlan) {
  RunReport r;
  r.badgateway_version = "0.1.0";
  r.proxy = "nginx";
  r.shard = Shard{3, 3};
  EXPECT_EQ(tap(r),
            "TAP version 14\n"
            "1..0 # SKIP no scenarios in shard 3/3\n"
            "# badgateway 0.1.0 against nginx, shard 3/3\n");
}

}  // namespace
