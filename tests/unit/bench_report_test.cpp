// The bench's reports on a hand-built run: the JSON carries its schema and escapes what came
// from files; the HTML is self-contained (nothing fetched) and escapes every text; the console
// summary and the progress line say what happened.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "harness/bench/bench_report.hpp"
#include "harness/bench/progress_line.hpp"

namespace {

using namespace std::chrono_literals;
using bgw::bench::Nanos;
using testing::HasSubstr;
using testing::Not;

bgw::bench::BenchReport sample() {
  bgw::bench::BenchData d;
  d.upstreams = {"primary", "back<up>"};
  bgw::bench::TimelineMark m;
  m.upstream = "primary";
  m.action = "crash";
  m.at = 1s;
  m.scheduled = 1s;
  m.source = "x.toml:3:1";
  d.events.push_back(m);
  auto rec = [](std::uint64_t id, Nanos at, Nanos lat, int status, bgw::load::Outcome o) {
    bgw::load::RequestRecord r;
    r.id = id;
    r.intended = at;
    r.latency = lat;
    r.status = status;
    r.outcome = o;
    return r;
  };
  d.load.records = {rec(1, 100ms, 1ms, 200, bgw::load::Outcome::response),
                    rec(2, 1000ms, 3ms, 0, bgw::load::Outcome::reset),
                    rec(3, 1100ms, 2ms, 502, bgw::load::Outcome::response)};
  d.load.sent = 3;
  d.load.completed = 2;
  d.load.failed = 2;
  d.load.elapsed = 2s;
  d.deliveries = {bgw::bench::Delivery{.upstream = 0, .id = 1, .at = 100ms},
                  bgw::bench::Delivery{.upstream = 0, .id = 3, .at = 1100ms},
                  bgw::bench::Delivery{.upstream = 1, .id = 3, .at = 1101ms}};
  bgw::bench::BenchReport r;
  r.scenario = "s<1>";
  r.file = "x.toml";
  r.description = "<script>alert('x')</script> & \"quotes\"";
  r.proxy = "nginx";
  r.proxy_version = "1.22.1";
  r.config.duration = 2s;
  r.metrics = bgw::bench::derive_metrics(d);
  r.warnings = {"a <b> warning"};
  return r;
}

TEST(BenchReport, JsonHasTheSchemaAndEscapesStrings) {
  std::ostringstream out;
  bgw::bench::write_json(sample(), out);
  const std::string j = out.str();
  EXPECT_THAT(j, testing::StartsWith("{\"schema\":\"badgateway.bench/1\""));
  EXPECT_THAT(j, HasSubstr("\"description\":\"<script>alert('x')</script> & \\\"quotes\\\"\""));
  EXPECT_THAT(j, HasSubstr("\"sent\":3,\"responses\":2,\"transport_errors\":1,\"failed\":2"));
  EXPECT_THAT(j, HasSubstr("\"kind\":\"disruptive\",\"at_ms\":1000,"));
  EXPECT_THAT(j, HasSubstr("\"time_to_detect_ms\":102,"));  // the 502 ended at 1102ms
  EXPECT_THAT(j, HasSubstr("\"time_to_recover_ms\":null"));
  EXPECT_THAT(j, HasSubstr("\"examples\":[{\"id\":3,\"upstreams\":[\"primary\",\"back<up>\"]}]"));
  EXPECT_THAT(j, HasSubstr("\"errors\":{\"http_502\":1,\"reset\":1}"));
  EXPECT_EQ(j.back(), '\n');
  // Balanced braces and brackets outside strings: a cheap well-formedness check.
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < j.size(); ++i) {
    const char c = j[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    if (c == '{' || c == '[') ++depth;
    if (c == '}' || c == ']') --depth;
    ASSERT_GE(depth, 0);
  }
  EXPECT_EQ(depth, 0);
}

TEST(BenchReport, HtmlIsSelfContainedAndEscaped) {
  std::ostringstream out;
  bgw::bench::write_html(sample(), out);
  const std::string h = out.str();
  EXPECT_THAT(h, testing::StartsWith("<!DOCTYPE html>"));
  EXPECT_THAT(h, HasSubstr("<svg"));
  EXPECT_THAT(h, HasSubstr("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quotes"));
  EXPECT_THAT(h, HasSubstr("back&lt;up&gt;"));
  EXPECT_THAT(h, HasSubstr("a &lt;b&gt; warning"));
  EXPECT_THAT(h, HasSubstr("primary crash"));  // the event's label on the timeline
  // Nothing is fetched: no script, no stylesheet or image links, no url() or @import.
  for (const char* s : {"<script", "<link", " src=", "href=", "url(", "@import", "https:"})
    EXPECT_THAT(h, Not(HasSubstr(s))) << s;
  EXPECT_THAT(h, HasSubstr("</html>"));
}

TEST(BenchReport, ConsoleSummarySaysWhatClientsSuffered) {
  std::ostringstream out;
  bgw::bench::write_console(sample(), out);
  const std::string c = out.str();
  EXPECT_THAT(c, HasSubstr("sent 3, responses 2, transport errors 1, failed 2"));
  EXPECT_THAT(c, HasSubstr("primary crash"));
  EXPECT_THAT(c, HasSubstr("2 failed (http_502 1, reset 1); detected after 102.0ms"));
  EXPECT_THAT(c, HasSubstr("1 request reached an upstream more than once"));
  EXPECT_THAT(c, HasSubstr("warning: a <b> warning"));
}

TEST(BenchReport, HumanDurations) {
  EXPECT_EQ(bgw::bench::human(Nanos(412'000)), "412us");
  EXPECT_EQ(bgw::bench::human(Nanos(3'456'000)), "3.46ms");
  EXPECT_EQ(bgw::bench::human(Nanos(12'340'000)), "12.3ms");
  EXPECT_EQ(bgw::bench::human(Nanos(1'204'000'000)), "1.204s");
}

TEST(BenchReport, ProgressLineOnlyOnATerminalAndClearedAfter) {
  bgw::load::Progress p;
  p.at = 1500ms;
  p.sent = 750;
  p.completed = 740;
  p.failed = 3;
  p.p99_ns_last_interval = 2'500'000;
  EXPECT_EQ(bgw::bench::ProgressLine::format(p, 5s, 498),
            "     1.5s / 5.0s       498 req/s  sent 750  failed 3  p99 2.50ms");
  std::ostringstream off;
  bgw::bench::ProgressLine quiet(off, 5s, false);
  quiet.update(p);
  quiet.clear();
  EXPECT_EQ(off.str(), "");
  std::ostringstream on;
  bgw::bench::ProgressLine live(on, 5s, true);
  live.update(p);
  live.clear();
  EXPECT_THAT(on.str(), testing::StartsWith("\r"));
  EXPECT_THAT(on.str(), HasSubstr("req/s"));
  EXPECT_THAT(on.str(), testing::EndsWith("\r\x1b[K"));
}

}  // namespace
