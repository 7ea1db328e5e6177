// Two faults an nginx deployment must survive, tested from GoogleTest with badgateway::testing:
// an upstream that resets after reading the request (nginx answers 502), and the same fault
// taken from one of the shipped conformance scenarios.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <testing/badgateway_testing.hpp>

namespace {

namespace bt = bgw::testing;

class NginxFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = bt::ProxyUnderTest::unavailable("nginx")) GTEST_SKIP() << *why;
  }
  boost::asio::io_context io;  // the upstreams serve on it; send() and the waits drive it
};

TEST_F(NginxFaults, ResetAfterRequestIs502) {
  // One upstream, "backend", that reads each request and answers with a TCP RST.
  auto upstreams = bt::FakeUpstreams::from_specs(
      io, {bt::upstream_with_fault("backend", "reset_after_request")});
  // nginx with its config rendered by the shipped adapter, proxying to "backend".
  bt::ProxyUnderTest nginx("nginx", upstreams);

  const bt::Response r = bt::send(io, nginx.host(), nginx.port(), bt::get_request("/orders"));

  EXPECT_EQ(bt::status_of(r), 502) << nginx.log_tail();
  EXPECT_TRUE(bt::wait_for_requests(io, upstreams.upstream("backend"), 1));
  EXPECT_TRUE(bt::wait_for_fault(io, upstreams.upstream("backend")));
}

TEST_F(NginxFaults, HealthyUpstreamIsRelayed) {
  bgw::sim::UpstreamSpec backend;
  backend.name = "backend";
  backend.response.body = "fine";
  auto upstreams = bt::FakeUpstreams::from_specs(io, {backend});
  bt::ProxyUnderTest nginx("nginx", upstreams);

  const bt::Response r = bt::send(io, nginx.host(), nginx.port(), bt::get_request());

  EXPECT_EQ(bt::status_of(r), 200);
  EXPECT_TRUE(r.received.ends_with("fine")) << bgw::client::escape_bytes(r.received);
}

TEST_F(NginxFaults, ScenarioFileUpstreams) {
  // The upstreams (and proxy topology: timeouts, retries off) of a shipped scenario.
  auto upstreams = bt::FakeUpstreams::from_scenario(
      io, BADGATEWAY_DATA_DIR
      "/scenarios/conformance/empty-reply/empty-reply-reset-after-request.toml");
  bt::ProxyUnderTest nginx("nginx", upstreams);
  upstreams.start_timeline();

  const bt::Response r = bt::send(io, nginx.host(), nginx.port(), bt::get_request("/reset"));

  EXPECT_EQ(bt::status_of(r), 502);
  EXPECT_TRUE(bt::wait_for_connection_closed(io, upstreams.upstream("a"), 1));
}

}  // namespace
