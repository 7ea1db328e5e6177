// crash() and restart(): the emulated crash (in-process) and a real one (SIGKILL of a
// bgw-upstream child) must look the same to a client, byte for byte and ending for ending.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>

#include "harness/client/raw_client.hpp"
#include "simulator/fault_catalogue.hpp"
#include "simulator/process_upstream.hpp"
#include "simulator/upstream.hpp"

namespace {

using namespace std::chrono_literals;
using bgw::client::Ending;
using bgw::client::RawResult;

const std::string kRequest = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";
const std::string kHead = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";

// One upstream with a fault, crashable, in either mode.
class Target {
 public:
  virtual ~Target() = default;
  virtual std::uint16_t port() const = 0;
  virtual void crash() = 0;
  virtual void restart() = 0;
};

class InProcess : public Target {
 public:
  InProcess(boost::asio::io_context& io, const std::string& fault, const bgw::sim::FaultParams& p) {
    bgw::sim::UpstreamSpec spec{.name = "emulated"};
    auto lowered = bgw::sim::lower_fault(fault, p, spec.response);
    spec.rules.push_back(std::get<bgw::sim::LoweredFault>(lowered).rule);
    up_ = std::make_unique<bgw::sim::Upstream>(io, spec);
  }
  std::uint16_t port() const override { return up_->port(); }
  void crash() override { up_->crash(); }
  void restart() override { up_->restart(); }
  bgw::sim::Upstream& upstream() { return *up_; }

 private:
  std::unique_ptr<bgw::sim::Upstream> up_;
};

class ChildProcess : public Target {
 public:
  ChildProcess(const std::string& fault, const std::vector<std::string>& params)
      : up_(make_options(fault, params)) {}
  std::uint16_t port() const override { return up_.port(); }
  void crash() override { up_.kill(); }
  void restart() override { up_.restart(); }
  bgw::sim::ProcessUpstream& upstream() { return up_; }

 private:
  static bgw::sim::ProcessUpstreamOptions make_options(const std::string& fault,
                                                       const std::vector<std::string>& params) {
    bgw::sim::ProcessUpstreamOptions o{.executable = BGW_UPSTREAM_EXE, .name = "real"};
    o.args = {"--fault", fault};
    for (const auto& p : params) {
      o.args.push_back("--param");
      o.args.push_back(p);
    }
    return o;
  }
  bgw::sim::ProcessUpstream up_;
};

// Send a request; crash the target as soon as `crash_when` holds for what arrived.
RawResult exchange_and_crash(boost::asio::io_context& io, Target& t,
                             std::function<bool(std::string_view)> crash_when) {
  bgw::client::RawExchange req;
  req.port = t.port();
  req.request = kRequest;
  req.deadline = 3s;
  bool crashed = false;
  req.on_data = [&](std::string_view got) {
    if (!crashed && crash_when(got)) {
      crashed = true;
      t.crash();
    }
  };
  return bgw::client::exchange(io, req);
}

RawResult plain(boost::asio::io_context& io, std::uint16_t port,
                std::chrono::milliseconds deadline) {
  bgw::client::RawExchange req;
  req.port = port;
  req.request = kRequest;
  req.deadline = deadline;
  return bgw::client::exchange(io, req);
}

struct Observed {
  RawResult during, after_crash, after_restart;
};

// Crash while the response is stalled after its head: the request was read, so the kernel
// closes with FIN; later connects are refused; after restart the head comes again.
Observed stall_sequence(boost::asio::io_context& io, Target& t) {
  Observed o;
  o.during = exchange_and_crash(io, t, [](std::string_view got) { return got == kHead; });
  o.after_crash = plain(io, t.port(), 500ms);
  t.restart();
  o.after_restart = plain(io, t.port(), 300ms);
  return o;
}

TEST(Crash, EmulatedCrashMidResponseClosesWithFinThenRefusesThenRestarts) {
  boost::asio::io_context io;
  InProcess t(io, "stall_after_headers", {{"duration", bgw::sim::Duration(10s)}});
  const auto port = t.port();
  const Observed o = stall_sequence(io, t);
  EXPECT_EQ(o.during.received, kHead);
  EXPECT_EQ(o.during.ending, Ending::eof);
  EXPECT_LT(o.during.total, 1s);  // the crash, not the 10 s stall, ended it
  EXPECT_EQ(o.after_crash.ending, Ending::refused);
  EXPECT_EQ(o.after_restart.received, kHead);
  EXPECT_EQ(o.after_restart.ending, Ending::open);
  EXPECT_EQ(t.port(), port);
  EXPECT_EQ(t.upstream().journal().count(bgw::sim::EventKind::crashed), 1u);
  EXPECT_EQ(t.upstream().journal().count(bgw::sim::EventKind::internal_error), 0u);
}

TEST(Crash, RealSigkillMidResponseLooksTheSameAsTheEmulatedOne) {
  boost::asio::io_context io;
  InProcess emulated(io, "stall_after_headers", {{"duration", bgw::sim::Duration(10s)}});
  ChildProcess real("stall_after_headers", {"duration=10s"});
  const Observed e = stall_sequence(io, emulated);
  const Observed r = stall_sequence(io, real);
  EXPECT_TRUE(real.upstream().running());
  for (auto [a, b, what] : {std::tuple{&e.during, &r.during, "during"},
                            std::tuple{&e.after_crash, &r.after_crash, "after crash"},
                            std::tuple{&e.after_restart, &r.after_restart, "after restart"}}) {
    EXPECT_EQ(a->received, b->received) << what;
    EXPECT_EQ(a->ending, b->ending) << what << ": emulated " << bgw::client::to_string(a->ending)
                                    << ", real " << bgw::client::to_string(b->ending);
    EXPECT_EQ(a->connected, b->connected) << what;
  }
  EXPECT_EQ(r.during.ending, Ending::eof);
  EXPECT_EQ(r.after_crash.ending, Ending::refused);
}

// An idle keep-alive connection (response complete, nothing unread) sees FIN in both modes.
TEST(Crash, IdleKeepAliveConnectionSeesFinInBothModes) {
  boost::asio::io_context io;
  InProcess emulated(io, "ok", {});
  ChildProcess real("ok", {});
  const std::string full = kHead + "hello";
  auto complete = [&](std::string_view got) { return got == full; };
  const RawResult e = exchange_and_crash(io, emulated, complete);
  const RawResult r = exchange_and_crash(io, real, complete);
  EXPECT_EQ(e.received, full);
  EXPECT_EQ(r.received, full);
  EXPECT_EQ(e.ending, Ending::eof);
  EXPECT_EQ(r.ending, Ending::eof);
}

// A crash with request bytes still unread by the server: the kernel answers with RST, in both
// modes. The connection-scope fault never reads, so the request stays queued.
TEST(Crash, UnreadRequestBytesMakeTheCrashAReset) {
  boost::asio::io_context io;
  bgw::sim::UpstreamSpec spec{.name = "a"};
  spec.rules.push_back({.scope = bgw::sim::RuleScope::connection,
                        .script = {bgw::sim::Write{"x"}, bgw::sim::Stall{10s}}});
  bgw::sim::Upstream up(io, spec);
  struct Wrap : Target {
    bgw::sim::Upstream& u;
    explicit Wrap(bgw::sim::Upstream& x) : u(x) {}
    std::uint16_t port() const override { return u.port(); }
    void crash() override { u.crash(); }
    void restart() override { u.restart(); }
  } t(up);
  const RawResult r = exchange_and_crash(io, t, [](std::string_view got) { return got == "x"; });
  EXPECT_EQ(r.received, "x");
  EXPECT_EQ(r.ending, Ending::reset);
}

TEST(Crash, ChildThatCannotStartIsASetupErrorWithItsStatus) {
  bgw::sim::ProcessUpstreamOptions o{.executable = BGW_UPSTREAM_EXE, .name = "broken"};
  o.args = {"--fault", "no_such_fault"};
  try {
    bgw::sim::ProcessUpstream p(o);
    FAIL() << "expected SetupError";
  } catch (const bgw::sim::SetupError& e) {
    EXPECT_NE(std::string(e.what()).find("exited with status 2"), std::string::npos) << e.what();
  }
}

}  // namespace
