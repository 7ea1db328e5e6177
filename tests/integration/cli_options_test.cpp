// The command line as users type it, against the real binaries: `--opt=value` works in every
// command, numbers and URLs are checked strictly with one range per option across commands, a
// bad argument prints the usage and exits 2, and `--version` prints the project version.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "bgw_version.hpp"
#include "harness/proxy/child_process.hpp"
#include "support/test_files.hpp"
#include "unit/scenario/repo_root.hpp"

namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using testing::HasSubstr;
using testing::Not;

struct CliRun {
  bgw::proxy::ExitStatus status;
  std::string out, err;
  int code() const { return status.exited ? status.code : -1; }
};

// Every case here fails or finishes during argument and file checks: bounded well below 20s.
CliRun run(const char* exe, const std::vector<std::string>& args) {
  static const fs::path dir = bgw::test::fresh_temp_dir("cli-options");
  std::vector<std::string> argv{exe};
  argv.insert(argv.end(), args.begin(), args.end());
  bgw::proxy::ChildProcess child(
      {.argv = argv, .stdout_path = (dir / "out").string(), .stderr_path = (dir / "err").string()});
  auto status = child.wait_for(20s);
  if (!status) {
    ADD_FAILURE() << "no exit within 20s";
    status = child.stop(1s);
  }
  return {*status, bgw::test::read_file(dir / "out"), bgw::test::read_file(dir / "err")};
}

CliRun cli(const std::vector<std::string>& args) {
  return run(BGW_CLI_EXE, args);
}

std::string example() {
  return (*bgw::test::repo_root() / "scenarios" / "examples" / "no_retry_post.toml").string();
}

TEST(CliOptions, VersionIsTheProjectVersion) {
  const auto r = cli({"--version"});
  EXPECT_EQ(r.code(), 0);
  EXPECT_EQ(r.out, "badgateway " + std::string(bgw::version) + "\n");
  const auto u = run(BGW_UPSTREAM_EXE, {"--version"});
  EXPECT_EQ(u.code(), 0);
  EXPECT_EQ(u.out, "bgw-upstream " + std::string(bgw::version) + "\n");
}

// `--opt=value` is parsed like `--opt value`: the run gets past its options to the scenario
// filter, which matches nothing (exit 2 without the usage).
TEST(CliOptions, EqualsFormIsAccepted) {
  ASSERT_TRUE(bgw::test::repo_root());
  for (const std::string command : {"run", "matrix"}) {
    const auto r = cli({command, "--filter=no-such-scenario-*", "--timeout-scale=2", "--jobs=2",
                        "--runs-dir=/tmp", example()});
    EXPECT_EQ(r.code(), 2) << command << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr("no scenario matches")) << command;
    EXPECT_THAT(r.err, Not(HasSubstr("Usage:"))) << command;
  }
  const auto r = cli({"check", example()});
  EXPECT_EQ(r.code(), 0) << r.err;
}

TEST(CliOptions, OneRangePerOptionInEveryCommand) {
  ASSERT_TRUE(bgw::test::repo_root());
  const std::vector<std::vector<std::string>> prefixes{{"run"}, {"matrix"}, {"bench"}};
  for (const auto& prefix : prefixes) {
    for (const std::string bad : {"0", "0.001", "101", "2x", "-1"}) {
      auto args = prefix;
      args.insert(args.end(), {"--timeout-scale=" + bad, example()});
      const auto r = cli(args);
      EXPECT_EQ(r.code(), 2) << prefix[0] << " " << bad;
      EXPECT_THAT(r.err,
                  HasSubstr("--timeout-scale takes a number from 0.01 to 100, not '" + bad + "'"))
          << prefix[0];
      EXPECT_THAT(r.err, HasSubstr("Usage: badgateway " + prefix[0]));
    }
  }
  for (const std::string command : {"run", "matrix"}) {
    const auto r = cli({command, "-j65", example()});
    EXPECT_EQ(r.code(), 2);
    EXPECT_THAT(r.err, HasSubstr("--jobs takes a whole number from 1 to 64, not '65'"));
  }
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"bench", example(), "--connections", "10001"},
                                             {"load", "http://127.0.0.1:1/", "-c", "10001"}}) {
    const auto r = cli(args);
    EXPECT_EQ(r.code(), 2) << args[0];
    EXPECT_THAT(r.err, HasSubstr("--connections takes a whole number from 1 to 10000"));
  }
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"bench", example(), "--duration=25h"}, {"load", "http://127.0.0.1:1/", "-d", "25h"}}) {
    const auto r = cli(args);
    EXPECT_EQ(r.code(), 2) << args[0];
    EXPECT_THAT(r.err, HasSubstr("--duration takes a duration above 0 and up to 24h"));
  }
}

TEST(CliOptions, UrlsAreCheckedByTheOneParser) {
  ASSERT_TRUE(bgw::test::repo_root());
  for (const std::string command : {"run", "bench"}) {
    const auto r = cli({command, "--proxy-url", "http://127.0.0.1:8080abc", example()});
    EXPECT_EQ(r.code(), 2) << command;
    EXPECT_THAT(r.err, HasSubstr("--proxy-url: URL 'http://127.0.0.1:8080abc': the port must be "
                                 "a number from 1 to 65535 (got '8080abc')"));
    EXPECT_THAT(r.err, HasSubstr("Usage: badgateway " + command));
  }
  const auto r = cli({"load", "http://127.0.0.1:8080abc/"});
  EXPECT_EQ(r.code(), 2);
  EXPECT_THAT(r.err, HasSubstr("(got '8080abc')"));
  EXPECT_EQ(cli({"load", "https://127.0.0.1/"}).code(), 2);
  EXPECT_EQ(cli({"run", "--proxy-url=http://10.1.2.3:80", example()}).code(), 2);
}

TEST(CliOptions, EveryCommandRejectsAnUnknownOptionWithItsUsage) {
  for (const std::string command :
       {"run", "matrix", "bench", "load", "check", "list", "serve", "demo", "faults"}) {
    const auto r = cli({command, "--no-such-option"});
    EXPECT_EQ(r.code(), 2) << command;
    EXPECT_THAT(r.err, HasSubstr("badgateway " + command + ": unknown option '--no-such-option'"));
    EXPECT_THAT(r.err, HasSubstr("Usage: badgateway"));
  }
  const auto top = cli({"--no-such-flag"});
  EXPECT_EQ(top.code(), 2);
  EXPECT_THAT(top.err, HasSubstr("Usage: badgateway <command>"));
  EXPECT_EQ(cli({"no-such-command"}).code(), 2);
  EXPECT_EQ(cli({}).code(), 2);
  EXPECT_EQ(cli({"serve", "a.toml", "b.toml"}).code(), 2);
  EXPECT_EQ(cli({"serve", "a.toml", "--journal-level", "everything"}).code(), 2);
  EXPECT_EQ(cli({"serve", "a.toml", "--journal-max-bytes", "lots"}).code(), 2);
  EXPECT_EQ(cli({"load", "http://127.0.0.1:1/", "http://127.0.0.1:2/"}).code(), 2);
}

// The help advertises only options the parser knows: each one, given alone, is either a flag (the
// command then asks for its PATH, FILE or URL) or wants a value; never "unknown option".
TEST(CliOptions, EveryOptionInAHelpTextIsAccepted) {
  for (const std::string command : {"run", "matrix", "bench", "load"}) {
    const auto help = cli({command, "--help"});
    ASSERT_EQ(help.code(), 0) << command;
    std::set<std::string> options;
    const std::regex option(R"(^  (-[a-zA-Z], )?(--[a-z][a-z-]+))");
    std::istringstream lines(help.out);
    for (std::string line; std::getline(lines, line);) {
      std::smatch m;
      if (!std::regex_search(line, m, option)) continue;
      options.insert(m[2]);
      if (m[1].matched) options.insert(m[1].str().substr(0, 2));
    }
    EXPECT_GE(options.size(), 8u) << command << " help:\n" << help.out;
    for (const auto& o : options) {
      const auto r = cli({command, o});
      EXPECT_EQ(r.code(), 2) << command << " " << o;
      EXPECT_THAT(r.err, Not(HasSubstr("unknown option"))) << command << " " << o;
    }
  }
}

TEST(CliOptions, UpstreamRejectsBadNumbersAndExits2) {
  for (const auto& args : std::vector<std::vector<std::string>>{{"--port", "8080abc"},
                                                                {"--port=70000"},
                                                                {"--threads", "0"},
                                                                {"--journal", "everything"},
                                                                {"--journal-keep", "-1"},
                                                                {"--journal-max-bytes", "1GB!"},
                                                                {"--journal-max-bytes", "1MiB"},
                                                                {"--param", "a=1"},
                                                                {"--no-such-option"}}) {
    const auto r = run(BGW_UPSTREAM_EXE, args);
    EXPECT_EQ(r.code(), 2) << args[0];
    EXPECT_THAT(r.err, HasSubstr("Usage: bgw-upstream")) << args[0];
  }
}

}  // namespace
