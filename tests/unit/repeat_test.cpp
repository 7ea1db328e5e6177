// `--repeat N`: the runs of a scenario become one result with every verdict seen; a scenario
// whose verdict changed is flaky in the counts, the exit code (4), the console and JUnit.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "harness/run/console_report.hpp"
#include "harness/run/suite.hpp"

namespace {

using namespace bgw::run;
using testing::HasSubstr;
using testing::Not;

ScenarioResult result(const std::string& name, Verdict v, const std::string& reason = "") {
  ScenarioResult r;
  r.name = name;
  r.verdict = v;
  r.reason = reason;
  return r;
}

// Two scenarios, three runs: entry k * 2 + i is run k of scenario i (run_suite's layout).
std::vector<std::optional<ScenarioResult>> runs_of(std::vector<Verdict> a, std::vector<Verdict> b) {
  std::vector<std::optional<ScenarioResult>> runs;
  for (std::size_t k = 0; k < a.size(); ++k) {
    runs.push_back(result("a", a[k], "a run " + std::to_string(k + 1)));
    runs.push_back(result("b", b[k], "b run " + std::to_string(k + 1)));
  }
  return runs;
}

TEST(Repeat, RunsOfAScenarioBecomeOneResultKeepingTheFirstBadRun) {
  auto grouped = group_repeats(runs_of({Verdict::pass, Verdict::fail, Verdict::error},
                                       {Verdict::xfail, Verdict::xfail, Verdict::xfail}),
                               2, 3);
  ASSERT_EQ(grouped.size(), 2u);
  EXPECT_EQ(grouped[0].runs, (std::vector{Verdict::pass, Verdict::fail, Verdict::error}));
  EXPECT_EQ(grouped[0].verdict, Verdict::fail);
  EXPECT_EQ(grouped[0].reason, "a run 2");  // the evidence of the failing run
  EXPECT_TRUE(grouped[0].flaky());
  EXPECT_FALSE(grouped[1].flaky());
  EXPECT_EQ(grouped[1].reason, "b run 1");
}

TEST(Repeat, ARunThatNeverStartedIsLeftOutAndOneRunHasNoRuns) {
  auto runs = runs_of({Verdict::pass, Verdict::pass}, {Verdict::fail, Verdict::fail});
  runs[3].reset();  // b's second run: interrupted
  auto grouped = group_repeats(std::move(runs), 2, 2);
  EXPECT_EQ(grouped[1].runs, (std::vector{Verdict::fail}));
  auto once = group_repeats(runs_of({Verdict::pass}, {Verdict::skip}), 2, 1);
  EXPECT_TRUE(once[0].runs.empty());
}

RunReport report_of(std::vector<ScenarioResult> results) {
  RunReport r;
  r.proxy = "nginx";
  r.repeat = 3;
  r.results = std::move(results);
  return r;
}

ScenarioResult with_runs(ScenarioResult r, std::vector<Verdict> runs) {
  r.runs = std::move(runs);
  return r;
}

TEST(Repeat, FlakyCountsApartAndExitsWithItsOwnCode) {
  auto flaky = with_runs(result("f", Verdict::fail, "status: expected 502, observed 200"),
                         {Verdict::pass, Verdict::fail, Verdict::pass});
  auto steady =
      with_runs(result("s", Verdict::pass), {Verdict::pass, Verdict::pass, Verdict::pass});
  auto r = report_of({flaky, steady});
  EXPECT_EQ(r.count(Verdict::fail), 0u);
  EXPECT_EQ(r.count(Verdict::pass), 1u);
  EXPECT_EQ(r.count_flaky(), 1u);
  EXPECT_EQ(r.exit_code(), exit_flaky);
  EXPECT_EQ(exit_flaky, 4);
  // A consistent failure outranks flakiness; a harness error and an interrupt outrank both.
  auto failing = report_of({flaky, with_runs(result("x", Verdict::fail), {Verdict::fail})});
  EXPECT_EQ(failing.exit_code(), 1);
  auto broken = report_of({flaky, result("e", Verdict::error)});
  EXPECT_EQ(broken.exit_code(), 3);

  std::ostringstream console;
  ConsoleReport(console, false, false).finish(r);
  EXPECT_THAT(console.str(),
              HasSubstr("1 pass, 0 xfail, 0 fail, 0 xpass, 0 error, 0 skip, 1 flaky"));
  EXPECT_THAT(console.str(), HasSubstr("FLAKY  f"));
  EXPECT_THAT(console.str(), HasSubstr("pass, fail, pass"));
  EXPECT_THAT(console.str(), HasSubstr("(exit code 4)"));

  std::ostringstream junit;
  write_junit(r, junit);
  EXPECT_THAT(junit.str(), HasSubstr("failures=\"0\""));
  EXPECT_THAT(junit.str(), HasSubstr("<property name=\"verdict\" value=\"flaky\"/>"
                                     "<property name=\"runs\" value=\"pass,fail,pass\"/>"));
  EXPECT_THAT(junit.str(), HasSubstr("<flakyFailure message=\"status: expected 502, observed "
                                     "200\" type=\"fail\">"));
  EXPECT_THAT(junit.str(), Not(HasSubstr("<failure")));

  std::ostringstream json;
  write_json(r, json);
  EXPECT_THAT(json.str(), HasSubstr("\"flaky\":1},\"repeat\":3"));
  EXPECT_THAT(json.str(), HasSubstr("\"verdict\":\"flaky\",\"runs\":[\"pass\",\"fail\",\"pass\"]"));
}

TEST(Repeat, WithoutRepeatTheConsoleSummaryIsUnchanged) {
  RunReport r;
  r.results = {result("a", Verdict::pass)};
  std::ostringstream console;
  ConsoleReport(console, false, false).finish(r);
  EXPECT_THAT(console.str(), HasSubstr("1 pass, 0 xfail, 0 fail, 0 xpass, 0 error, 0 skip in "));
  EXPECT_THAT(console.str(), HasSubstr("1 passed, 0 failed, 0 skipped\n"));
  EXPECT_THAT(console.str(), Not(HasSubstr("flaky")));
}

}  // namespace
