// badgateway bench end to end, bounded in time: a 1.5s load through the reference mini proxy
// (always), nginx and HAProxy (when installed) while an upstream crashes. The bench's bookkeeping
// must add up (every request sent is a response or a transport error), failures must fall inside
// the error window that starts at the crash, and the per-upstream counts must be what the
// upstreams' own journals say. Then Ctrl-C: exit 130, nothing left running.
#include "harness/bench/bench_runner.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
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
using bgw::bench::Nanos;

fs::path temp_dir(const std::string& what) {
  return bgw::test::fresh_temp_dir("bench-" + what);
}

std::string read(const fs::path& p) {
  return bgw::test::read_file(p);
}

// The mini proxy's adapter, written with the built binary's path; shipped adapters as they are.
fs::path adapter_path(const std::string& name, const fs::path& dir) {
  const auto root = bgw::test::repo_root();
  if (name != "mini") return *root / "proxies" / (name + ".toml");
  std::string text = read(*root / "tests/support/mini_proxy/mini.toml.in");
  text = std::regex_replace(text, std::regex("@PROGRAM@"), BGW_MINI_PROXY_EXE);
  text = std::regex_replace(text, std::regex("@TEMPLATE@"),
                            (*root / "tests/support/mini_proxy/mini.conf.in").string());
  const fs::path p = dir / "mini.toml";
  std::ofstream(p) << text;
  return p;
}

std::optional<bgw::proxy::Adapter> adapter_for(const std::string& name, const fs::path& dir) {
  auto load = bgw::proxy::load_adapter(adapter_path(name, dir).string());
  for (const auto& d : load.diagnostics) ADD_FAILURE() << d.to_string();
  return load.adapter;
}

// Request heads per upstream in the journal the Simulation itself writes (journal.jsonl):
// a second reading of the journals, independent of the bench's own.
std::map<std::string, std::uint64_t> journal_requests(const fs::path& file) {
  std::map<std::string, std::uint64_t> out;
  std::istringstream in(read(file));
  const std::regex upstream(R"re("upstream":"([^"]+)","event":"request_head")re");
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_search(line, m, upstream)) ++out[m[1]];
  }
  return out;
}

// One upstream, no retries: from the crash at 500ms until the restart at 1s every request
// fails (refused by the upstream, 502 from the proxy); then the upstream serves again.
const char* crash_restart = R"(# Why: test
[scenario]
name = "t-bench-crash-restart"
description = "crash and restart under load"
timeout = "5s"

[[upstream]]
name = "a"

[[upstream.event]]
at = "500ms"
action = "crash"

[[upstream.event]]
at = "1s"
action = "restart"

[proxy]
timeouts = { connect = "300ms", read = "1s" }
retry = { attempts = 0 }

[bench]
duration = "1500ms"
connections = 8
rate = 200
request_timeout = "1s"
)";

// Primary and backup, refused connects retried: the crash costs at most the requests in flight
// and those sent to the primary until passive health marks it down; the backup serves the rest.
const char* crash_backup = R"(# Why: test
[scenario]
name = "t-bench-crash-backup"
description = "primary crash under load"
timeout = "5s"

[[upstream]]
name = "primary"

[[upstream.event]]
at = "700ms"
action = "crash"

[[upstream]]
name = "backup"

[proxy]
pool = ["primary", { upstream = "backup", backup = true }]
timeouts = { connect = "300ms", read = "1s" }
retry = { attempts = 1, on = ["connect_error"] }
health = { max_fails = 1, fail_window = "10s" }

[bench]
duration = "1500ms"
connections = 8
rate = 200
request_timeout = "1s"
)";

struct BenchRun {
  bgw::bench::BenchOutcome outcome;
  fs::path dir;
};

BenchRun bench(const std::string& proxy, const char* text, unsigned threads = 1) {
  BenchRun r;
  r.dir = temp_dir(proxy);
  const auto adapter = adapter_for(proxy, r.dir);
  if (!adapter) return r;
  auto loaded = bgw::scenario::load_scenario_text(text, "t.toml");
  for (const auto& d : loaded.diagnostics) ADD_FAILURE() << d.to_string();
  if (!loaded.ok()) return r;
  bgw::bench::BenchOptions o;
  o.runs_root = r.dir / "runs";
  o.keep_artifacts = true;  // for journal.jsonl
  if (threads > 1) o.overrides.threads = threads;
  r.outcome = bgw::bench::run_bench(*loaded.scenario, &*adapter, "", o);
  return r;
}

// The invariants every run must keep, whatever the proxy does.
void expect_bookkeeping(const BenchRun& r) {
  const auto& m = r.outcome.report.metrics;
  const auto& t = m.totals;
  EXPECT_GT(t.sent, 100u);  // 200 requests/s for 1.5s, less what the machine could not send
  EXPECT_EQ(t.sent, t.responses + t.transport_errors);
  EXPECT_EQ(t.records, t.sent);
  EXPECT_TRUE(m.bookkeeping.sent_matches);
  EXPECT_EQ(m.bookkeeping.served_without_delivery, 0u)
      << "a good response whose request no upstream read";
  std::uint64_t ended = 0;
  for (const auto& b : m.buckets) ended += b.ended;
  EXPECT_EQ(ended, t.sent);
  // Per-upstream counts are what the upstreams' journals say.
  ASSERT_FALSE(r.outcome.report.run_dir.empty());
  const auto journal = journal_requests(fs::path(r.outcome.report.run_dir) / "journal.jsonl");
  std::uint64_t served = 0;
  for (const auto& u : m.upstreams) {
    EXPECT_EQ(u.requests, journal.count(u.name) ? journal.at(u.name) : 0u) << u.name;
    EXPECT_EQ(u.unidentified, 0u) << u.name << ": every request carries X-Bgw-Request";
    served += u.served;
  }
  EXPECT_EQ(served, t.statuses.count(200) ? t.statuses.at(200) : 0u)
      << "every 200 was served by exactly one upstream";
}

class BenchAgainstProxies : public testing::TestWithParam<std::string> {};

// The crash at 500ms and the restart at 1s, as the client and the upstream saw them.
void expect_crash_and_restart(const BenchRun& r) {
  ASSERT_TRUE(r.outcome.ok()) << r.outcome.error << "\n" << r.outcome.proxy_log_tail;
  expect_bookkeeping(r);
  const auto& m = r.outcome.report.metrics;
  ASSERT_EQ(m.events.size(), 2u);
  const auto& crash = m.events[0];
  const auto& restart = m.events[1];
  EXPECT_EQ(crash.mark.action, "crash");
  EXPECT_GE(crash.mark.at, Nanos(500ms));  // timers never fire early
  EXPECT_LT(crash.mark.at, Nanos(600ms));
  // Nothing failed before the crash; while it was down, everything sent failed.
  EXPECT_EQ(m.totals.failed, crash.failed);
  EXPECT_GT(crash.failed, 20u);  // ~100 requests in the 500ms it was down
  ASSERT_TRUE(crash.first_failure && crash.last_failure);
  EXPECT_GE(*crash.first_failure, crash.mark.at);
  EXPECT_LT(*crash.first_failure, crash.mark.at + Nanos(100ms));
  EXPECT_GE(*crash.last_failure, restart.mark.at - Nanos(100ms));
  EXPECT_LT(*crash.last_failure, restart.mark.at + Nanos(300ms));
  EXPECT_EQ(*crash.time_to_detect, *crash.last_failure - crash.mark.at);
  // Back after the restart: the next request reached the upstream and got its 200.
  ASSERT_TRUE(restart.time_to_recover);
  EXPECT_LT(*restart.time_to_recover, Nanos(300ms));
  EXPECT_GT(m.upstreams[0].served, 100u);
  EXPECT_EQ(m.duplicates.requests, 0u);  // no retries
}

TEST_P(BenchAgainstProxies, CrashAndRestartWithoutRetries) {
  const std::string proxy = GetParam();
  {
    const auto a = adapter_for(proxy, temp_dir("probe"));
    ASSERT_TRUE(a);
    if (bgw::proxy::find_program(a->program).empty()) GTEST_SKIP() << proxy << " not installed";
  }
  const BenchRun r = bench(proxy, crash_restart);
  expect_crash_and_restart(r);
  fs::remove_all(r.dir);
}

TEST_P(BenchAgainstProxies, PrimaryCrashWithBackup) {
  const std::string proxy = GetParam();
  {
    const auto a = adapter_for(proxy, temp_dir("probe"));
    ASSERT_TRUE(a);
    if (bgw::proxy::find_program(a->program).empty()) GTEST_SKIP() << proxy << " not installed";
  }
  const BenchRun r = bench(proxy, crash_backup);
  ASSERT_TRUE(r.outcome.ok()) << r.outcome.error << "\n" << r.outcome.proxy_log_tail;
  expect_bookkeeping(r);
  const auto& m = r.outcome.report.metrics;
  ASSERT_EQ(m.events.size(), 1u);
  const auto& crash = m.events[0];
  EXPECT_EQ(m.totals.failed, crash.failed) << "nothing fails before the crash";
  if (crash.failed > 0) {  // the window brackets the crash: it starts there and ends soon
    EXPECT_GE(*crash.first_failure, crash.mark.at);
    EXPECT_LE(*crash.first_failure, *crash.last_failure);
    EXPECT_LT(*crash.last_failure, crash.mark.at + Nanos(500ms));
  }
  ASSERT_EQ(m.upstreams.size(), 2u);
  EXPECT_GT(m.upstreams[0].served, 50u);  // the primary until 700ms
  EXPECT_GT(m.upstreams[1].served, 50u);  // the backup after it
  EXPECT_GT(m.steady.count, 50u);
  fs::remove_all(r.dir);
}

// The load on two threads of its own (bench --threads 2): the same figures, merged from both.
TEST(BenchThreads, CrashAndRestartWithTwoClientThreads) {
  const BenchRun r = bench("mini", crash_restart, 2);
  EXPECT_EQ(r.outcome.report.config.threads, 2u);
  expect_crash_and_restart(r);
  fs::remove_all(r.dir);
}

INSTANTIATE_TEST_SUITE_P(All, BenchAgainstProxies, testing::Values("mini", "nginx", "haproxy"),
                         [](const auto& i) { return i.param; });

// The command: reports written, and exit 0.
TEST(BenchCommand, WritesTheJsonAndHtmlReports) {
  const fs::path dir = temp_dir("cli");
  std::ofstream(dir / "s.toml") << crash_restart;
  bgw::proxy::ChildProcess cli(
      {.argv = {BGW_CLI_EXE, "bench", (dir / "s.toml").string(), "--proxy",
                adapter_path("mini", dir).string(), "--duration", "1s", "--json",
                (dir / "r.json").string(), "--html", (dir / "r.html").string(), "--runs-dir",
                (dir / "runs").string()},
       .stdout_path = (dir / "out.log").string(),
       .stderr_path = (dir / "err.log").string()});
  const auto status = cli.wait_for(30s);
  ASSERT_TRUE(status) << "badgateway bench did not finish";
  EXPECT_TRUE(status->exited && status->code == 0)
      << status->describe() << "\n"
      << read(dir / "err.log") << read(dir / "out.log");
  const std::string out = read(dir / "out.log");
  EXPECT_THAT(out, testing::HasSubstr("a crash"));
  EXPECT_THAT(out, testing::HasSubstr("a restart"));
  EXPECT_THAT(read(dir / "r.json"), testing::StartsWith("{\"schema\":\"badgateway.bench/1\""));
  EXPECT_THAT(read(dir / "r.html"), testing::HasSubstr("<svg"));
  fs::remove_all(dir);
}

TEST(BenchCommand, UsageErrorsExitTwo) {
  const fs::path dir = temp_dir("usage");
  for (const std::vector<std::string>& args : {std::vector<std::string>{"bench"},
                                               {"bench", "x.toml", "--rate", "fast"},
                                               {"bench", "x.toml", "--duration", "10"},
                                               {"bench", "--no-such-option"}}) {
    std::vector<std::string> argv{BGW_CLI_EXE};
    argv.insert(argv.end(), args.begin(), args.end());
    bgw::proxy::ChildProcess cli({.argv = argv,
                                  .stdout_path = (dir / "out.log").string(),
                                  .stderr_path = (dir / "err.log").string()});
    const auto status = cli.wait_for(10s);
    ASSERT_TRUE(status);
    EXPECT_TRUE(status->exited && status->code == 2) << args.back() << ": " << status->describe();
    EXPECT_THAT(read(dir / "err.log"), testing::HasSubstr("Usage: badgateway bench"));
  }
  fs::remove_all(dir);
}

// Ctrl-C during the load: badgateway exits 130 and the proxy (and its port) is gone.
TEST(BenchCommand, SigintStopsTheLoadAndLeavesNoProxyBehind) {
  const fs::path dir = temp_dir("sigint");
  const fs::path runs = dir / "runs";
  std::ofstream(dir / "s.toml") << crash_restart;
  bgw::proxy::ChildProcess cli({.argv = {BGW_CLI_EXE, "bench", (dir / "s.toml").string(), "--proxy",
                                         adapter_path("mini", dir).string(), "--duration", "30s",
                                         "--runs-dir", runs.string()},
                                .stdout_path = (dir / "out.log").string(),
                                .stderr_path = (dir / "err.log").string()});
  // Wait (inotify on the runs tree, bounded; badgateway's exit ends it early) until the load
  // runs: the mini proxy logs each request it served to access.log, a line at a time. Its port
  // is in its config next to it.
  const auto ready = bgw::test::await_file(
      runs,
      [](const fs::path& p) {
        return p.filename() == "access.log" && read(p).find('\n') != std::string::npos;
      },
      20s, cli.pidfd());
  ASSERT_FALSE(cli.poll().has_value()) << "badgateway exited early\n" << read(dir / "err.log");
  ASSERT_TRUE(ready) << "the load never reached the proxy\n" << read(dir / "err.log");
  std::uint16_t port = 0;
  std::smatch m;
  const std::string conf = read(ready->parent_path() / "mini.conf");
  std::string host;
  if (std::regex_search(conf, m, std::regex(R"(listen = (127\.[0-9.]+):([0-9]+))"))) {
    port = static_cast<std::uint16_t>(std::stoi(m[2].str()));
    host = m[1].str();  // the run's own address (docs/architecture.md, Isolation)
  }
  ASSERT_NE(port, 0) << conf;
  ASSERT_TRUE(bgw::proxy::tcp_connects(host, port, 1s));
  ::kill(cli.pid(), SIGINT);
  const auto status = cli.wait_for(10s);
  ASSERT_TRUE(status.has_value()) << "badgateway did not exit after SIGINT";
  EXPECT_TRUE(status->exited && status->code == 130) << status->describe();
  // What was measured until then is still summarised, and says so.
  EXPECT_THAT(read(dir / "out.log"), testing::HasSubstr("interrupted")) << read(dir / "err.log");
  EXPECT_FALSE(bgw::proxy::tcp_connects(host, port, 200ms)) << "port " << port << " still accepts";
  fs::remove_all(dir);
}

}  // namespace
