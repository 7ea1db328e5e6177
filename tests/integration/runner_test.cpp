// The whole pipeline against real proxies (nginx, haproxy, when installed) and against the
// reference mini proxy (always): render, start, ready, steps, verdicts, stop. For each kind of
// failure the test checks both the verdict and the concrete facts the client observed, which are
// the measured behaviour of each proxy (../shared/research/proxy-semantics.md §1).
#include "harness/run/runner.hpp"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "harness/proxy/child_process.hpp"
#include "harness/proxy/readiness.hpp"
#include "harness/scenario/load.hpp"
#include "support/await_event.hpp"
#include "support/test_files.hpp"
#include "unit/scenario/repo_root.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using bgw::run::Verdict;

fs::path temp_dir(const std::string& what) {
  const fs::path p =
      fs::temp_directory_path() / ("bgw-runner-" + what + "-" + std::to_string(::getpid()));
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

// The adapter for a proxy name: shipped ones from proxies/, the mini proxy from its template.
std::optional<bgw::proxy::Adapter> adapter_for(const std::string& name) {
  const auto root = bgw::test::repo_root();
  if (!root) return std::nullopt;
  std::string path = (*root / "proxies" / (name + ".toml")).string();
  if (name == "mini") {
    std::ifstream in(*root / "tests/support/mini_proxy/mini.toml.in");
    std::stringstream s;
    s << in.rdbuf();
    std::string text = s.str();
    text = std::regex_replace(text, std::regex("@PROGRAM@"), BGW_MINI_PROXY_EXE);
    text = std::regex_replace(text, std::regex("@TEMPLATE@"),
                              (*root / "tests/support/mini_proxy/mini.conf.in").string());
    const fs::path dir = temp_dir("adapter");
    path = (dir / "mini.toml").string();
    std::ofstream(path) << text;
  }
  auto load = bgw::proxy::load_adapter(path);
  if (!load.ok()) {
    for (const auto& d : load.diagnostics) ADD_FAILURE() << d.to_string();
    return std::nullopt;
  }
  return load.adapter;
}

// A scenario with one upstream "a" running `fault`, and one GET.
std::string one_fault(const std::string& name, const std::string& fault_table,
                      const std::string& expects, const std::string& proxy_extra = "") {
  return "[scenario]\nname = \"" + name +
         "\"\ndescription = \"runner test\"\ntimeout = \"10s\"\n\n[[upstream]]\nname = \"a\"\n" +
         fault_table + "\n[proxy]\ntimeouts = { connect = \"500ms\", read = \"500ms\" }\n" +
         proxy_extra + "\n[[step]]\nrequest = { target = \"/x\" }\n\n" + expects;
}

struct Case;
void PrintTo(const Case& c, std::ostream* os);

struct Case {
  std::string name;
  std::string text;
  // What the client observed, per proxy: the status (0: no status line).
  std::map<std::string, int> status;
  std::map<std::string, Verdict> verdict;
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

std::vector<Case> cases() {
  return {
      {"refused",
       one_fault("t-refused", "listener = \"refuse\"\n",
                 "[[step.expect]]\nseverity = \"must\"\nstatus = \"5xx\"\nwithin = \"1s\"\n"
                 "[[step.expect]]\nseverity = \"should\"\nstatus = 502\n"),
       {{"nginx", 502}, {"haproxy", 503}, {"mini", 502}},
       {{"nginx", Verdict::pass}, {"haproxy", Verdict::pass}, {"mini", Verdict::pass}}},
      {"reset",
       one_fault("t-reset", "[[upstream.fault]]\nfault = \"reset_after_request\"\n",
                 "[[step.expect]]\nseverity = \"must\"\nstatus = 502\nwithin = \"1s\"\n"),
       {{"nginx", 502}, {"haproxy", 502}, {"mini", 502}},
       {{"nginx", Verdict::pass}, {"haproxy", Verdict::pass}, {"mini", Verdict::pass}}},
      {"stall",
       one_fault(
           "t-stall",
           "[[upstream.fault]]\nfault = \"stall_before_headers\"\nparams = { duration = \"3s\" }\n",
           "[[step.expect]]\nseverity = \"must\"\nstatus = 504\nnot_before = \"500ms\"\n"
           "within = \"1500ms\"\n"),
       {{"nginx", 504}, {"haproxy", 504}, {"mini", 504}},
       {{"nginx", Verdict::pass}, {"haproxy", Verdict::pass}, {"mini", Verdict::pass}}},
      {"invalid_header",
       one_fault("t-invalid-header-no-colon", "[[upstream.fault]]\nfault = \"header_no_colon\"\n",
                 "[[step.expect]]\nseverity = \"must\"\nstatus = 502\n"),
       // nginx takes a line without a colon as a header with an empty value (a known deviation).
       {{"nginx", 200}, {"haproxy", 502}, {"mini", 502}},
       {{"nginx", Verdict::xfail}, {"haproxy", Verdict::pass}, {"mini", Verdict::pass}}},
      {"truncated",
       one_fault("t-truncated",
                 "[[upstream.fault]]\nfault = \"close_mid_body\"\nparams = { bytes = 10, length = "
                 "100 }\n",
                 "[[step.expect]]\nseverity = \"must\"\nbody = \"truncated\"\n"),
       {{"nginx", 200}, {"haproxy", 200}, {"mini", 200}},
       {{"nginx", Verdict::pass}, {"haproxy", Verdict::pass}, {"mini", Verdict::pass}}},
      {"failover",
       "[scenario]\nname = \"t-failover\"\ndescription = \"runner test\"\ntimeout = "
       "\"10s\"\n\n[[upstream]]\nname = \"a\"\n"
       "listener = \"refuse\"\n\n[[upstream]]\nname = \"b\"\nresponse = { body = \"from b\" }\n\n"
       "[proxy]\npool = [\"a\", { upstream = \"b\", backup = true }]\n"
       "timeouts = { connect = \"500ms\", read = \"1s\" }\n"
       "retry = { attempts = 1, on = [\"connect_error\"] }\n"
       // HAProxy sends traffic to a backup only once the primary is marked down.
       "health = { max_fails = 1, fail_window = \"10s\" }\n\n"
       "[[step]]\nrequest = { target = \"/x\" }\n\n"
       "[[step.expect]]\nseverity = \"must\"\nstatus = 200\nbody_equals = \"from b\"\n\n"
       "[[expect]]\nseverity = \"must\"\nupstream = \"b\"\nrequests = 1\n",
       {{"nginx", 200}, {"haproxy", 200}, {"mini", 200}},
       {{"nginx", Verdict::pass}, {"haproxy", Verdict::pass}, {"mini", Verdict::pass}}},
  };
}

class RunnerAgainstProxies : public testing::TestWithParam<std::tuple<std::string, Case>> {};

TEST_P(RunnerAgainstProxies, VerdictAndObservationMatchTheProxysMeasuredBehaviour) {
  const auto& [proxy, c] = GetParam();
  const auto adapter = adapter_for(proxy);
  ASSERT_TRUE(adapter);
  if (bgw::proxy::find_program(adapter->program).empty())
    GTEST_SKIP() << proxy << " is not installed";
  auto loaded = bgw::scenario::load_scenario_text(c.text, c.name + ".toml");
  for (const auto& d : loaded.diagnostics) ADD_FAILURE() << d.to_string();
  ASSERT_TRUE(loaded.ok());
  bgw::run::RunOptions o;
  o.runs_root = temp_dir("runs");
  const auto version = bgw::proxy::read_version(*adapter);
  const auto r = bgw::run::run_scenario(*loaded.scenario, &*adapter, version, o);

  std::string detail = r.reason + "\n" + r.proxy_log_tail;
  for (const auto& ch : r.checks)
    detail += ch.kind + " " + (ch.passed ? "ok" : "FAILED") + ": expected " + ch.expected +
              ", observed " + ch.observed + "\n";
  ASSERT_FALSE(r.exchanges.empty()) << detail;
  const auto& obs = r.exchanges.front().observation;
  EXPECT_EQ(obs.status.value_or(0), c.status.at(proxy)) << detail;
  EXPECT_EQ(r.verdict, c.verdict.at(proxy)) << "verdict " << bgw::run::to_string(r.verdict) << "\n"
                                            << detail;
  if (c.name == "truncated") {
    EXPECT_EQ(obs.body_state, bgw::client::BodyState::truncated) << detail;
  }
  if (c.name == "stall") {
    EXPECT_GE(obs.timings.end, 500ms);  // never before the proxy's read timeout
  }
  fs::remove_all(o.runs_root);
}

std::string case_name(const testing::TestParamInfo<std::tuple<std::string, Case>>& i) {
  return std::get<0>(i.param) + "_" + std::get<1>(i.param).name;
}

INSTANTIATE_TEST_SUITE_P(All, RunnerAgainstProxies,
                         testing::Combine(testing::Values("mini", "nginx", "haproxy"),
                                          testing::ValuesIn(cases())),
                         case_name);

// Ctrl-C in the middle of a scenario: badgateway exits 130, and neither the proxy process nor
// its listening port is left behind.
TEST(RunnerInterrupt, SigintLeavesNoProxyAndNoPortBehind) {
  const auto root = bgw::test::repo_root();
  ASSERT_TRUE(root);
  const auto adapter = adapter_for("nginx");
  ASSERT_TRUE(adapter);
  if (bgw::proxy::find_program("nginx").empty()) GTEST_SKIP() << "nginx is not installed";
  const fs::path dir = temp_dir("sigint");
  const fs::path runs = dir / "runs";
  std::ofstream(dir / "stall.toml") << std::regex_replace(
      one_fault(
          "t-sigint",
          "[[upstream.fault]]\nfault = \"stall_before_headers\"\nparams = { duration = \"20s\" }\n",
          "[[step.expect]]\nseverity = \"must\"\nstatus = 504\n"),
      std::regex("read = \"500ms\""), "read = \"30s\"");
  bgw::proxy::ChildProcess cli(
      {.argv = {BGW_CLI_EXE, "run", "--proxy", (*root / "proxies/nginx.toml").string(),
                "--runs-dir", runs.string(), (dir / "stall.toml").string()},
       .stdout_path = (dir / "out.log").string(),
       .stderr_path = (dir / "err.log").string()});
  // Wait (inotify on the runs tree, bounded; badgateway's exit ends it early) until nginx wrote
  // its pid file, which nginx does after it opened its listening sockets.
  const auto found = bgw::test::await_file(
      runs,
      [](const fs::path& p) {
        return p.filename() == "nginx.pid" && !bgw::test::read_file(p).empty();
      },
      20s, cli.pidfd());
  ASSERT_FALSE(cli.poll().has_value()) << "badgateway exited early";
  ASSERT_TRUE(found) << "nginx never started";
  const fs::path pidfile = *found;
  pid_t nginx = 0;
  std::ifstream(pidfile) >> nginx;
  std::ifstream conf(pidfile.parent_path() / "nginx.conf");
  std::stringstream cs;
  cs << conf.rdbuf();
  std::smatch m;
  const std::string conf_text = cs.str();
  // The run's own address (docs/architecture.md, Isolation), not 127.0.0.1.
  ASSERT_TRUE(std::regex_search(conf_text, m, std::regex("listen (127\\.[0-9.]+):([0-9]+)")));
  const std::string host = m[1].str();
  const auto port = static_cast<std::uint16_t>(std::stoi(m[2].str()));
  ASSERT_TRUE(bgw::proxy::tcp_connects(host, port, 500ms));

  ::kill(cli.pid(), SIGINT);
  const auto status = cli.wait_for(10s);
  ASSERT_TRUE(status.has_value()) << "badgateway did not exit after SIGINT";
  EXPECT_TRUE(status->exited && status->code == 130) << status->describe();
  // nginx's master gone (its pidfd readable: exited, or a zombie awaiting its reaper).
  EXPECT_TRUE(bgw::test::await_exit(nginx, 2s)) << "nginx " << nginx << " survived";
  EXPECT_FALSE(bgw::proxy::tcp_connects(host, port, 200ms)) << "port " << port << " still accepts";
  fs::remove_all(dir);
}

// An already-running proxy (`--proxy-url`): badgateway starts only the upstreams, on the ports
// the scenario pins, and judges what the proxy answers.
TEST(RunnerProxyUrl, JudgesAProxyStartedOutsideTheHarness) {
  auto free_port = [] {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
    ::close(fd);
    return ntohs(sa.sin_port);
  };
  const fs::path dir = temp_dir("proxy-url");
  const auto upstream_port = free_port();
  const auto proxy_port = free_port();
  std::ofstream(dir / "mini.conf")
      << "listen = 127.0.0.1:" << proxy_port << "\nupstream = 127.0.0.1:" << upstream_port
      << "\nread_timeout = 1s\n";
  bgw::proxy::ChildProcess proxy({.argv = {BGW_MINI_PROXY_EXE, (dir / "mini.conf").string()},
                                  .stdout_path = (dir / "out.log").string(),
                                  .stderr_path = (dir / "err.log").string()});
  ASSERT_TRUE(bgw::proxy::await_ready(proxy, {.port = proxy_port, .timeout = 5s}).ready);
  auto loaded = bgw::scenario::load_scenario_text(
      "[scenario]\nname = \"t-proxy-url\"\ndescription = \"d\"\n[[upstream]]\nname = \"a\"\nport "
      "= " +
          std::to_string(upstream_port) +
          "\n[[upstream.fault]]\nfault = \"reset_after_request\"\n[[step]]\nrequest = { target = "
          "\"/\" }\n"
          "[[step.expect]]\nseverity = \"must\"\nstatus = 502\n[[expect]]\nseverity = \"must\"\n"
          "upstream = \"a\"\nrequests = 1\n",
      "proxy-url.toml");
  for (const auto& d : loaded.diagnostics) ADD_FAILURE() << d.to_string();
  ASSERT_TRUE(loaded.ok());
  bgw::run::RunOptions o;
  o.runs_root = dir / "runs";
  o.proxy_url = bgw::run::ProxyUrl{.host = "127.0.0.1", .port = proxy_port};
  const auto r = bgw::run::run_scenario(*loaded.scenario, nullptr, "", o);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.reason;
  ASSERT_FALSE(r.exchanges.empty());
  EXPECT_EQ(r.exchanges.front().observation.status.value_or(0), 502);
  proxy.stop(2s);
  fs::remove_all(dir);
}

// A proxy that dies in the middle of a scenario is a failure with its exit status and log, not a
// hang and not a harness error. The "proxy" here is bgw-upstream answering on the proxy's port,
// ended by coreutils timeout after 1 s; the second step comes after a 2 s pause.
TEST(RunnerProxyCrash, AProxyThatDiesMidScenarioFailsWithItsExitStatus) {
  if (bgw::proxy::find_program("timeout").empty()) GTEST_SKIP() << "coreutils timeout missing";
  const fs::path dir = temp_dir("crash");
  std::ofstream(dir / "none.conf.in") << "{{! this fake proxy takes no config }}\n";
  std::ofstream(dir / "dying.toml")
      << "[adapter]\nname = \"dying\"\nprogram = \"timeout\"\n"
         "argv = [\"{{program}}\", \"-s\", \"ABRT\", \"1\", \"" BGW_UPSTREAM_EXE
         "\", \"--address\", \"{{listen.host}}\", \"--port\", \"{{listen.port}}\"]\n"
         "config_template = \"none.conf.in\"\nconfig_file = \"none.conf\"\n";
  auto adapter = bgw::proxy::load_adapter((dir / "dying.toml").string());
  for (const auto& d : adapter.diagnostics) ADD_FAILURE() << d.to_string();
  ASSERT_TRUE(adapter.ok());
  auto loaded = bgw::scenario::load_scenario_text(
      "[scenario]\nname = \"t-crash\"\ndescription = \"d\"\n[[upstream]]\nname = \"a\"\n"
      "[[step]]\nrequest = { target = \"/1\" }\n[[step.expect]]\nseverity = \"must\"\nstatus = "
      "200\n"
      "[[step]]\npause = \"2s\"\nrequest = { target = \"/2\" }\n",
      "crash.toml");
  for (const auto& d : loaded.diagnostics) ADD_FAILURE() << d.to_string();
  ASSERT_TRUE(loaded.ok());
  bgw::run::RunOptions o;
  o.runs_root = dir / "runs";
  const auto r = bgw::run::run_scenario(*loaded.scenario, &*adapter.adapter, "", o);
  EXPECT_EQ(r.verdict, Verdict::fail) << r.reason;
  bool found = false;
  for (const auto& c : r.checks) {
    if (c.kind != "proxy_alive") continue;
    found = true;
    EXPECT_FALSE(c.passed);
    EXPECT_THAT(c.observed, testing::HasSubstr("exited with status 124"));
  }
  EXPECT_TRUE(found) << "no proxy_alive check";
  EXPECT_THAT(r.proxy_log_tail, testing::HasSubstr("listening"));
  fs::remove_all(dir);
}

// A proxy that is not installed: every scenario is a skip, and the run does not pass. It exits
// 77 (CTest's skip code, so the conformance entries show "Skipped"), says that nothing was
// tested, and its JSON report carries the same exit code.
TEST(RunnerMissingProxy, ExitsSeventySevenAndSaysNothingWasTested) {
  const fs::path dir = temp_dir("missing");
  std::ofstream(dir / "none.conf.in") << "{{! no config }}\n";
  std::ofstream(dir / "absent.toml")
      << "[adapter]\nname = \"absent\"\nprogram = \"bgw-no-such-proxy-anywhere\"\n"
         "argv = [\"{{program}}\"]\nconfig_template = \"none.conf.in\"\n"
         "config_file = \"none.conf\"\n";
  std::ofstream(dir / "s.toml") << one_fault(
      "t-missing", "", "[[step.expect]]\nseverity = \"must\"\nstatus = 200\n");
  bgw::proxy::ChildProcess cli(
      {.argv = {BGW_CLI_EXE, "run", "--proxy", (dir / "absent.toml").string(), "--json",
                (dir / "r.json").string(), "--runs-dir", (dir / "runs").string(),
                (dir / "s.toml").string()},
       .stdout_path = (dir / "out.log").string(),
       .stderr_path = (dir / "err.log").string()});
  const auto status = cli.wait_for(20s);
  ASSERT_TRUE(status.has_value()) << "badgateway run did not finish";
  const std::string out = bgw::test::read_file(dir / "out.log");
  EXPECT_TRUE(status->exited && status->code == bgw::run::exit_proxy_missing)
      << status->describe() << "\n"
      << out << bgw::test::read_file(dir / "err.log");
  EXPECT_THAT(out, testing::HasSubstr("bgw-no-such-proxy-anywhere is not installed"));
  EXPECT_THAT(out, testing::HasSubstr("nothing was tested"));
  EXPECT_THAT(bgw::test::read_file(dir / "r.json"), testing::HasSubstr("\"exit_code\":77"));
  fs::remove_all(dir);
}

}  // namespace
