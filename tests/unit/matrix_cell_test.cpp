// The matrix's cell kinds: a verdict, plus SHOULD deviations told apart from clean passes; and
// the model around the cells (groups, counts, the quoted command line).
#include "harness/matrix/cell.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "harness/matrix/matrix.hpp"
#include "harness/scenario/load.hpp"

namespace {

using bgw::matrix::Cell;
using bgw::run::Verdict;

bgw::run::CheckResult check(bool passed, bgw::scenario::Severity severity) {
  bgw::run::CheckResult c;
  c.kind = "status";
  c.passed = passed;
  c.severity = severity;
  return c;
}

bgw::run::ScenarioResult result(Verdict v, std::vector<bgw::run::CheckResult> checks = {}) {
  bgw::run::ScenarioResult r;
  r.name = "t";
  r.verdict = v;
  r.checks = std::move(checks);
  return r;
}

TEST(MatrixCell, EachVerdictHasItsCell) {
  EXPECT_EQ(bgw::matrix::classify(result(Verdict::pass)), Cell::pass);
  EXPECT_EQ(bgw::matrix::classify(result(Verdict::fail)), Cell::fail);
  EXPECT_EQ(bgw::matrix::classify(result(Verdict::xfail)), Cell::xfail);
  EXPECT_EQ(bgw::matrix::classify(result(Verdict::xpass)), Cell::xpass);
  EXPECT_EQ(bgw::matrix::classify(result(Verdict::error)), Cell::error);
  EXPECT_EQ(bgw::matrix::classify(result(Verdict::skip)), Cell::skip);
}

TEST(MatrixCell, APassWithAFailedShouldCheckIsAShouldDeviation) {
  using bgw::scenario::Severity;
  EXPECT_EQ(bgw::matrix::classify(result(
                Verdict::pass, {check(true, Severity::must), check(false, Severity::should)})),
            Cell::should);
  EXPECT_EQ(bgw::matrix::classify(result(
                Verdict::pass, {check(true, Severity::must), check(true, Severity::should)})),
            Cell::pass);
  // A failed MUST decides: the cell is fail, whatever the SHOULD checks did.
  EXPECT_EQ(bgw::matrix::classify(result(
                Verdict::fail, {check(false, Severity::must), check(false, Severity::should)})),
            Cell::fail);
  // A known deviation stays xfail even when a SHOULD check failed too.
  EXPECT_EQ(bgw::matrix::classify(result(Verdict::xfail, {check(false, Severity::should)})),
            Cell::xfail);
}

TEST(MatrixCell, NamesSymbolsAndLegendAreDistinct) {
  std::set<std::string> names, symbols;
  for (const Cell c : bgw::matrix::all_cells) {
    names.insert(bgw::matrix::to_string(c));
    symbols.insert(bgw::matrix::symbol(c));
    EXPECT_STRNE(bgw::matrix::title(c), "");
    EXPECT_STRNE(bgw::matrix::meaning(c), "");
    EXPECT_EQ(bgw::matrix::all_cells[bgw::matrix::cell_index(c)], c);
  }
  EXPECT_EQ(names.size(), bgw::matrix::all_cells.size());
  EXPECT_EQ(symbols.size(), bgw::matrix::all_cells.size());
}

TEST(MatrixModel, CountsEachKindPerColumn) {
  bgw::matrix::Matrix m;
  m.columns.resize(2);
  m.columns[0].results = {result(Verdict::pass), result(Verdict::pass), result(Verdict::fail)};
  m.columns[1].results = {result(Verdict::skip), result(Verdict::skip), result(Verdict::xfail)};
  const auto a = m.counts(0), b = m.counts(1);
  EXPECT_EQ(a[bgw::matrix::cell_index(Cell::pass)], 2u);
  EXPECT_EQ(a[bgw::matrix::cell_index(Cell::fail)], 1u);
  EXPECT_EQ(b[bgw::matrix::cell_index(Cell::skip)], 2u);
  EXPECT_EQ(b[bgw::matrix::cell_index(Cell::xfail)], 1u);
  EXPECT_EQ(m.counts(5)[0], 0u);  // no such column: zeros, not a crash
}

bgw::scenario::Scenario scenario_at(const std::string& name, const std::string& file) {
  auto r = bgw::scenario::load_scenario_text(
      "[scenario]\nname = \"" + name +
          "\"\ndescription = \"d\"\nspec = [\"RFC 9110 §15.6.3\"]\n[[upstream]]\nname = "
          "\"a\"\n[[step]]\nrequest = { target = \"/\" }\n[[step.expect]]\nseverity = "
          "\"must\"\nstatus = 200\n",
      file);
  for (const auto& d : r.diagnostics) ADD_FAILURE() << d.to_string();
  return *r.scenario;
}

TEST(MatrixModel, RowsAreGroupedByDirectoryBelowTheCommonOne) {
  const auto rows = bgw::matrix::rows_for({scenario_at("a", "/s/conformance/timeouts/a.toml"),
                                           scenario_at("b", "/s/conformance/resets/b.toml"),
                                           scenario_at("c", "/s/conformance/c.toml")});
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].group, "timeouts");
  EXPECT_EQ(rows[1].group, "resets");
  EXPECT_EQ(rows[2].group, "conformance");
  EXPECT_THAT(rows[0].spec, testing::ElementsAre("RFC 9110 §15.6.3"));
  // All in one directory: that directory's name.
  const auto one = bgw::matrix::rows_for(
      {scenario_at("a", "/s/examples/a.toml"), scenario_at("b", "/s/examples/b.toml")});
  EXPECT_EQ(one[0].group, "examples");
  EXPECT_EQ(one[1].group, "examples");
}

TEST(MatrixModel, CommandLineIsQuotedForAShell) {
  EXPECT_EQ(bgw::matrix::quote_command_line({"badgateway", "matrix", "--proxies", "nginx,haproxy",
                                             "--filter", "t-*", "it's here"}),
            "badgateway matrix --proxies nginx,haproxy --filter 't-*' 'it'\\''s here'");
  EXPECT_EQ(bgw::matrix::quote_command_line({"x", ""}), "x ''");
}

}  // namespace
