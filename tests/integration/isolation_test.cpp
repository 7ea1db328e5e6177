// Isolation between parallel runs (docs/architecture.md, "Isolation"). Prevention: each run's
// upstreams and proxy listen on a loopback address of its own, so a foreign SO_REUSEPORT
// listener on the port the proxy gets -- another run's upstream in the race of issue 15 --
// receives nothing. Detection: when prevention is bypassed (a foreign listener on the run's own
// address and port, or a client pointed at another run's upstream), the verdict is `error`
// with the evidence, never `pass`.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <filesystem>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "harness/client/http_exchange.hpp"
#include "harness/proxy/loopback_lease.hpp"
#include "harness/run/isolation.hpp"
#include "harness/run/runner.hpp"
#include "harness/scenario/load.hpp"
#include "simulator/run_identity.hpp"
#include "simulator/upstream.hpp"
#include "support/test_adapters.hpp"
#include "support/test_files.hpp"

namespace {

namespace fs = std::filesystem;
namespace net = boost::asio;
using namespace std::chrono_literals;
using bgw::run::Verdict;
using bgw::sim::EventKind;

// Another run's upstream, as the runner starts one (SO_REUSEADDR + SO_REUSEPORT, an identity),
// serving on its own thread until destroyed.
class ForeignUpstream {
 public:
  ForeignUpstream(const std::string& host, std::uint16_t port, const std::string& identity)
      : guard_(net::make_work_guard(io_)) {
    bgw::sim::UpstreamSpec spec;
    spec.name = "foreign";
    spec.address = host;
    spec.port = port;
    spec.run_identity = identity;
    spec.response.body = "foreign body";
    up_ = std::make_unique<bgw::sim::Upstream>(io_, spec);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~ForeignUpstream() {
    net::post(io_, [this] {
      up_->stop();
      guard_.reset();
      io_.stop();
    });
    thread_.join();
  }
  std::uint16_t port() const { return up_->port(); }
  const bgw::sim::Journal& journal() const { return up_->journal(); }

 private:
  net::io_context io_{1};
  net::executor_work_guard<net::io_context::executor_type> guard_;
  std::unique_ptr<bgw::sim::Upstream> up_;
  std::thread thread_;
};

// One upstream answering 200, and `connections` concurrent GETs, each on its own connection:
// each connection is one more draw of the kernel's SO_REUSEPORT hash.
bgw::scenario::Scenario scenario(const std::string& name, int connections = 20) {
  const std::string n = std::to_string(connections);
  auto loaded = bgw::scenario::load_scenario_text(
      "[scenario]\nname = \"" + name +
          "\"\ndescription = \"isolation\"\ntimeout = \"20s\"\n[[upstream]]\nname = \"a\"\n"
          "[[step]]\nrequest = { target = \"/iso\" }\nrepeat = " +
          n + "\nconcurrency = " + n +
          "\n[[step.expect]]\nseverity = \"must\"\nstatus = 200\n[[expect]]\nseverity = "
          "\"must\"\nupstream = \"a\"\nrequests = " +
          n + "\n",
      name + ".toml");
  for (const auto& d : loaded.diagnostics) ADD_FAILURE() << d.to_string();
  return *loaded.scenario;
}

std::optional<bgw::proxy::Adapter> installed(const std::string& name, const fs::path& dir) {
  auto a = bgw::test::load_test_adapter(name, dir);
  if (a && bgw::proxy::find_program(a->program).empty()) return std::nullopt;
  return a;
}

class Isolation : public testing::TestWithParam<std::string> {};

INSTANTIATE_TEST_SUITE_P(Proxies, Isolation, testing::Values("mini", "haproxy", "caddy"));

// The race of issue 15, forced: the moment the proxy's port is picked, "another run's" upstream
// binds it on 127.0.0.1 with SO_REUSEPORT, where the proxy listened before. The proxy (haproxy
// and caddy listen with SO_REUSEPORT too) is on the run's own address, so that upstream
// receives nothing and the run passes.
TEST_P(Isolation, AForeignListenerOnTheProxysPortReceivesNothing) {
  const fs::path dir = bgw::test::fresh_temp_dir("iso-prevent");
  const auto adapter = installed(GetParam(), dir);
  if (!adapter) GTEST_SKIP() << GetParam() << " is not installed";
  std::vector<std::unique_ptr<ForeignUpstream>> foreign;
  std::string proxy_host;
  bool leased = false;
  bgw::run::RunOptions o;
  o.runs_root = dir / "runs";
  o.on_proxy_port = [&](const std::string& host, std::uint16_t port) {
    proxy_host = host;
    leased = bgw::proxy::LoopbackLease::held(host);
    foreign.push_back(std::make_unique<ForeignUpstream>("127.0.0.1", port, "other-run"));
  };
  const auto r = bgw::run::run_scenario(scenario("t-iso-prevent"), &*adapter,
                                        bgw::proxy::read_version(*adapter), o);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.reason << "\n" << r.proxy_log_tail;
  EXPECT_NE(proxy_host, "127.0.0.1");
  EXPECT_EQ(proxy_host.rfind("127.", 0), 0u) << proxy_host;
  EXPECT_TRUE(leased) << proxy_host << " was not leased while the run held it";
  EXPECT_FALSE(bgw::proxy::LoopbackLease::held(proxy_host)) << "the lease outlived the run";
  ASSERT_FALSE(foreign.empty());
  for (const auto& f : foreign) EXPECT_EQ(f->journal().count(EventKind::accepted), 0u);
  fs::remove_all(dir);
}

// Prevention bypassed: the foreign upstream binds the proxy's own address and port. A proxy
// with SO_REUSEPORT shares the port with it and the kernel splits the client's connections;
// the requests that land on the foreign upstream come back marked, and the foreign upstream
// journals them as foreign: verdict `error` with that evidence. A proxy without SO_REUSEPORT
// (mini) cannot bind, but the readiness probe reaches the foreign listener, which then answers
// every request: `error` with the same evidence. Never `pass`.
TEST_P(Isolation, BypassedPreventionIsAnErrorWithTheEvidence) {
  const fs::path dir = bgw::test::fresh_temp_dir("iso-bypass");
  const auto adapter = installed(GetParam(), dir);
  if (!adapter) GTEST_SKIP() << GetParam() << " is not installed";
  std::vector<std::unique_ptr<ForeignUpstream>> foreign;
  bgw::run::RunOptions o;
  o.runs_root = dir / "runs";
  o.on_proxy_port = [&](const std::string& host, std::uint16_t port) {
    foreign.push_back(std::make_unique<ForeignUpstream>(host, port, "other-run"));
  };
  const auto r = bgw::run::run_scenario(scenario("t-iso-bypass"), &*adapter,
                                        bgw::proxy::read_version(*adapter), o);
  EXPECT_EQ(r.verdict, Verdict::error) << r.reason;
  // With SO_REUSEPORT, 20 connections, each hashed to the proxy or the foreign upstream: all
  // 20 on the proxy has a chance of about 2^-20. The mini proxy cannot bind and exits, and the
  // TCP readiness probe is answered by the foreign listener: every request goes there.
  std::uint64_t stolen = 0;
  for (const auto& f : foreign) stolen += f->journal().count(EventKind::foreign_request);
  EXPECT_GT(stolen, 0u);
  EXPECT_NE(r.reason.find("traffic crossed between parallel runs"), std::string::npos) << r.reason;
  EXPECT_NE(r.reason.find("other-run"), std::string::npos) << r.reason;
  bool check = false;
  for (const auto& c : r.checks) {
    if (c.kind == "isolation" && !c.passed)
      check = c.observed.find("X-Bgw-Foreign") != std::string::npos;
  }
  EXPECT_TRUE(check) << "no failed isolation check naming the marked responses";
  fs::remove_all(dir);
}

// The client pointed straight at another run's upstream (a proxy URL that names it): the
// answer is marked, and the run says so.
TEST(IsolationDetection, AResponseFromAnotherRunsUpstreamIsAnError) {
  const fs::path dir = bgw::test::fresh_temp_dir("iso-url");
  ForeignUpstream foreign("127.0.0.1", 0, "other-run");
  bgw::run::RunOptions o;
  o.runs_root = dir / "runs";
  o.proxy_url = bgw::run::ProxyUrl{"127.0.0.1", foreign.port()};
  const auto r = bgw::run::run_scenario(scenario("t-iso-url", 2), nullptr, "", o);
  EXPECT_EQ(r.verdict, Verdict::error) << r.reason;
  EXPECT_NE(r.reason.find("answered by an upstream of run other-run"), std::string::npos)
      << r.reason;
  ASSERT_FALSE(r.exchanges.empty());
  EXPECT_EQ(r.exchanges.front().observation.status.value_or(0), 421);
  EXPECT_EQ(foreign.journal().count(EventKind::foreign_request), 2u);
  fs::remove_all(dir);
}

// An upstream serves its own run's requests and requests without an identity (a proxy's health
// check), and answers another run's request with the marked 421 instead of its script.
TEST(IsolationDetection, AnUpstreamMarksOnlyAnotherRunsRequests) {
  ForeignUpstream up("127.0.0.1", 0, "run-a");
  net::io_context io;
  auto get = [&](const std::string& identity) {
    auto c = bgw::client::ClientConnection::connect(io, "127.0.0.1", up.port(), 2s);
    bgw::client::HttpRequest h;
    h.target = "/";
    if (!identity.empty()) h.headers.emplace_back(std::string(bgw::sim::run_header), identity);
    return c.exchange(h, 2s);
  };
  const auto own = get("run-a");
  const auto none = get("");
  const auto other = get("run-b");
  EXPECT_EQ(own.status.value_or(0), 200);
  EXPECT_FALSE(own.header(bgw::sim::foreign_header));
  EXPECT_EQ(none.status.value_or(0), 200);
  EXPECT_EQ(other.status.value_or(0), 421);
  EXPECT_EQ(other.header(bgw::sim::foreign_header).value_or(""), "run-a");
  ASSERT_EQ(up.journal().count(EventKind::foreign_request), 1u);
  for (const auto& e : up.journal().snapshot()) {
    if (e.kind == EventKind::foreign_request) {
      EXPECT_NE(e.detail.find("run-b"), std::string::npos) << e.detail;
    }
  }
}

// Leases: distinct addresses while held, never 127.0.0.1, free again once released.
TEST(LoopbackLease, AddressesAreExclusiveWhileHeld) {
  const fs::path dir = bgw::test::fresh_temp_dir("iso-lease");
  std::vector<bgw::proxy::LoopbackLease> leases;
  std::set<std::string> seen;
  for (int i = 0; i < 64; ++i) {
    leases.emplace_back(dir);
    const std::string& a = leases.back().address();
    EXPECT_TRUE(seen.insert(a).second) << a << " leased twice";
    EXPECT_NE(a, "127.0.0.1");
    EXPECT_TRUE(bgw::proxy::LoopbackLease::held(a, dir));
  }
  const std::string first = leases.front().address();
  leases.clear();
  EXPECT_FALSE(bgw::proxy::LoopbackLease::held(first, dir));
  fs::remove_all(dir);
}

// A relative --runs-dir: nginx used to open runs/x/.../runs/x/.../nginx.conf. Relative to the
// current directory now, at every level.
TEST(RelativePaths, ARelativeRunsDirWorksWithNginx) {
  const fs::path dir = bgw::test::fresh_temp_dir("iso-relative");
  const auto adapter = installed("nginx", dir);
  if (!adapter) GTEST_SKIP() << "nginx is not installed";
  const fs::path cwd = fs::current_path();
  fs::current_path(dir);
  bgw::run::RunOptions o;
  o.runs_root = "runs/x";
  o.keep_artifacts = true;
  const auto r = bgw::run::run_scenario(scenario("t-iso-relative", 2), &*adapter,
                                        bgw::proxy::read_version(*adapter), o);
  fs::current_path(cwd);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.reason << "\n" << r.proxy_log_tail;
  EXPECT_TRUE(fs::path(r.run_dir).is_absolute()) << r.run_dir;
  EXPECT_EQ(r.run_dir.rfind((fs::canonical(dir) / "runs/x").string(), 0), 0u) << r.run_dir;
  EXPECT_TRUE(fs::exists(fs::path(r.run_dir) / "nginx.conf"));
  fs::remove_all(dir);
}

}  // namespace
