// `--shard` and `badgateway merge` end to end against a real nginx: three shards of a suite,
// merged, equal one unsharded run of it, scenario by scenario and in every count.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>

#include "harness/proxy/child_process.hpp"
#include "support/test_files.hpp"
#include "unit/scenario/repo_root.hpp"

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;
using testing::HasSubstr;

struct CliRun {
  int code = -1;
  std::string out, err;
};

// The CLI, bounded: a hung run is a test failure, never a hung test.
CliRun run_cli(const std::vector<std::string>& args, const fs::path& dir, const std::string& tag) {
  std::vector<std::string> argv{BGW_CLI_EXE};
  argv.insert(argv.end(), args.begin(), args.end());
  bgw::proxy::ChildProcess cli({.argv = argv,
                                .stdout_path = (dir / (tag + ".out")).string(),
                                .stderr_path = (dir / (tag + ".err")).string()});
  auto status = cli.wait_for(90s);
  if (!status) {
    ADD_FAILURE() << "badgateway " << args.front() << " did not finish within 90 s";
    status = cli.stop(1s);
  }
  return {status->exited ? status->code : -1, bgw::test::read_file(dir / (tag + ".out")),
          bgw::test::read_file(dir / (tag + ".err"))};
}

// name -> verdict, and the summary, of a JSON report.
struct Verdicts {
  std::map<std::string, std::string> by_name;
  json::object summary;
  std::int64_t exit_code = -1;
};

Verdicts verdicts(const fs::path& file) {
  const json::value v = json::parse(bgw::test::read_file(file));
  Verdicts out;
  for (const auto& s : v.at("scenarios").as_array())
    out.by_name[std::string(s.at("name").as_string())] = std::string(s.at("verdict").as_string());
  out.summary = v.at("summary").as_object();
  out.exit_code = v.at("exit_code").as_int64();
  return out;
}

TEST(ShardMerge, ThreeShardsMergedEqualOneUnshardedRun) {
  const fs::path dir = bgw::test::fresh_temp_dir("shard-merge");
  const auto root = bgw::test::repo_root();
  ASSERT_TRUE(root);
  const std::vector<std::string> suite{(*root / "scenarios/examples").string(),
                                       (*root / "scenarios/conformance/status-line").string()};
  auto run_args = [&](std::vector<std::string> extra) {
    std::vector<std::string> args{"run", "--proxy", "nginx", "-j2"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.insert(args.end(), suite.begin(), suite.end());
    return args;
  };
  const auto whole = run_cli(run_args({"--json", (dir / "all.json").string()}), dir, "all");
  if (whole.code == 77) GTEST_SKIP() << "nginx is not installed";
  ASSERT_TRUE(whole.code == 0 || whole.code == 1) << whole.err;

  std::vector<std::string> merge_args{"merge",
                                      "--json",
                                      (dir / "merged.json").string(),
                                      "--junit",
                                      (dir / "merged.xml").string(),
                                      "--tap",
                                      (dir / "merged.tap").string()};
  std::size_t sharded = 0;
  for (int i = 1; i <= 3; ++i) {
    const std::string shard = std::to_string(i) + "/3";
    const fs::path out = dir / ("shard-" + std::to_string(i) + ".json");
    const auto r = run_cli(run_args({"--shard", shard, "--json", out.string()}), dir,
                           "shard-" + std::to_string(i));
    EXPECT_THAT(r.err, HasSubstr("shard " + shard + " holds "));
    EXPECT_TRUE(r.code == 0 || r.code == 1) << r.err;
    sharded += verdicts(out).by_name.size();
    merge_args.push_back(out.string());
  }
  const auto merged = run_cli(merge_args, dir, "merge");
  EXPECT_EQ(merged.code, whole.code) << merged.err;
  EXPECT_THAT(merged.out, HasSubstr("badgateway merge: 3 reports, 15 scenarios against nginx"));

  const auto a = verdicts(dir / "all.json");
  const auto m = verdicts(dir / "merged.json");
  EXPECT_EQ(a.by_name.size(), 15u);
  EXPECT_EQ(sharded, a.by_name.size());
  EXPECT_EQ(m.by_name, a.by_name);
  EXPECT_EQ(m.summary, a.summary);
  EXPECT_EQ(m.exit_code, a.exit_code);
  const std::string junit = bgw::test::read_file(dir / "merged.xml");
  EXPECT_THAT(junit, HasSubstr("tests=\"15\""));
  EXPECT_THAT(bgw::test::read_file(dir / "merged.tap"),
              testing::StartsWith("TAP version 14\n1..15\n"));

  // The same shard twice, or one missing, is refused.
  const auto twice = run_cli({"merge", (dir / "shard-1.json").string(),
                              (dir / "shard-1.json").string(), (dir / "shard-2.json").string()},
                             dir, "twice");
  EXPECT_EQ(twice.code, 2);
  EXPECT_THAT(twice.err, HasSubstr("are both shard 1/3"));
}

// --repeat 2: every scenario runs twice; the report lists both verdicts of each.
TEST(ShardMerge, RepeatRunsEveryScenarioNTimesAndReportsEachVerdict) {
  const fs::path dir = bgw::test::fresh_temp_dir("repeat");
  const auto root = bgw::test::repo_root();
  ASSERT_TRUE(root);
  const auto r = run_cli(
      {"run", "--proxy", "nginx", "-j2", "--repeat", "2", "--json", (dir / "r.json").string(),
       "--junit", (dir / "r.xml").string(), (*root / "scenarios/examples").string()},
      dir, "repeat");
  if (r.code == 77) GTEST_SKIP() << "nginx is not installed";
  EXPECT_THAT(r.out, HasSubstr("badgateway run: 6 scenarios x 2 runs against nginx"));
  EXPECT_THAT(r.out, HasSubstr("[12/12]"));
  const json::value v = json::parse(bgw::test::read_file(dir / "r.json"));
  EXPECT_EQ(v.at("repeat").as_int64(), 2);
  const auto& scenarios = v.at("scenarios").as_array();
  ASSERT_EQ(scenarios.size(), 6u);
  for (const auto& s : scenarios) {
    const auto& runs = s.at("runs").as_array();
    ASSERT_EQ(runs.size(), 2u);
    EXPECT_EQ(s.at("verdict") == "flaky", runs[0] != runs[1]);
  }
  EXPECT_EQ(r.code, v.at("exit_code").as_int64());
  EXPECT_THAT(bgw::test::read_file(dir / "r.xml"), HasSubstr("<property name=\"runs\" value=\""));
}

}  // namespace
