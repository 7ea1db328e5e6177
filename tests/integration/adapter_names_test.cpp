// One name per proxy: `--proxy apache2` (run) and `--proxies apache2` (matrix) find the Apache
// adapter, reports call it apache2, and the other spelling is rejected with a did-you-mean. And
// a [proxy.override.<adapter>] knob the adapter cannot place stops the run with a diagnostic at
// the knob that names the adapter, instead of changing nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "harness/proxy/child_process.hpp"
#include "support/test_files.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::HasSubstr;

struct CliRun {
  bgw::proxy::ExitStatus status;
  std::string out;
  std::string err;
};

// Run the CLI, bounded: a hung run is a test failure, never a hung test.
CliRun run_cli(const std::vector<std::string>& args, const fs::path& dir) {
  std::vector<std::string> argv{BGW_CLI_EXE};
  argv.insert(argv.end(), args.begin(), args.end());
  bgw::proxy::ChildProcess cli({.argv = argv,
                                .stdout_path = (dir / "cli.out").string(),
                                .stderr_path = (dir / "cli.err").string()});
  auto status = cli.wait_for(40s);
  if (!status) {
    ADD_FAILURE() << "badgateway did not finish within 40 s";
    status = cli.stop(1s);
  }
  return {*status, bgw::test::read_file(dir / "cli.out"), bgw::test::read_file(dir / "cli.err")};
}

fs::path write_scenario(const fs::path& dir, const std::string& extra = "") {
  const fs::path file = dir / "t-names.toml";
  std::ofstream(file)
      << "[scenario]\nname = \"t-names\"\ndescription = \"one GET\"\n"
         "[[upstream]]\nname = \"a\"\n"
      << extra
      << "[[step]]\nrequest = { target = \"/\" }\n[[step.expect]]\nseverity = \"must\"\n"
         "why = \"the upstream answers 200\"\nstatus = 200\n";
  return file;
}

TEST(AdapterNames, RunAndMatrixTakeApache2) {
  if (bgw::proxy::find_program("apache2").empty()) GTEST_SKIP() << "apache2 is not installed";
  const fs::path dir = bgw::test::fresh_temp_dir("adapter-names");
  const fs::path scenario = write_scenario(dir);

  const auto run = run_cli(
      {"run", "--proxy", "apache2", "--runs-dir", (dir / "runs").string(), scenario.string()}, dir);
  EXPECT_TRUE(run.status.exited && run.status.code == 0) << run.out << run.err;
  EXPECT_THAT(run.out, HasSubstr("against apache2 "));

  const auto matrix =
      run_cli({"matrix", "--proxies", "apache2", "--runs-dir", (dir / "runs").string(), "--json",
               (dir / "m.json").string(), scenario.string()},
              dir);
  EXPECT_TRUE(matrix.status.exited && matrix.status.code == 0) << matrix.out << matrix.err;
  EXPECT_THAT(bgw::test::read_file(dir / "m.json"), HasSubstr("\"apache2\""));
}

TEST(AdapterNames, TheOtherSpellingGetsADidYouMean) {
  const fs::path dir = bgw::test::fresh_temp_dir("adapter-names-typo");
  const fs::path scenario = write_scenario(dir);
  const auto run = run_cli({"run", "--proxy", "apache", scenario.string()}, dir);
  EXPECT_FALSE(run.status.exited && run.status.code == 0);
  EXPECT_THAT(run.out + run.err, HasSubstr("did you mean 'apache2'?"));

  const auto matrix = run_cli({"matrix", "--proxies", "apache", scenario.string()}, dir);
  EXPECT_FALSE(matrix.status.exited && matrix.status.code == 0);
  EXPECT_THAT(matrix.out + matrix.err, HasSubstr("did you mean 'apache2'?"));
}

TEST(AdapterOverrides, AKnobTheAdapterCannotPlaceIsADiagnosticNamingIt) {
  if (bgw::proxy::find_program("nginx").empty()) GTEST_SKIP() << "nginx is not installed";
  const fs::path dir = bgw::test::fresh_temp_dir("adapter-knobs");
  const fs::path scenario =
      write_scenario(dir, "[proxy.override.nginx]\n\"proxy buffering\" = \"off\"\n");
  const auto run = run_cli(
      {"run", "--proxy", "nginx", "--runs-dir", (dir / "runs").string(), scenario.string()}, dir);
  EXPECT_FALSE(run.status.exited && run.status.code == 0);
  // file:line:col of the knob, and the adapter's name.
  EXPECT_THAT(run.out + run.err, HasSubstr("t-names.toml:7:1: error: the nginx adapter cannot "
                                           "place the knob 'proxy buffering'"));
}

}  // namespace
