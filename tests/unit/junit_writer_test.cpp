// The JUnit report is XML that parsers accept and that keeps what was written: a scenario's
// UTF-8 (an RFC's "§", CJK) as it is, and a proxy's hostile bytes (NUL, invalid UTF-8, markup)
// as visible text.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "harness/run/console_report.hpp"

namespace {

using namespace std::string_literals;
using bgw::run::Verdict;
using testing::HasSubstr;
using testing::Not;

std::string junit_of(const bgw::run::ScenarioResult& r) {
  bgw::run::RunReport report;
  report.proxy = "nginx";
  report.results.push_back(r);
  std::ostringstream out;
  bgw::run::write_junit(report, out);
  return out.str();
}

TEST(JunitWriter, KeepsUtf8AndShowsForbiddenBytesAsText) {
  bgw::run::ScenarioResult r;
  r.name = "gateway-\xe6\x97\xa5\xe6\x9c\xac";  // CJK in a name
  r.file = "scenarios/x.toml";
  r.verdict = Verdict::skip;
  r.reason =
      "RFC 9110 \xc2\xa7"
      "15.6.3: <b>\"quoted\"</b> & nul\0 bad\xff"s;
  const std::string xml = junit_of(r);
  EXPECT_THAT(xml, HasSubstr("name=\"gateway-\xe6\x97\xa5\xe6\x9c\xac\""));
  EXPECT_THAT(xml, HasSubstr("RFC 9110 \xc2\xa7"
                             "15.6.3: &lt;b&gt;&quot;quoted&quot;&lt;/b&gt; &amp; nul\\x00 "
                             "bad\\xff\""));
  EXPECT_THAT(xml, Not(HasSubstr("\\xc2\\xa7")));  // the old writer's garbling
  EXPECT_EQ(xml.find('\0'), std::string::npos);
}

}  // namespace
