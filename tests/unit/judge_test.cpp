// Judging: checks against synthetic Observations and journals, verdicts with known deviations,
// and the glob and version matching deviations rely on.
#include "harness/run/judge.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harness/text/glob.hpp"

#include "harness/scenario/load.hpp"

namespace {

using namespace std::chrono_literals;
using bgw::run::CheckResult;
using bgw::run::Exchange;
using bgw::run::Verdict;

bgw::scenario::Scenario scenario(const std::string& expects, const std::string& more = "") {
  const std::string text =
      "[scenario]\nname = \"t-judge\"\ndescription = \"d\"\n\n[[upstream]]\nname = \"a\"\n\n" +
      more + "[[step]]\nrequest = { method = \"POST\", target = \"/x\" }\n\n" + expects;
  auto r = bgw::scenario::load_scenario_text(text, "t.toml");
  for (const auto& d : r.diagnostics) ADD_FAILURE() << d.to_string();
  return *r.scenario;
}

Exchange exchange(std::optional<int> status,
                  bgw::client::BodyState body = bgw::client::BodyState::complete,
                  std::chrono::milliseconds took = 10ms) {
  Exchange x;
  x.request = "POST /x";
  x.observation.connected = true;
  x.observation.status = status;
  x.observation.body_state = body;
  x.observation.timings.end = took;
  x.observation.timings.response_complete = took;
  return x;
}

const CheckResult& only(const std::vector<CheckResult>& checks, const std::string& kind) {
  for (const auto& c : checks)
    if (c.kind == kind) return c;
  static CheckResult none;
  ADD_FAILURE() << "no check " << kind;
  return none;
}

TEST(Judge, StatusAndTimingChecksSayWhatWasExpectedAndSeen) {
  const auto sc =
      scenario("[[step.expect]]\nseverity = \"must\"\nstatus = [502, 503]\nwithin = \"1s\"\n");
  const auto checks = bgw::run::evaluate(
      sc, "nginx", {exchange(200, bgw::client::BodyState::complete, 1500ms)}, {});
  ASSERT_EQ(checks.size(), 2u);
  const auto& status = only(checks, "status");
  EXPECT_FALSE(status.passed);
  EXPECT_EQ(status.expected, "502 or 503");
  EXPECT_EQ(status.observed, "200");
  const auto& within = only(checks, "within");
  EXPECT_FALSE(within.passed);
  EXPECT_EQ(within.observed, "after 1.500s");
}

// A 200 whose head arrived as `head` with body "hello".
Exchange with_head(const std::string& head, bgw::client::HeaderList headers) {
  Exchange x = exchange(200);
  x.observation.head_complete = true;
  x.observation.headers = std::move(headers);
  x.observation.body = "hello";
  x.observation.received = head + "hello";
  return x;
}

TEST(Judge, AnyOfPassesWhenOneAlternativePassesAndShowsEach) {
  const auto sc = scenario(
      "[[step.expect]]\nany_of = [{ status = 502 }, { status = 200, headers = { equal = { X-F = "
      "\"a b\" } } }]\n");
  const auto repaired =
      only(bgw::run::evaluate(
               sc, "x", {with_head("HTTP/1.1 200 OK\r\nX-F: a b\r\n\r\n", {{"X-F", "a b"}})}, {}),
           "any_of");
  EXPECT_TRUE(repaired.passed);
  EXPECT_EQ(repaired.severity, bgw::scenario::Severity::must) << "severity defaults to must";
  EXPECT_THAT(repaired.observed, testing::HasSubstr("(1) status: expected 502, got 200"));
  EXPECT_THAT(repaired.observed, testing::HasSubstr("(2) passed"));
  EXPECT_TRUE(only(bgw::run::evaluate(sc, "x", {exchange(502)}, {}), "any_of").passed);
  const auto neither = only(bgw::run::evaluate(sc, "x", {exchange(503)}, {}), "any_of");
  EXPECT_FALSE(neither.passed);
  EXPECT_THAT(neither.expected, testing::HasSubstr("(1) status 502 | (2) status 200, header"));
}

TEST(Judge, HeadContainsLooksAtTheExactHeadBytes) {
  const auto sc = scenario("[[step.expect]]\nhead_contains = \"X-Fold: a\\r\\n  b\"\n");
  // The parsed headers are the same either way; only the bytes tell a relayed fold.
  const auto relayed =
      with_head("HTTP/1.1 200 OK\r\nX-Fold: a\r\n  b\r\n\r\n", {{"X-Fold", "a b"}});
  const auto joined = with_head("HTTP/1.1 200 OK\r\nX-Fold: a b\r\n\r\n", {{"X-Fold", "a b"}});
  EXPECT_TRUE(only(bgw::run::evaluate(sc, "x", {relayed}, {}), "head_contains").passed);
  const auto c = only(bgw::run::evaluate(sc, "x", {joined}, {}), "head_contains");
  EXPECT_FALSE(c.passed);
  EXPECT_THAT(c.observed, testing::HasSubstr("X-Fold: a b"));
  EXPECT_THAT(c.observed, testing::Not(testing::HasSubstr("hello"))) << "the body is not the head";
}

TEST(Judge, PerProxyOverridesApply) {
  const auto sc = scenario(
      "[[step.expect]]\nseverity = \"must\"\nstatus = 502\n"
      "[step.expect.override.haproxy]\nstatus = 503\n");
  EXPECT_TRUE(only(bgw::run::evaluate(sc, "haproxy", {exchange(503)}, {}), "status").passed);
  EXPECT_FALSE(only(bgw::run::evaluate(sc, "nginx", {exchange(503)}, {}), "status").passed);
}

TEST(Judge, BodyStatesMapFromTheClientsView) {
  const auto sc = scenario("[[step.expect]]\nseverity = \"must\"\nbody = \"truncated\"\n");
  EXPECT_TRUE(
      only(bgw::run::evaluate(sc, "x", {exchange(200, bgw::client::BodyState::truncated)}, {}),
           "body")
          .passed);
  const auto c = only(
      bgw::run::evaluate(sc, "x", {exchange(200, bgw::client::BodyState::complete)}, {}), "body");
  EXPECT_FALSE(c.passed);
  EXPECT_THAT(c.observed, testing::StartsWith("complete"));
}

TEST(Judge, NonIdempotentRequestDeliveredToTwoUpstreamsIsCaught) {
  auto loaded = bgw::scenario::load_scenario_text(
      "[scenario]\nname = \"t\"\ndescription = \"d\"\n[[upstream]]\nname = "
      "\"a\"\n[[upstream]]\nname = \"b\"\n"
      "[[step]]\nrequest = { method = \"POST\" }\n[[expect]]\nseverity = "
      "\"must\"\nnon_idempotent_once = true\n",
      "t.toml");
  for (const auto& d : loaded.diagnostics) ADD_FAILURE() << d.to_string();
  ASSERT_TRUE(loaded.ok());
  auto head = [] {
    bgw::sim::Event e{};
    e.kind = bgw::sim::EventKind::request_head;
    e.detail = "POST / HTTP/1.1\r\nHost: p\r\nX-Bgw-Request: 1.1\r\n\r\n";
    return e;
  };
  std::map<std::string, std::vector<bgw::sim::Event>> journals{{"a", {head()}}, {"b", {head()}}};
  const auto c =
      only(bgw::run::evaluate(*loaded.scenario, "x", {}, journals), "non_idempotent_once");
  EXPECT_FALSE(c.passed);
  EXPECT_EQ(c.observed, "POST 1.1 reached a, b");
  journals.erase("b");
  EXPECT_TRUE(
      only(bgw::run::evaluate(*loaded.scenario, "x", {}, journals), "non_idempotent_once").passed);
}

TEST(Judge, CompleteToTheClientButCutAtTheUpstreamIsSilentTruncation) {
  const auto sc = scenario("[[step.expect]]\nseverity = \"must\"\nbody = \"truncated\"\n");
  bgw::sim::Event head{};
  head.kind = bgw::sim::EventKind::request_head;
  head.connection = 1;
  head.request = 1;
  head.detail = "POST /x HTTP/1.1\r\nX-Bgw-Request: 1.1\r\n\r\n";
  bgw::sim::Event wrote{};
  wrote.kind = bgw::sim::EventKind::wrote;
  wrote.connection = 1;
  wrote.request = 1;
  wrote.detail = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789";
  const std::map<std::string, std::vector<bgw::sim::Event>> journals{{"a", {head, wrote}}};
  const auto c = only(bgw::run::evaluate(sc, "x", {exchange(200)}, journals), "body");
  EXPECT_FALSE(c.passed);
  EXPECT_THAT(c.observed, testing::StartsWith("truncated_silently"));
  // The same upstream bytes, seen truncated by the client: detectable, as expected.
  EXPECT_TRUE(only(bgw::run::evaluate(sc, "x", {exchange(200, bgw::client::BodyState::truncated)},
                                      journals),
                   "body")
                  .passed);
}

CheckResult failed(const std::string& kind,
                   bgw::scenario::Severity s = bgw::scenario::Severity::must) {
  CheckResult c;
  c.kind = kind;
  c.subject = "step 1 (GET /)";
  c.severity = s;
  c.expected = "502";
  c.observed = "200";
  return c;
}

bgw::proxy::Deviation deviation(const std::string& scenario, const std::string& check,
                                const std::string& versions = "") {
  bgw::proxy::Deviation d;
  d.scenario = scenario;
  d.check = check;
  d.versions = versions;
  d.actual = "relays garbage";
  d.reason = "because";
  return d;
}

TEST(Judge, VerdictsFromChecksAndDeviations) {
  std::vector<CheckResult> checks{failed("status")};
  EXPECT_EQ(bgw::run::decide(checks, "garbage-status", {}, "1.22.1", false).verdict, Verdict::fail);
  checks = {failed("status")};
  const auto x = bgw::run::decide(checks, "garbage-status", {deviation("garbage-*", "status")},
                                  "1.22.1", false);
  EXPECT_EQ(x.verdict, Verdict::xfail);
  EXPECT_THAT(x.reason, testing::HasSubstr("relays garbage"));
  ASSERT_TRUE(checks[0].deviation.has_value());
  checks = {};
  EXPECT_EQ(bgw::run::decide(checks, "garbage-status", {deviation("garbage-*", "status")}, "1.22.1",
                             false)
                .verdict,
            Verdict::xpass);
  checks = {failed("status")};
  EXPECT_EQ(bgw::run::decide(checks, "garbage-status", {deviation("garbage-*", "status", ">=1.23")},
                             "1.22.1", false)
                .verdict,
            Verdict::fail);
  checks = {failed("status")};
  EXPECT_EQ(
      bgw::run::decide(checks, "garbage-status", {deviation("garbage-*", "body")}, "1.22.1", false)
          .verdict,
      Verdict::fail);
}

// A deviation that happens on some runs only (a proxy's coarse timers) covers the failure when
// it happens, and a run without it is a pass, not a stale-deviation xpass.
TEST(Judge, IntermittentDeviationIsXfailOrPassNeverXpass) {
  auto flaky = deviation("stall-*", "within");
  flaky.intermittent = true;
  std::vector<CheckResult> checks{failed("within")};
  EXPECT_EQ(bgw::run::decide(checks, "stall-before-headers", {flaky}, "5.7", false).verdict,
            Verdict::xfail);
  checks = {};
  EXPECT_EQ(bgw::run::decide(checks, "stall-before-headers", {flaky}, "5.7", false).verdict,
            Verdict::pass);
}

// "truncated" means the client can tell the response did not arrive whole: a cut body, or, from
// a proxy that had not sent the head yet, an error of its own or no response at all. A complete
// 200 is neither.
TEST(Judge, TruncatedAcceptsAVisibleFailureInsteadOfTheResponse) {
  const auto sc = scenario("[[step.expect]]\nseverity = \"must\"\nbody = \"truncated\"\n");
  const auto replaced = only(
      bgw::run::evaluate(sc, "x", {exchange(503, bgw::client::BodyState::complete)}, {}), "body");
  EXPECT_TRUE(replaced.passed);
  EXPECT_THAT(replaced.observed, testing::HasSubstr("own 503"));
  const auto none =
      only(bgw::run::evaluate(sc, "x",
                              {exchange(std::optional<int>(), bgw::client::BodyState::absent)}, {}),
           "body");
  EXPECT_TRUE(none.passed);
  EXPECT_THAT(none.observed, testing::StartsWith("no response"));
  EXPECT_FALSE(
      only(bgw::run::evaluate(sc, "x", {exchange(200, bgw::client::BodyState::complete)}, {}),
           "body")
          .passed);
}

TEST(Judge, ShouldFailuresAreDeviationsUnlessStrict) {
  std::vector<CheckResult> checks{failed("status", bgw::scenario::Severity::should)};
  const auto d = bgw::run::decide(checks, "s", {}, "", false);
  EXPECT_EQ(d.verdict, Verdict::pass);
  EXPECT_EQ(d.reason, "1 SHOULD deviation");
  EXPECT_EQ(bgw::run::decide(checks, "s", {}, "", true).verdict, Verdict::fail);
}

TEST(Judge, ExitCodes) {
  bgw::run::RunReport report;
  report.results.resize(2);
  report.results[0].verdict = Verdict::pass;
  report.results[1].verdict = Verdict::xfail;
  EXPECT_EQ(report.exit_code(), 0);
  report.results[1].verdict = Verdict::xpass;
  EXPECT_EQ(report.exit_code(), 1);
  report.results[0].verdict = Verdict::error;
  EXPECT_EQ(report.exit_code(), 3);
  report.interrupted = true;  // what the process exits with, and the JSON says
  EXPECT_EQ(report.exit_code(), 130);
}

TEST(Match, GlobAndVersions) {
  using bgw::proxy::version_satisfies;
  using bgw::text::glob_match;
  EXPECT_TRUE(glob_match("*header-no-colon*", "t-invalid-header-no-colon"));
  EXPECT_TRUE(glob_match("a?c", "abc"));
  EXPECT_FALSE(glob_match("a*d", "abc"));
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("fin-mid-body-[cu]*", "fin-mid-body-chunked"));  // fnmatch(3) sets
  EXPECT_FALSE(glob_match("fin-mid-body-[!c]*", "fin-mid-body-chunked"));
  EXPECT_TRUE(glob_match("a/*", "a/b"));  // no FNM_PATHNAME: names have no path
  EXPECT_TRUE(glob_match("*x", ".x"));    // no FNM_PERIOD
  EXPECT_TRUE(glob_match("a\\*", "a*"));  // backslash quotes
  EXPECT_FALSE(glob_match("a\\*", "ab"));
  EXPECT_TRUE(version_satisfies("1.22.1", "<1.23"));
  EXPECT_FALSE(version_satisfies("1.23.0", "<1.23"));
  EXPECT_TRUE(version_satisfies("2.6.12-1+deb12u4", ">=2.6"));
  EXPECT_TRUE(version_satisfies("1.22", "=1.22.0"));
  EXPECT_TRUE(version_satisfies("1.22.1", ""));
  EXPECT_FALSE(version_satisfies("", ">=1"));
  EXPECT_FALSE(version_satisfies("garbage", ">=1"));
}

}  // namespace
