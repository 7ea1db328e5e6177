// The matrix's three outputs rendered from hand-built results: the HTML report (structure,
// cells, evidence, and that hostile bytes from a proxy stay text), the Markdown table and the
// JSON (schema badgateway.matrix/1, syntactically valid, ASCII only).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <cctype>
#include <memory>
#include <regex>
#include <sstream>
#include <string>

#include "harness/matrix/html_writer.hpp"
#include "harness/matrix/json_writer.hpp"
#include "harness/matrix/markdown_writer.hpp"
#include "harness/matrix/sha256.hpp"
#include "harness/text/escape.hpp"

namespace {

using namespace std::string_literals;
using namespace std::chrono_literals;
using bgw::run::Verdict;
using testing::HasSubstr;
using testing::Not;

// What a malicious or broken proxy might send, and what a careless adapter might say.
const std::string hostile_bytes =
    "HTTP/1.1 200 OK\r\nX-Evil: \"><script>alert('head')</script>\r\n\r\n"
    "</pre></details><script>alert(\"body\")</script><img src=x onerror=alert(1)>\0\xff\xfe\xc0\xbc"s;

bgw::run::ScenarioResult result(const std::string& name, Verdict v) {
  bgw::run::ScenarioResult r;
  r.name = name;
  r.file = "scenarios/basic/" + name + ".toml";
  r.verdict = v;
  r.elapsed = 120ms;
  return r;
}

bgw::run::Exchange hostile_exchange() {
  bgw::run::Exchange x;
  x.request = "GET /x";
  x.request_bytes = "GET /<script>x</script> HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  x.observation.connected = true;
  x.observation.status = 200;
  x.observation.status_line = "HTTP/1.1 200 OK";
  x.observation.reason = "OK";
  x.observation.head_complete = true;
  x.observation.received = hostile_bytes;
  x.observation.ending = bgw::client::Ending::eof;
  return x;
}

bgw::matrix::Matrix hostile_matrix() {
  bgw::matrix::Matrix m;
  m.generated = std::chrono::system_clock::time_point{} + 1'800'000'000s;
  m.elapsed = 12s;
  m.command_line = "badgateway matrix --filter '<b>*'";
  m.rows = {{.name = "t-pass",
             .file = "scenarios/basic/t-pass.toml",
             .group = "basic",
             .description = "All good; RFC 9110 \xc2\xa7"
                            "15.6.3 <b>bold?</b>",
             .spec = {"RFC 9110 \xc2\xa7"
                      "15.6.3",
                      "<i>x</i>"}},
            {.name = "t-hostile",
             .file = "scenarios/basic/t-hostile.toml",
             .group = "basic",
             .description = "</th><script>alert('desc')</script>\xff"},
            {.name = "t-deviation", .file = "scenarios/other/t-deviation.toml", .group = "other"}};

  bgw::matrix::ProxyColumn a{.name = "alpha", .version = "1.2.3|<b>"};
  a.results.push_back(result("t-pass", Verdict::pass));
  auto should = result("t-hostile", Verdict::pass);
  should.reason = "1 SHOULD deviation";
  should.checks.push_back({.kind = "status",
                           .subject = "step 1 (GET /x)",
                           .passed = false,
                           .severity = bgw::scenario::Severity::should,
                           .expected = "502",
                           .observed = "<script>alert('observed')</script>\0\xff"s,
                           .why = "RFC 9209 \"quotes\""});
  should.exchanges.push_back(hostile_exchange());
  should.upstream_journal = "{\"t_ms\":1.0,\"upstream\":\"a\",\"detail\":\"<script>\"}\n";
  should.proxy_log_tail = "error: <script>alert('log')</script>\xff\n";
  a.results.push_back(should);
  auto xfail = result("t-deviation", Verdict::xfail);
  xfail.reason = "known deviation: 200";
  bgw::proxy::Deviation d{.scenario = "t-*",
                          .check = "status",
                          .actual = "200 <relayed>",
                          .reason = "the parser accepts it",
                          .link = "javascript:alert('link')"};
  xfail.checks.push_back({.kind = "status",
                          .subject = "step 1",
                          .passed = false,
                          .expected = "502",
                          .observed = "200",
                          .deviation = d});
  d.link = "https://github.com/nginx/nginx/blob/release-1.22.1/src/http/ngx_http_parse.c";
  xfail.checks.push_back({.kind = "body",
                          .subject = "step 1",
                          .passed = false,
                          .expected = "truncated",
                          .observed = "complete",
                          .deviation = d});
  a.results.push_back(xfail);

  bgw::matrix::ProxyColumn b{.name = "beta", .version = "2.0"};
  b.results.push_back(result("t-pass", Verdict::fail));
  b.results.back().reason = "status of step 1: expected 502, got 200";
  b.results.push_back(result("t-hostile", Verdict::error));
  b.results.back().reason = "cannot start: <script>";
  b.results.push_back(result("t-deviation", Verdict::xpass));
  b.results.back().reason = "known deviation no longer happens: 200";

  bgw::matrix::ProxyColumn c{.name = "gamma", .skip_reason = "gamma is not installed"};
  for (const auto& row : m.rows)
    c.results.push_back(bgw::matrix::skipped_result(row, c, c.skip_reason));
  m.columns = {a, b, c};
  return m;
}

std::string html_of(const bgw::matrix::Matrix& m) {
  std::ostringstream out;
  bgw::matrix::write_html(m, out);
  return out.str();
}

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + 1))
    ++n;
  return n;
}

// The cell kind of (scenario, proxy) as the HTML states it.
std::string html_cell(const std::string& html, const std::string& scenario,
                      const std::string& proxy) {
  const std::regex re("data-cell=\"([a-z]+)\"><details class=\"obs\" id=\"" +
                      bgw::matrix::cell_id(scenario, proxy) + "\"");
  std::smatch m;
  return std::regex_search(html, m, re) ? m[1].str() : "";
}

TEST(MatrixHtml, OneRowPerScenarioOneColumnPerProxyWithTheRightCells) {
  const std::string html = html_of(hostile_matrix());
  EXPECT_THAT(html, testing::StartsWith("<!DOCTYPE html>"));
  EXPECT_EQ(html_cell(html, "t-pass", "alpha"), "pass");
  EXPECT_EQ(html_cell(html, "t-hostile", "alpha"), "should");
  EXPECT_EQ(html_cell(html, "t-deviation", "alpha"), "xfail");
  EXPECT_EQ(html_cell(html, "t-pass", "beta"), "fail");
  EXPECT_EQ(html_cell(html, "t-hostile", "beta"), "error");
  EXPECT_EQ(html_cell(html, "t-deviation", "beta"), "xpass");
  EXPECT_EQ(html_cell(html, "t-pass", "gamma"), "skip");
  EXPECT_EQ(count(html, "<tr class=\"scenario\""), 3u);
  EXPECT_EQ(count(html, "<th class=\"proxy\""), 3u);
  EXPECT_EQ(count(html, "<tr class=\"group\""), 2u);  // basic, other
  EXPECT_THAT(html, HasSubstr("gamma<span class=\"skip-reason\">skipped: gamma is not installed"));
  EXPECT_THAT(html, HasSubstr("RFC 9110 \xc2\xa7"
                              "15.6.3"));
  EXPECT_THAT(html, HasSubstr("2027-01-15T08:00:00Z"));
  // Counts per proxy at the bottom: alpha has one pass, beta none.
  EXPECT_THAT(html, HasSubstr("<tr class=\"count\" data-cell=\"pass\">"));
  EXPECT_THAT(html, testing::ContainsRegex(
                        "data-cell=\"pass\">.*<td class=\"count\" data-proxy=\"alpha\">1</td>"
                        "<td class=\"count\" data-proxy=\"beta\">0</td>"));
}

TEST(MatrixHtml, ACellShowsTheEvidence) {
  const std::string html = html_of(hostile_matrix());
  // Checks with severity, expected and observed; the deviation's reason and (safe) link.
  EXPECT_THAT(html, HasSubstr("<td>SHOULD</td><td>status of step 1 (GET /x)"));
  EXPECT_THAT(html, HasSubstr("the parser accepts it"));
  EXPECT_THAT(html, HasSubstr("<a href=\"https://github.com/nginx/nginx/blob/release-1.22.1/src/"
                              "http/ngx_http_parse.c\" rel=\"noreferrer noopener\">"));
  // The client's bytes line by line, the journal and the proxy's log.
  EXPECT_THAT(html, HasSubstr("<pre class=\"sent\">GET /&lt;script&gt;x&lt;/script&gt; "
                              "HTTP/1.1\\r\\n\nHost: 127.0.0.1\\r\\n\n"));
  EXPECT_THAT(html, HasSubstr("proxy \u2194 upstreams (journal)"));
  EXPECT_THAT(html, HasSubstr("proxy log (tail)"));
}

TEST(MatrixHtml, HostileBytesNeverBecomeMarkup) {
  const std::string html = html_of(hostile_matrix());
  // Exactly our own script and style blocks; no other element from the data.
  EXPECT_EQ(count(html, "<script"), 1u);
  EXPECT_EQ(count(html, "<style"), 1u);
  EXPECT_EQ(count(html, "<img"), 0u);
  EXPECT_EQ(count(html, "<b>"), 0u);
  EXPECT_EQ(count(html, "<i>"), 0u);
  EXPECT_THAT(html, Not(HasSubstr("href=\"javascript"))) << "an unsafe link became an href";
  EXPECT_THAT(html, Not(HasSubstr(" onerror=alert(1)>")));
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(&#39;desc&#39;)&lt;/script&gt;\\xff"));
  EXPECT_THAT(html, HasSubstr("&lt;img src=x onerror=alert(1)&gt;\\0\\xff\\xfe\\xc0\\xbc"));
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(&#39;observed&#39;)&lt;/script&gt;\\x00\\xff"));
  EXPECT_THAT(html, HasSubstr("1.2.3|&lt;b&gt;"));
  EXPECT_EQ(html.find('\0'), std::string::npos);
  for (std::size_t i = 0; i < html.size();) {
    char32_t cp = 0;
    const std::size_t n = bgw::text::decode_utf8(html, i, cp);
    ASSERT_NE(n, 0u) << "invalid UTF-8 at byte " << i;
    i += n;
  }
}

std::string between(const std::string& s, const std::string& open, const std::string& close) {
  const auto a = s.find(open);
  if (a == std::string::npos) return {};
  const auto b = s.find(close, a + open.size());
  return b == std::string::npos ? std::string() : s.substr(a + open.size(), b - a - open.size());
}

TEST(MatrixHtml, SelfContainedWithAPolicyNamingItsOwnBlocks) {
  const std::string html = html_of(hostile_matrix());
  const std::string policy = between(html, "Content-Security-Policy\" content=\"", "\"");
  EXPECT_THAT(policy, HasSubstr("default-src 'none'"));
  EXPECT_THAT(policy,
              HasSubstr("'" + bgw::matrix::csp_hash(between(html, "<style>", "</style>")) + "'"));
  EXPECT_THAT(policy,
              HasSubstr("'" + bgw::matrix::csp_hash(between(html, "<script>", "</script>")) + "'"));
  // Nothing is fetched: no external references at all.
  EXPECT_THAT(html, Not(HasSubstr("src=\"")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
  EXPECT_THAT(html, Not(HasSubstr("@import")));
  EXPECT_THAT(html, Not(HasSubstr("url(")));
}

TEST(MatrixHtml, LargeTranscriptsAreBounded) {
  auto m = hostile_matrix();
  m.columns[0].results[1].exchanges[0].observation.received = std::string(100000, 'x');
  std::ostringstream out;
  bgw::matrix::write_html(m, out, {.received_bytes = 1000});
  EXPECT_THAT(out.str(), HasSubstr("...(100000 bytes, first 1000 shown)"));
  EXPECT_LT(out.str().size(), 60000u);
}

TEST(MatrixMarkdown, ACompactTableWithLegendCountsAndDeviations) {
  std::ostringstream out;
  bgw::matrix::write_markdown(hostile_matrix(), out);
  const std::string md = out.str();
  std::istringstream lines(md);
  std::string line;
  std::vector<std::string> table;
  while (std::getline(lines, line) && line.starts_with("|")) table.push_back(line);
  ASSERT_EQ(table.size(), 2u + 2u + 3u + 1u);  // header, rule, 2 groups, 3 rows, counts
  EXPECT_EQ(table[0], "| scenario | alpha 1.2.3\\|&lt;b&gt; | beta 2.0 | gamma (skipped) |");
  EXPECT_EQ(table[2], "| ***basic*** | | | |");
  EXPECT_EQ(table[3], "| t-pass | \u2713 pass | \u2717 **fail** | \u2013 skip |");
  EXPECT_EQ(table[4], "| t-hostile | \u2248 should | \u26a0 **error** | \u2013 skip |");
  EXPECT_EQ(table[6], "| t-deviation | \u2691 xfail | \u2049 **xpass** | \u2013 skip |");
  EXPECT_EQ(table[7],
            "| **counts** | 1\u2713 1\u2248 1\u2691 | 1\u2717 1\u2049 1\u26a0 | 3\u2013 |");
  // Every table line has the same number of unescaped pipes.
  for (const auto& l : table) {
    std::size_t pipes = 0;
    for (std::size_t i = 0; i < l.size(); ++i) pipes += l[i] == '|' && (i == 0 || l[i - 1] != '\\');
    EXPECT_EQ(pipes, 5u) << l;
  }
  EXPECT_THAT(md, HasSubstr("\u2713 pass: every check held"));
  EXPECT_THAT(md, HasSubstr("- alpha, t-deviation (body): 200 &lt;relayed&gt;. the parser accepts "
                            "it ([source](https://github.com/nginx/nginx/blob/release-1.22.1/src/"
                            "http/ngx_http_parse.c))"));
  EXPECT_THAT(md, HasSubstr("- alpha, t-deviation (status): 200 &lt;relayed&gt;. the parser "
                            "accepts it (javascript:alert('link'))"));
  EXPECT_THAT(md, HasSubstr("- beta, t-deviation (xpass): known deviation no longer happens"));
  EXPECT_THAT(md, HasSubstr("- gamma: gamma is not installed"));
  EXPECT_THAT(md, Not(HasSubstr("<script")));
}

// A strict JSON syntax check (RFC 8259), enough to prove the writer's output parses.
class JsonChecker {
 public:
  explicit JsonChecker(const std::string& s) : s_(s) {}
  bool document() {
    ws();
    if (!value()) return false;
    ws();
    return i_ == s_.size();
  }
  std::size_t at() const { return i_; }

 private:
  bool value() {
    if (i_ >= s_.size()) return false;
    switch (s_[i_]) {
      case '{':
        return object();
      case '[':
        return array();
      case '"':
        return string();
      case 't':
        return literal("true");
      case 'f':
        return literal("false");
      case 'n':
        return literal("null");
      default:
        return number();
    }
  }
  bool object() {
    ++i_;
    ws();
    if (peek('}')) return ++i_, true;
    for (;;) {
      ws();
      if (!string()) return false;
      ws();
      if (!peek(':')) return false;
      ++i_;
      ws();
      if (!value()) return false;
      ws();
      if (peek('}')) return ++i_, true;
      if (!peek(',')) return false;
      ++i_;
    }
  }
  bool array() {
    ++i_;
    ws();
    if (peek(']')) return ++i_, true;
    for (;;) {
      ws();
      if (!value()) return false;
      ws();
      if (peek(']')) return ++i_, true;
      if (!peek(',')) return false;
      ++i_;
    }
  }
  bool string() {
    if (!peek('"')) return false;
    for (++i_; i_ < s_.size(); ++i_) {
      const auto c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') return ++i_, true;
      if (c < 0x20) return false;
      if (c != '\\') continue;
      if (++i_ >= s_.size()) return false;
      const char e = s_[i_];
      if (e == 'u') {
        for (int k = 0; k < 4; ++k)
          if (++i_ >= s_.size() || !std::isxdigit(static_cast<unsigned char>(s_[i_]))) return false;
      } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
        return false;
      }
    }
    return false;
  }
  bool number() {
    const std::size_t start = i_;
    if (peek('-')) ++i_;
    while (i_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[i_])) || s_[i_] == '.' ||
                              s_[i_] == 'e' || s_[i_] == 'E' || s_[i_] == '+' || s_[i_] == '-'))
      ++i_;
    return i_ > start;
  }
  bool literal(std::string_view word) {
    if (s_.compare(i_, word.size(), word) != 0) return false;
    i_ += word.size();
    return true;
  }
  bool peek(char c) const { return i_ < s_.size() && s_[i_] == c; }
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\r' || s_[i_] == '\t'))
      ++i_;
  }
  const std::string& s_;
  std::size_t i_ = 0;
};

// Written through Boost.JSON: valid UTF-8 JSON whatever the proxies sent, each proxy and scenario
// on a line of its own; the values read back as they were (text as UTF-8, wire bytes one
// character per byte).
TEST(MatrixJson, VersionedValidJsonWithEveryCell) {
  std::ostringstream out;
  bgw::matrix::write_json(hostile_matrix(), out);
  const std::string json = out.str();
  JsonChecker checker(json);
  EXPECT_TRUE(checker.document()) << "invalid JSON near byte " << checker.at() << ": "
                                  << json.substr(checker.at() > 40 ? checker.at() - 40 : 0, 80);
  for (std::size_t i = 0; i < json.size();) {
    char32_t cp = 0;
    const std::size_t n = bgw::text::decode_utf8(json, i, cp);
    ASSERT_GT(n, 0u) << "invalid UTF-8 at byte " << i;
    ASSERT_TRUE(cp == '\n' || cp >= 0x20) << "raw control character at byte " << i;
    i += n;
  }
  EXPECT_THAT(json, testing::StartsWith("{\"schema\":\"badgateway.matrix/1\""));
  EXPECT_THAT(json, HasSubstr("\"generated\":\"2027-01-15T08:00:00Z\""));
  EXPECT_THAT(json, HasSubstr("{\"name\":\"alpha\",\"version\":\"1.2.3|<b>\""));
  EXPECT_THAT(json, HasSubstr("\"skipped\":true,\"skip_reason\":\"gamma is not installed\""));
  EXPECT_THAT(json, HasSubstr("\"counts\":{\"pass\":1,\"should\":1,\"xfail\":1,\"fail\":0,"
                              "\"xpass\":0,\"error\":0,\"skip\":0}"));
  EXPECT_THAT(json, HasSubstr("\"alpha\":{\"cell\":\"should\",\"verdict\":\"pass\""));
  EXPECT_THAT(json, HasSubstr("\"beta\":{\"cell\":\"xpass\",\"verdict\":\"xpass\""));
  EXPECT_THAT(json, HasSubstr("\"deviation\":{\"actual\":\"200 <relayed>\""));

  const auto doc = boost::json::parse(json);
  const auto& row = doc.at("scenarios").at(0);
  EXPECT_EQ(row.at("spec").at(0), "RFC 9110 \u00a715.6.3");
  const std::string dump = boost::json::serialize(doc);
  // Wire bytes: one character per byte, lossless (NUL, 0xff, 0xfe, 0xc0, 0xbc).
  EXPECT_THAT(dump, HasSubstr("onerror=alert(1)>\\u0000\u00ff\u00fe\u00c0\u00bc\""));
  // Text that is not UTF-8: the replacement character.
  EXPECT_THAT(dump, HasSubstr("alert('desc')</script>\ufffd\""));
}

}  // namespace
