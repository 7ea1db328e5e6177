// Every shipped adapter renders a config the real proxy accepts, for every scenario we ship:
// the proxy's own config check (nginx -t, haproxy -c) runs on each rendered file. A template
// that breaks for one topology (a backup server, retries, passive health) fails here, not in
// the middle of a conformance run.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "harness/proxy/adapter.hpp"
#include "harness/proxy/child_process.hpp"
#include "harness/proxy/config_template.hpp"
#include "harness/proxy/topology_context.hpp"
#include "harness/scenario/discover.hpp"
#include "harness/scenario/load.hpp"
#include "unit/scenario/repo_root.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> adapter_names() {
  std::vector<std::string> names;
  const auto root = bgw::test::repo_root();
  if (!root) return names;
  for (const auto& e : fs::directory_iterator(*root / "proxies")) {
    if (e.path().extension() == ".toml") names.push_back(e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class AdapterConfig : public testing::TestWithParam<std::string> {};

TEST_P(AdapterConfig, LoadsWithoutDiagnostics) {
  const auto root = bgw::test::repo_root();
  ASSERT_TRUE(root);
  const auto load = bgw::proxy::load_adapter((*root / "proxies" / (GetParam() + ".toml")).string());
  std::string diags;
  for (const auto& d : load.diagnostics) diags += d.to_string() + "\n";
  EXPECT_TRUE(load.ok()) << diags;
}

TEST_P(AdapterConfig, RendersAConfigTheProxyAcceptsForEveryShippedScenario) {
  const auto root = bgw::test::repo_root();
  ASSERT_TRUE(root);
  const auto load = bgw::proxy::load_adapter((*root / "proxies" / (GetParam() + ".toml")).string());
  ASSERT_TRUE(load.ok());
  const bgw::proxy::Adapter& a = *load.adapter;
  const std::string program = bgw::proxy::find_program(a.program);
  if (program.empty()) GTEST_SKIP() << a.program << " is not installed";
  if (a.check_argv.empty()) GTEST_SKIP() << a.name << " declares no config check";

  const auto files = bgw::scenario::find_scenario_files({*root / "scenarios"});
  ASSERT_FALSE(files.files.empty());
  const fs::path work =
      fs::temp_directory_path() / ("bgw-adapter-" + a.name + "-" + std::to_string(::getpid()));
  // Removes the work directory however the test ends (an ASSERT returns early).
  struct RemoveAtExit {
    fs::path dir;
    ~RemoveAtExit() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{work};
  // Many scenarios render the same config (the topology is what differs, and often it does
  // not): check each distinct one once. varnishd -C compiles VCL to C each time (~0.4 s).
  std::set<std::string> checked;
  for (const auto& file : files.files) {
    const auto loaded = bgw::scenario::load_scenario(file);
    ASSERT_TRUE(loaded.ok()) << file;
    const auto& sc = *loaded.scenario;
    fs::remove_all(work);
    fs::create_directories(work);
    bgw::proxy::Bindings b;
    b.workdir = work.string();
    b.listen_port = 40000;
    std::uint16_t port = 40001;
    for (const auto& u : sc.upstreams) b.upstream_ports[u.name] = port++;
    auto ctx = bgw::proxy::make_context(sc, b, a.name);
    ctx.set("program", program);
    const std::string config =
        bgw::proxy::render_template(slurp(a.config_template), ctx, a.config_template);
    if (!checked.insert(config).second) continue;
    std::ofstream(work / a.config_file) << config;
    for (const auto& d : a.directories) fs::create_directories(work / d);
    bgw::proxy::SpawnOptions so;
    for (const auto& arg : a.check_argv)
      so.argv.push_back(bgw::proxy::render_template(arg, ctx, a.path));
    so.workdir = work.string();
    so.stdout_path = (work / "check.out").string();
    so.stderr_path = (work / "check.err").string();
    bgw::proxy::ChildProcess check(so);
    const auto status = check.wait_for(10s);
    ASSERT_TRUE(status.has_value()) << "config check did not finish";
    EXPECT_TRUE(status->exited && status->code == 0)
        << a.name << " rejected the config for " << file << " (" << status->describe() << "):\n"
        << slurp(work / "check.err") << slurp(work / "check.out") << "\n--- config ---\n"
        << config;
  }
}

INSTANTIATE_TEST_SUITE_P(Shipped, AdapterConfig, testing::ValuesIn(adapter_names()),
                         [](const testing::TestParamInfo<std::string>& i) { return i.param; });

}  // namespace
