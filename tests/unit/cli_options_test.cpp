// Command-line parsing shared by every badgateway command: strict numbers and durations with one
// range per option, `--opt=value` and `--opt value`, and a usage error that names the option
// and its range, prints the usage and exits 2. Also: the `--proxy` help lists exactly the
// adapters the proxies directory ships.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "harness/cli/bench_command.hpp"
#include "harness/cli/command_line.hpp"
#include "harness/cli/matrix_command.hpp"
#include "harness/cli/option_values.hpp"
#include "harness/cli/run_command.hpp"
#include "unit/scenario/repo_root.hpp"

namespace {

using namespace std::chrono_literals;
using namespace bgw::cli;
using testing::HasSubstr;

TEST(CliOptionValues, NumbersAreTheWholeTextAndInRange) {
  EXPECT_EQ(parse_number("4", ranges::jobs), 4);
  EXPECT_EQ(parse_number("64", ranges::jobs), 64);
  EXPECT_EQ(parse_number("2.5", ranges::timeout_scale), 2.5);
  EXPECT_EQ(parse_number("0.01", ranges::timeout_scale), 0.01);
  EXPECT_EQ(parse_number("0", ranges::rate), 0);
  for (const char* bad : {"", "4x", "x4", " 4", "4 ", "+4", "-4", "0x10", "1e1", "4.0", "0", "65"})
    EXPECT_FALSE(parse_number(bad, ranges::jobs)) << bad;
  for (const char* bad : {"0", "0.001", "100.5", "inf", "nan", "1e2", ".", "1..2", "2,5"})
    EXPECT_FALSE(parse_number(bad, ranges::timeout_scale)) << bad;
}

TEST(CliOptionValues, DurationsUseTheScenarioParserAndTheirRange) {
  EXPECT_EQ(parse_duration_in("1h", ranges::duration), 1h);
  EXPECT_EQ(parse_duration_in("500ms", ranges::duration), 500ms);
  EXPECT_EQ(parse_duration_in("2m", ranges::duration), 2min);
  EXPECT_FALSE(parse_duration_in("10", ranges::duration));    // a unit is required
  EXPECT_FALSE(parse_duration_in("0s", ranges::duration));    // above 0
  EXPECT_FALSE(parse_duration_in("25h", ranges::duration));   // up to 1h
  EXPECT_FALSE(parse_duration_in("10s ", ranges::duration));  // the whole text
  EXPECT_EQ(parse_duration_in("0s", ranges::warmup), 0s);     // warm-up may be none
}

TEST(CliOptionValues, RangesReadAsUsersWriteThem) {
  EXPECT_EQ(describe(ranges::jobs), "a whole number from 1 to 64");
  EXPECT_EQ(describe(ranges::timeout_scale), "a number from 0.01 to 100");
  EXPECT_EQ(describe(ranges::rate), "a number from 0 to 1000000");
  EXPECT_EQ(describe(ranges::duration), "a duration above 0 and up to 24h (such as 10s or 500ms)");
}

struct Parsed {
  std::optional<int> exit;
  std::string out, err;
};

// The options of a small command, parsed the way every command parses its arguments.
struct Command {
  int jobs = 1;
  double scale = 1;
  std::optional<bgw::sim::Duration> duration;
  std::string proxy = "nginx";
  bool strict = false;
  std::vector<std::string> paths;

  Parsed parse(const std::vector<std::string>& args) {
    CLI::App app;
    configure_app(app);
    add_jobs_option(app, jobs);
    add_timeout_scale_option(app, scale);
    add_duration(app, "--duration", duration, ranges::duration);
    app.add_option("--proxy", proxy)->type_name("NAME|FILE");
    app.add_flag("--strict", strict);
    app.add_option("PATH", paths);
    testing::internal::CaptureStdout();
    testing::internal::CaptureStderr();
    Parsed p;
    p.exit = parse_command_line(app, args, "test", "Usage: badgateway test\n");
    p.out = testing::internal::GetCapturedStdout();
    p.err = testing::internal::GetCapturedStderr();
    return p;
  }
};

TEST(CliCommandLine, OptionValuesComeWithASpaceOrAnEqualsSign) {
  Command c;
  const auto p = c.parse({"a", "--proxy=haproxy", "-j4", "--timeout-scale", "2", "b",
                          "--duration=1h", "--strict", "--jobs=3"});
  EXPECT_FALSE(p.exit) << p.err;
  EXPECT_EQ(c.proxy, "haproxy");
  EXPECT_EQ(c.jobs, 3);  // given twice: the last one counts
  EXPECT_EQ(c.scale, 2);
  EXPECT_EQ(c.duration, 1h);
  EXPECT_TRUE(c.strict);
  EXPECT_EQ(c.paths, (std::vector<std::string>{"a", "b"}));
  Command d;
  EXPECT_FALSE(d.parse({"-j", "2", "--proxy", "x.toml", "p"}).exit);
  EXPECT_EQ(d.jobs, 2);
  EXPECT_EQ(d.proxy, "x.toml");
}

TEST(CliCommandLine, ABadValueNamesTheOptionAndItsRangeAndExits2) {
  const auto p = Command{}.parse({"--timeout-scale=0", "p"});
  EXPECT_EQ(p.exit, 2);
  EXPECT_THAT(p.err, HasSubstr("badgateway test: --timeout-scale takes a number from 0.01 to "
                               "100, not '0'\n\nUsage: badgateway test"));
  EXPECT_THAT(Command{}.parse({"-j", "8x"}).err,
              HasSubstr("--jobs takes a whole number from 1 to 64, not '8x'"));
  EXPECT_THAT(Command{}.parse({"--duration", "10"}).err,
              HasSubstr("--duration takes a duration above 0 and up to 24h"));
  EXPECT_EQ(Command{}.parse({"--duration", "10"}).exit, 2);
}

TEST(CliCommandLine, UnknownOptionsAndMissingValuesAreUsageErrors) {
  auto p = Command{}.parse({"p", "--no-such-option"});
  EXPECT_EQ(p.exit, 2);
  EXPECT_THAT(p.err, HasSubstr("badgateway test: unknown option '--no-such-option'"));
  EXPECT_THAT(p.err, HasSubstr("Usage: badgateway test"));
  p = Command{}.parse({"p", "--proxy"});
  EXPECT_EQ(p.exit, 2);
  EXPECT_THAT(p.err, HasSubstr("--proxy needs a value (NAME|FILE)"));
  p = Command{}.parse({"-j"});
  EXPECT_EQ(p.exit, 2);
  EXPECT_THAT(p.err, HasSubstr("--jobs needs a value"));
}

TEST(CliCommandLine, HelpPrintsTheUsageOnStdoutAndExits0) {
  for (const char* flag : {"-h", "--help"}) {
    const auto p = Command{}.parse({"p", flag});
    EXPECT_EQ(p.exit, 0);
    EXPECT_EQ(p.out, "Usage: badgateway test\n");
    EXPECT_EQ(p.err, "");
  }
}

// The names after "shipped:" in a usage text (they may wrap over several lines).
std::set<std::string> shipped_names(const std::string& usage) {
  std::set<std::string> names;
  const auto at = usage.find("shipped: ");
  if (at == std::string::npos) return names;
  std::size_t i = at + 9;
  while (i < usage.size()) {
    const auto end = usage.find_first_of(",\n", i);
    names.insert(usage.substr(i, end - i));
    if (end == std::string::npos || usage[end] == '\n') break;
    i = usage.find_first_not_of(" \n", end + 1);
  }
  return names;
}

TEST(CliHelp, ProxyHelpListsExactlyTheShippedAdapters) {
  const auto root = bgw::test::repo_root();
  ASSERT_TRUE(root);
  const std::filesystem::path dir = *root / "proxies";
  std::set<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".toml") files.insert(e.path().stem().string());
  ASSERT_GE(files.size(), 12u);
  ASSERT_EQ(::setenv("BGW_PROXIES_DIR", dir.c_str(), 1), 0);
  EXPECT_EQ(shipped_names(run_usage()), files) << run_usage();
  EXPECT_EQ(shipped_names(bench_usage()), files) << bench_usage();
  EXPECT_EQ(shipped_names(matrix_usage()), files) << matrix_usage();
  ::unsetenv("BGW_PROXIES_DIR");
}

TEST(CliHelp, ShippedAdapterListSaysWhenTheDirectoryIsEmpty) {
  EXPECT_EQ(shipped_adapter_list("/nonexistent-bgw-dir"), "none found in /nonexistent-bgw-dir");
}

}  // namespace
