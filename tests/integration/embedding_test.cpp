// badgateway::testing as another project uses it (docs/embedding.md): upstreams from C++ and
// from a scenario file, a real proxy from its adapter, requests, and the deadline waits.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "testing/badgateway_testing.hpp"

namespace {

namespace bt = bgw::testing;
using namespace std::chrono_literals;

TEST(Embedding, SpecUpstreamAnswersAndTheWaitsSeeIt) {
  boost::asio::io_context io;
  bgw::sim::UpstreamSpec spec;
  spec.name = "a";
  auto ups = bt::FakeUpstreams::from_specs(io, {spec});
  const auto r = bt::send(io, "127.0.0.1", ups.port("a"), bt::get_request("/x"));
  EXPECT_EQ(bt::status_of(r), 200);
  EXPECT_TRUE(bt::wait_for_requests(io, ups.upstream("a"), 1));
  EXPECT_TRUE(bt::wait_for_connection_closed(io, ups.upstream("a"), 1));
}

TEST(Embedding, FaultByNameFiresAndIsAwaited) {
  boost::asio::io_context io;
  auto ups =
      bt::FakeUpstreams::from_specs(io, {bt::upstream_with_fault("a", "reset_after_request")});
  const auto r = bt::send(io, "127.0.0.1", ups.port("a"), bt::get_request());
  EXPECT_EQ(r.ending, bgw::client::Ending::reset);
  EXPECT_EQ(bt::status_of(r), 0);
  EXPECT_TRUE(bt::wait_for_fault(io, ups.upstream("a")));
}

TEST(Embedding, WaitThatTimesOutSaysWhatItAwaitedAndWhatHappened) {
  boost::asio::io_context io;
  bgw::sim::UpstreamSpec spec;
  spec.name = "idle";
  auto ups = bt::FakeUpstreams::from_specs(io, {spec});
  const auto r = bt::wait_for_requests(io, ups.upstream("idle"), 1, 20ms);
  ASSERT_FALSE(r);
  EXPECT_NE(std::string(r.message()).find("1 request(s) at upstream 'idle'"), std::string::npos)
      << r.message();
  EXPECT_NE(std::string(r.message()).find("journal"), std::string::npos) << r.message();
}

TEST(Embedding, UnknownFaultAndDuplicateNamesAreClearErrors) {
  boost::asio::io_context io;
  EXPECT_THROW((void)bt::upstream_with_fault("a", "no_such_fault"), std::invalid_argument);
  bgw::sim::UpstreamSpec a;
  a.name = "a";
  EXPECT_THROW((void)bt::FakeUpstreams::from_specs(io, {a, a}), std::invalid_argument);
  EXPECT_THROW((void)bt::FakeUpstreams::from_scenario(io, "/nonexistent/x.toml"),
               std::runtime_error);
}

TEST(Embedding, ScenarioFileUpstreams) {
  boost::asio::io_context io;
  auto ups = bt::FakeUpstreams::from_scenario(
      io, BGW_SOURCE_DIR "/scenarios/conformance/empty-reply/empty-reply-reset-after-request.toml");
  const auto r = bt::send(io, "127.0.0.1", ups.port("a"), bt::get_request());
  EXPECT_EQ(r.ending, bgw::client::Ending::reset);
  EXPECT_TRUE(bt::wait_for_fault(io, ups.upstream("a")));
}

TEST(Embedding, ResetThroughNginxIs502) {
  if (auto why = bt::ProxyUnderTest::unavailable("nginx")) GTEST_SKIP() << *why;
  boost::asio::io_context io;
  auto ups =
      bt::FakeUpstreams::from_specs(io, {bt::upstream_with_fault("a", "reset_after_request")});
  bt::ProxyUnderTest nginx("nginx", ups);
  EXPECT_FALSE(nginx.version().empty());
  const auto r = bt::send(io, nginx.host(), nginx.port(), bt::get_request("/reset"));
  EXPECT_EQ(bt::status_of(r), 502) << bgw::client::escape_bytes(r.received) << nginx.log_tail();
  EXPECT_TRUE(bt::wait_for_fault(io, ups.upstream("a")));
  const auto dir = nginx.run_dir();
  nginx.stop();
  EXPECT_TRUE(std::filesystem::exists(dir));
}

TEST(Embedding, AdapterNamesResolveToTheSourceTreeInTree) {
  EXPECT_EQ(bt::ProxyUnderTest::adapter_file("./my.toml"), "./my.toml");
  EXPECT_TRUE(std::filesystem::exists(bt::ProxyUnderTest::adapter_file("haproxy")));
  EXPECT_TRUE(bt::ProxyUnderTest::unavailable("no-such-proxy").has_value());
}

TEST(Embedding, StatusOfReadsOnlyAStatusLine) {
  bt::Response r;
  r.received = "HTTP/1.1 504 Gateway Timeout\r\n\r\n";
  EXPECT_EQ(bt::status_of(r), 504);
  r.received = "garbage";
  EXPECT_EQ(bt::status_of(r), 0);
  r.received = "HTTP/1.1 5x2 Bad\r\n";
  EXPECT_EQ(bt::status_of(r), 0);
}

}  // namespace
