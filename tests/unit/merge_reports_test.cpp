// `badgateway merge`: a JSON report reads back into the report that wrote it, and reports merge
// only when they belong together (one badgateway, one proxy, disjoint scenarios, every shard).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "harness/run/console_report.hpp"
#include "harness/run/json_report_reader.hpp"
#include "harness/run/merge_reports.hpp"

namespace {

using namespace bgw::run;
using namespace std::chrono_literals;
using testing::HasSubstr;

ScenarioResult scenario(const std::string& name, Verdict v) {
  ScenarioResult r;
  r.name = name;
  r.file = "scenarios/" + name + ".toml";
  r.description = "about " + name + " \xC3\xA9";
  r.verdict = v;
  r.reason = v == Verdict::pass ? "" : "status: expected 502, observed 200";
  r.elapsed = 250ms;
  if (v == Verdict::fail) {
    CheckResult c;
    c.kind = "status";
    c.subject = "step 1 (GET /)";
    c.expected = "502";
    c.observed = "200";
    c.why = "RFC 9110 15.6.3";
    c.where.file = std::make_shared<const std::string>("c:/x.toml");
    c.where.line = 12;
    c.where.column = 3;
    c.deviation = bgw::proxy::Deviation{.actual = "200", .reason = "known", .link = "http://x"};
    r.checks.push_back(c);
    Exchange x;
    x.request_bytes = std::string("GET / HTTP/1.1\r\n\r\n\x00\xff", 20);
    x.observation.connected = true;
    x.observation.ending = bgw::client::Ending::reset;
    x.observation.status = 200;
    x.observation.status_line = "HTTP/1.1 200 OK";
    x.observation.body_state = bgw::client::BodyState::truncated;
    x.observation.received = std::string("HTTP/1.1 200 OK\r\n\x01\x80", 19);
    r.exchanges.push_back(x);
    r.upstream_journal = "{\"event\":\"accept\"}\n";
    r.proxy_log_tail = "error \xfe";
  }
  return r;
}

RunReport report(std::vector<ScenarioResult> results, std::optional<Shard> shard = {}) {
  RunReport r;
  r.proxy = "nginx";
  r.proxy_version = "1.22.1";
  r.shard = shard;
  r.started = std::chrono::system_clock::time_point(std::chrono::seconds(1764800000));
  r.elapsed = 1500ms;
  r.results = std::move(results);
  return r;
}

std::string json_of(const RunReport& r) {
  std::ostringstream out;
  write_json(r, out);
  return out.str();
}

TEST(MergeReports, AJsonReportReadsBackIntoTheSameReport) {
  RunReport r = report(
      {scenario("a", Verdict::fail), scenario("b", Verdict::pass), scenario("c", Verdict::skip)},
      Shard{2, 3});
  r.results[2].proxy_missing = true;
  r.results[1].runs = {Verdict::pass, Verdict::fail, Verdict::pass};
  r.results[1].verdict = Verdict::fail;
  r.repeat = 3;
  const std::string text = json_of(r);
  const auto read = read_json_report(text);
  ASSERT_TRUE(read.report) << read.error;
  EXPECT_EQ(json_of(*read.report), text);
  EXPECT_EQ(read.report->shard, (Shard{2, 3}));
  EXPECT_EQ(read.report->results[0].exchanges[0].request_bytes,
            r.results[0].exchanges[0].request_bytes);
  EXPECT_EQ(read.report->results[0].checks[0].where.to_string(), "c:/x.toml:12:3");
  EXPECT_TRUE(read.report->results[1].flaky());
}

TEST(MergeReports, ABrokenReportIsNamedByItsField) {
  EXPECT_THAT(read_json_report("{").error, HasSubstr("not JSON"));
  EXPECT_THAT(read_json_report("{\"schema\":\"other/1\"}").error, HasSubstr("schema 'other/1'"));
  std::string text = json_of(report({scenario("a", Verdict::pass)}));
  text.replace(text.find("\"verdict\":\"pass\""), 16, "\"verdict\":\"good\"");
  EXPECT_THAT(read_json_report(text).error,
              HasSubstr("scenarios[0].verdict: unknown verdict 'good'"));
}

std::variant<RunReport, std::string> merge(std::vector<RunReport> reports) {
  std::vector<NamedReport> named;
  for (std::size_t i = 0; i < reports.size(); ++i)
    named.push_back({"r" + std::to_string(i + 1) + ".json", std::move(reports[i])});
  return merge_reports(std::move(named));
}

std::string error_of(std::vector<RunReport> reports) {
  auto merged = merge(std::move(reports));
  auto* error = std::get_if<std::string>(&merged);
  return error ? *error : "(merged)";
}

TEST(MergeReports, ShardsMergeIntoOneRunInFileOrder) {
  auto a = report({scenario("c", Verdict::fail), scenario("a", Verdict::pass)}, Shard{1, 3});
  auto b = report({}, Shard{2, 3});
  auto c = report({scenario("b", Verdict::xfail)}, Shard{3, 3});
  c.elapsed = 4s;
  c.started -= 10s;
  auto merged = merge({a, b, c});
  ASSERT_TRUE(std::holds_alternative<RunReport>(merged)) << std::get<std::string>(merged);
  const auto& m = std::get<RunReport>(merged);
  ASSERT_EQ(m.results.size(), 3u);
  EXPECT_EQ(m.results[0].name, "a");
  EXPECT_EQ(m.results[1].name, "b");
  EXPECT_EQ(m.results[2].name, "c");
  EXPECT_EQ(m.elapsed, 4s);
  EXPECT_EQ(m.started, c.started);
  EXPECT_FALSE(m.shard);
  EXPECT_EQ(m.count(Verdict::fail), 1u);
  EXPECT_EQ(m.exit_code(), 1);
}

TEST(MergeReports, ReportsThatDoNotBelongTogetherAreRefused) {
  auto a = report({scenario("a", Verdict::pass)}, Shard{1, 2});
  auto b = report({scenario("b", Verdict::pass)}, Shard{2, 2});
  auto other_proxy = b;
  other_proxy.proxy = "haproxy";
  EXPECT_THAT(error_of({a, other_proxy}),
              HasSubstr("r1.json ran against nginx 1.22.1, r2.json against haproxy 1.22.1"));
  auto other_version = b;
  other_version.badgateway_version = "9.9.9";
  EXPECT_THAT(error_of({a, other_version}), HasSubstr("by badgateway 9.9.9"));
  auto overlap = b;
  overlap.results.push_back(scenario("a", Verdict::fail));
  EXPECT_THAT(error_of({a, overlap}),
              HasSubstr("scenario 'a' is in both r1.json and r2.json: the reports overlap"));
  EXPECT_THAT(error_of({a}), HasSubstr("shard 2/2 missing"));
  EXPECT_THAT(error_of({a, a}), HasSubstr("r1.json and r2.json are both shard 1/2"));
  auto three = report({}, Shard{3, 3});
  EXPECT_THAT(error_of({a, three}), HasSubstr("shards of different counts"));
  auto plain = report({scenario("z", Verdict::pass)});
  EXPECT_THAT(error_of({a, plain}), HasSubstr("r2.json is not a shard, r1.json is shard 1/2"));
  EXPECT_EQ(error_of({plain, report({scenario("y", Verdict::pass)})}), "(merged)");
}

}  // namespace
