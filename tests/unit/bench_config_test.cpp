// The [bench] table of a scenario file (decoded, with diagnostics at the value that is wrong)
// and the settings a run resolves from it and the command line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harness/bench/bench_config.hpp"
#include "harness/scenario/load.hpp"

namespace {

using namespace std::chrono_literals;
using bgw::bench::Nanos;

// Lines 1-8; [bench] cases start at line 9.
const std::string H =
    "[scenario]\n"
    "name = \"t\"\n"
    "description = \"d\"\n"
    "[[upstream]]\n"
    "name = \"a\"\n"
    "[[upstream.event]]\n"
    "at = \"2s\"\n"
    "action = \"crash\"\n";

std::string dump(const bgw::scenario::LoadResult& r) {
  std::string out;
  for (const auto& d : r.diagnostics) out += "  " + d.to_string() + "\n";
  return out;
}

void expect_error(const std::string& toml, std::uint32_t line, std::uint32_t column,
                  const std::string& fragment) {
  const auto r = bgw::scenario::load_scenario_text(toml, "t.toml");
  EXPECT_FALSE(r.ok());
  bool found = false;
  for (const auto& d : r.diagnostics)
    found = found || (d.where.line == line && d.where.column == column &&
                      d.message.find(fragment) != std::string::npos);
  EXPECT_TRUE(found) << "expected t.toml:" << line << ":" << column << " \"" << fragment
                     << "\"; got:\n"
                     << dump(r);
}

TEST(BenchTable, AbsentMeansNoBenchSettings) {
  const auto r = bgw::scenario::load_scenario_text(H, "t.toml");
  ASSERT_TRUE(r.ok()) << dump(r);
  EXPECT_FALSE(r.scenario->bench);
}

TEST(BenchTable, EveryKeyIsDecoded) {
  const auto r = bgw::scenario::load_scenario_text(
      H + "[bench]\nduration = \"3s\"\nconnections = 8\nrate = 250.5\nwarmup = \"250ms\"\n"
          "method = \"HEAD\"\ntarget = \"/x?y=1\"\nrequest_timeout = \"750ms\"\n",
      "t.toml");
  ASSERT_TRUE(r.ok()) << dump(r);
  ASSERT_TRUE(r.scenario->bench);
  const auto& b = *r.scenario->bench;
  EXPECT_EQ(b.duration, Nanos(3s));
  EXPECT_EQ(b.connections, 8);
  EXPECT_DOUBLE_EQ(b.rate, 250.5);
  EXPECT_EQ(b.warmup, Nanos(250ms));
  EXPECT_EQ(b.method, "HEAD");
  EXPECT_EQ(b.target, "/x?y=1");
  EXPECT_EQ(b.request_timeout, Nanos(750ms));
  EXPECT_EQ(b.where.line, 9u);
}

TEST(BenchTable, MistakesPointAtTheValue) {
  expect_error(H + "[bench]\nduration = 5\n", 10, 12, "not a bare number");
  expect_error(H + "[bench]\nduration = \"0s\"\n", 10, 12, "greater than 0s");
  expect_error(H + "[bench]\nconnections = 0\n", 10, 15, "from 1 to 10000");
  expect_error(H + "[bench]\nrate = -1\n", 10, 8, "rate");
  expect_error(H + "[bench]\nduration = \"3s\"\nwarmup = \"3s\"\n", 11, 10,
               "shorter than 'duration'");
  expect_error(H + "[bench]\nmethod = \"G T\"\n", 10, 10, "token");
  expect_error(H + "[bench]\ntarget = \"/a b\"\n", 10, 10, "no spaces");
  expect_error(H + "[bench]\nrequest_timeout = \"0s\"\n", 10, 19, "greater than 0s");
  expect_error(H + "[bench]\nduraton = \"3s\"\n", 10, 1, "did you mean 'duration'");
  expect_error("bench = 3\n" + H, 1, 9, "'bench'");
}

TEST(BenchTable, AnEventTheLoadEndsBeforeIsAnError) {
  // The crash at 2s (its `at` on line 7) would never run in a 2s load.
  expect_error(H + "[bench]\nduration = \"2s\"\n", 7, 6, "would never run");
}

TEST(BenchConfig, CommandLineOverridesTheTable) {
  auto r = bgw::scenario::load_scenario_text(
      H + "[bench]\nduration = \"3s\"\nconnections = 8\nrate = 100\nwarmup = \"1s\"\n", "t.toml");
  ASSERT_TRUE(r.ok()) << dump(r);
  auto c = bgw::bench::resolve_config(*r.scenario, {});
  EXPECT_EQ(c.duration, Nanos(3s));
  EXPECT_EQ(c.connections, 8);
  EXPECT_DOUBLE_EQ(c.rate, 100);
  EXPECT_EQ(c.warmup, Nanos(1s));
  bgw::bench::BenchOverrides o;
  o.duration = 10s;
  o.rate = 0;
  o.connections = 2;
  c = bgw::bench::resolve_config(*r.scenario, o);
  EXPECT_EQ(c.duration, Nanos(10s));
  EXPECT_EQ(c.connections, 2);
  EXPECT_DOUBLE_EQ(c.rate, 0);
  // A duration that no longer covers the warmup drops it.
  o.duration = 500ms;
  EXPECT_EQ(bgw::bench::resolve_config(*r.scenario, o).warmup, Nanos(0));
  // Events the shortened load never reaches are named.
  EXPECT_THAT(bgw::bench::events_after_load(*r.scenario, 500ms),
              testing::ElementsAre(testing::HasSubstr("a crash at 2s (t.toml:6:1)")));
}

TEST(BenchConfig, WithoutATableTheDefaultsApply) {
  const auto r = bgw::scenario::load_scenario_text(H, "t.toml");
  ASSERT_TRUE(r.ok());
  const auto c = bgw::bench::resolve_config(*r.scenario, {});
  EXPECT_EQ(c.duration, Nanos(5s));
  EXPECT_EQ(c.connections, 16);
  EXPECT_EQ(c.method, "GET");
  EXPECT_EQ(c.target, "/");
  EXPECT_EQ(c.bucket, Nanos(100ms));
}

}  // namespace
