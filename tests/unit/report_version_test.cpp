// Every report says which badgateway wrote it: the run's console header, JSON and JUnit, the
// matrix's JSON and HTML, the bench's console summary, JSON and HTML, the load summary's JSON.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "bgw_version.hpp"
#include "harness/bench/bench_report.hpp"
#include "harness/cli/load_command.hpp"
#include "harness/matrix/html_writer.hpp"
#include "harness/matrix/json_writer.hpp"
#include "harness/run/console_report.hpp"

namespace {

using testing::HasSubstr;

const std::string version(bgw::version);

template <class Report, class Writer>
std::string written(const Report& report, Writer writer) {
  std::ostringstream out;
  writer(report, out);
  return out.str();
}

TEST(ReportVersion, VersionIsTheProjectVersion) {
  EXPECT_THAT(version, testing::MatchesRegex("[0-9]+\\.[0-9]+\\.[0-9]+"));
}

TEST(ReportVersion, RunReportsCarryIt) {
  bgw::run::RunReport report;
  report.proxy = "nginx";
  EXPECT_THAT(written(report, &bgw::run::write_json),
              HasSubstr("\"badgateway_version\":\"" + version + "\""));
  EXPECT_THAT(written(report, &bgw::run::write_junit),
              HasSubstr("<property name=\"badgateway_version\" value=\"" + version + "\"/>"));
  std::ostringstream console;
  bgw::run::ConsoleReport(console, false, false).start(3, "nginx", "1.22.1");
  EXPECT_EQ(console.str(),
            "badgateway run: 3 scenarios against nginx 1.22.1 (badgateway " + version + ")\n");
}

TEST(ReportVersion, InterruptedRunSaysSoAndExits130InTheJson) {
  bgw::run::RunReport report;
  report.interrupted = true;
  const std::string json = written(report, &bgw::run::write_json);
  EXPECT_THAT(json, HasSubstr("\"interrupted\":true,\"exit_code\":130"));
}

TEST(ReportVersion, MatrixReportsCarryIt) {
  const bgw::matrix::Matrix m;
  EXPECT_THAT(written(m, [](const auto& r, std::ostream& o) { bgw::matrix::write_json(r, o); }),
              HasSubstr("\"badgateway_version\":\"" + version + "\""));
  EXPECT_THAT(written(m, [](const auto& r, std::ostream& o) { bgw::matrix::write_html(r, o); }),
              HasSubstr("(badgateway " + version + ")"));
}

TEST(ReportVersion, BenchReportsCarryIt) {
  bgw::bench::BenchReport r;
  r.scenario = "s";
  r.proxy = "nginx";
  EXPECT_THAT(written(r, &bgw::bench::write_json),
              HasSubstr("\"badgateway_version\":\"" + version + "\""));
  EXPECT_THAT(written(r, &bgw::bench::write_console), HasSubstr("(badgateway " + version + ")"));
  EXPECT_THAT(written(r, &bgw::bench::write_html), HasSubstr("badgateway " + version));
}

TEST(ReportVersion, LoadSummaryJsonCarriesIt) {
  const bgw::load::LoadOptions options;
  const bgw::load::LoadResult result;
  EXPECT_THAT(bgw::cli::load_summary_json(options, result),
              testing::StartsWith("{\"badgateway_version\":\"" + version + "\","));
}

}  // namespace
