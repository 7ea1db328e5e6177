// The control API over real sockets: a ControlServer and a Simulation on one io_context run by a
// thread of their own (as in serve), driven from the test thread through the same client `ctl`
// uses, with a raw client to the upstreams. Every route for success and for each error class,
// the long poll, the event stream, the token and Origin checks, body limits, and that a change
// applies to the very next connection.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <thread>

#include "harness/client/raw_client.hpp"
#include "harness/control/control_api.hpp"
#include "harness/control/control_client.hpp"
#include "harness/control/control_server.hpp"
#include "harness/control/event_feed.hpp"
#include "harness/scenario/load.hpp"
#include "harness/scenario/simulation.hpp"
#include "tests/support/tls_client.hpp"

namespace {

using namespace std::chrono_literals;
using bgw::client::Ending;
using bgw::control::ClientReply;
using bgw::control::ClientRequest;
using testing::HasSubstr;
namespace json = boost::json;

constexpr const char* scenario_text =
    "[scenario]\nname = \"control\"\ndescription = \"d\"\n"
    "[[upstream]]\nname = \"a\"\n"
    "[[upstream]]\nname = \"b\"\nresponse = { status = 503, body = \"b\" }\n"
    "[[upstream.fault]]\nfault = \"reset_after_request\"\n";

const std::string get = "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";

class ControlApiTest : public testing::Test {
 protected:
  void start(bgw::control::ServerOptions options = {}) {
    auto loaded = bgw::scenario::load_scenario_text(scenario_text, "control.toml");
    ASSERT_TRUE(loaded.ok());
    scenario_ = std::move(*loaded.scenario);
    sim_.emplace(io_, scenario_);
    sim_->set_event_listener(
        [this](const std::string& u, const bgw::sim::Event& e) { feed_.add_wire(u, e); });
    api_.emplace(*sim_, feed_, "control");
    server_.emplace(io_, *api_, feed_, std::move(options));
    server_->start();
    endpoint_ = {"127.0.0.1", server_->port(), true};
    runner_ = std::thread([this] { io_.run(); });
  }

  ~ControlApiTest() override {
    if (runner_.joinable()) {
      boost::asio::post(io_, [this] {
        server_->stop();
        sim_->stop();
        guard_.reset();
      });
      runner_.join();
    }
  }

  ClientReply call(std::string method, std::string target, std::string body = "",
                   std::string token = "") {
    ClientRequest r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.body = std::move(body);
    r.token = std::move(token);
    r.timeout = 10s;
    return bgw::control::call(endpoint_, r);
  }

  static json::value body(const ClientReply& r) { return json::parse(r.body); }

  std::uint16_t port_of(const std::string& name) {
    return static_cast<std::uint16_t>(
        body(call("GET", "/upstreams/" + name)).at("port").to_number<int>());
  }

  bgw::client::RawResult send(std::uint16_t port) {
    boost::asio::io_context client;
    bgw::client::RawExchange x;
    x.port = port;
    x.request = get;
    x.connect_timeout = 1s;
    x.deadline = 2s;
    return bgw::client::exchange(client, x);
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_{
      io_.get_executor()};
  bgw::control::EventFeed feed_{io_, bgw::sim::Clock::now()};  // outlives the upstreams
  bgw::scenario::Scenario scenario_;
  std::optional<bgw::scenario::Simulation> sim_;
  std::optional<bgw::control::ControlApi> api_;
  std::optional<bgw::control::ControlServer> server_;
  bgw::control::ControlEndpoint endpoint_;
  std::thread runner_;
};

TEST_F(ControlApiTest, HealthAndUpstreamsDescribeWhatRuns) {
  start();
  auto health = call("GET", "/health");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(body(health).at("scenario"), "control");
  EXPECT_EQ(body(health).at("upstreams"), 2);

  auto list = body(call("GET", "/upstreams")).at("upstreams").as_array();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].at("name"), "a");
  EXPECT_EQ(list[1].at("faults").at(0).at("fault"), "reset_after_request");
  EXPECT_EQ(list[0].at("listener"), "accept");

  auto one = call("GET", "/upstreams/b");
  EXPECT_EQ(one.status, 200);
  EXPECT_EQ(body(one).at("name"), "b");
  auto missing = call("GET", "/upstreams/c");
  EXPECT_EQ(missing.status, 404);
  EXPECT_THAT(missing.body, HasSubstr("no upstream named 'c'"));
  auto typo = call("GET", "/upstreams/bb");
  EXPECT_THAT(typo.body, HasSubstr("did you mean 'b'?"));
}

TEST_F(ControlApiTest, UnknownRoutesAre404AndWrongMethods405WithAllow) {
  start();
  EXPECT_EQ(call("GET", "/nope").status, 404);
  auto wrong = call("POST", "/upstreams/a/faults");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.allow, "PUT, DELETE");
  EXPECT_EQ(call("GET", "/journal?since=x").status, 400);
  EXPECT_EQ(call("GET", "/journal?wait_ms=999999").status, 400);
  EXPECT_EQ(call("GET", "/journal?limit=0").status, 400);
  EXPECT_EQ(call("GET", "/journal?bogus=1").status, 400);
}

TEST_F(ControlApiTest, SetFaultsAppliesToTheNextConnectionAndClearRestoresTheDefault) {
  start();
  const auto a = port_of("a");
  EXPECT_THAT(send(a).received, HasSubstr("200 OK"));
  auto set = call("PUT", "/upstreams/a/faults", R"({"fault":"reset_after_request"})");
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(body(set).at("upstream").at("faults").at(0).at("fault"), "reset_after_request");
  EXPECT_EQ(send(a).ending, Ending::reset);  // the very next connection
  EXPECT_EQ(call("DELETE", "/upstreams/a/faults").status, 200);
  EXPECT_THAT(send(a).received, HasSubstr("200 OK"));

  // Invalid: nothing changes (b keeps its rule), each problem at its pointer.
  auto bad =
      call("PUT", "/upstreams/b/faults", R"([{"fault":"ok"},{"fault":"rest_after_request"}])");
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(body(bad).at("errors").at(0).at("path"), "/1/fault");
  EXPECT_EQ(send(port_of("b")).ending, Ending::reset);
  EXPECT_EQ(call("PUT", "/upstreams/b/faults", "{").status, 400);
  EXPECT_EQ(call("PUT", "/upstreams/zz/faults", R"({"fault":"ok"})").status, 404);
  EXPECT_EQ(call("DELETE", "/upstreams/zz/faults").status, 404);
}

// A file's nth counts from the upstream's start; set through the API it counts from the change.
TEST_F(ControlApiTest, NthCountsFromTheChange) {
  start();
  const auto a = port_of("a");
  for (int i = 0; i < 3; ++i) EXPECT_THAT(send(a).received, HasSubstr("200 OK"));
  ASSERT_EQ(call("PUT", "/upstreams/a/faults", R"({"fault":"reset_after_request","nth":2})").status,
            200);
  EXPECT_THAT(send(a).received, HasSubstr("200 OK"));
  EXPECT_EQ(send(a).ending, Ending::reset);
  EXPECT_THAT(send(a).received, HasSubstr("200 OK"));
}

TEST_F(ControlApiTest, CrashRefusesRestartAcceptsAndListenerSwitches) {
  start();
  const auto a = port_of("a");
  auto crash = call("POST", "/upstreams/a/crash");
  ASSERT_EQ(crash.status, 200);
  EXPECT_EQ(body(crash).at("upstream").at("counters").at("crashes"), 1);
  EXPECT_EQ(send(a).ending, Ending::refused);
  EXPECT_EQ(call("POST", "/upstreams/a/restart").status, 200);
  EXPECT_THAT(send(a).received, HasSubstr("200 OK"));

  auto refuse = call("PUT", "/upstreams/a/listener", R"({"mode":"refuse"})");
  ASSERT_EQ(refuse.status, 200);
  EXPECT_EQ(body(refuse).at("upstream").at("listener"), "refuse");
  EXPECT_EQ(send(a).ending, Ending::refused);
  auto typo = call("PUT", "/upstreams/a/listener", R"({"mode":"blackhol"})");
  EXPECT_EQ(typo.status, 422);
  EXPECT_THAT(typo.body, HasSubstr("did you mean \\\"blackhole\\\"?"));
  EXPECT_EQ(call("PUT", "/upstreams/a/listener", R"({"mod":"accept"})").status, 422);
  EXPECT_EQ(call("PUT", "/upstreams/a/listener", "[").status, 400);
  EXPECT_EQ(call("PUT", "/upstreams/a/listener", R"({"mode":"accept"})").status, 200);
  EXPECT_THAT(send(a).received, HasSubstr("200 OK"));
  EXPECT_EQ(call("POST", "/upstreams/zz/crash").status, 404);
  EXPECT_EQ(call("POST", "/upstreams/zz/restart").status, 404);
  EXPECT_EQ(call("PUT", "/upstreams/zz/listener", R"({"mode":"accept"})").status, 404);
}

TEST_F(ControlApiTest, UpstreamsAreAddedAndRemovedAndResetRestoresTheFile) {
  start();
  auto added = call("POST", "/upstreams", R"({"name":"c","response":{"status":418,"body":"c"}})");
  ASSERT_EQ(added.status, 201) << added.body;
  const auto c = static_cast<std::uint16_t>(body(added).at("upstream").at("port").to_number<int>());
  EXPECT_THAT(send(c).received, HasSubstr("418"));
  EXPECT_EQ(call("POST", "/upstreams", R"({"name":"c"})").status, 409);
  EXPECT_EQ(call("POST", "/upstreams", R"({"name":"d","listner":"refuse"})").status, 422);
  EXPECT_EQ(call("POST", "/upstreams", R"({"name":)").status, 400);

  const auto a = port_of("a");
  EXPECT_EQ(call("DELETE", "/upstreams/a").status, 200);
  EXPECT_EQ(call("GET", "/upstreams/a").status, 404);
  EXPECT_EQ(send(a).ending, Ending::refused);  // the port is released
  EXPECT_EQ(call("DELETE", "/upstreams/a").status, 404);
  EXPECT_EQ(call("PUT", "/upstreams/b/listener", R"({"mode":"blackhole"})").status, 200);

  auto reset = call("POST", "/reset");
  ASSERT_EQ(reset.status, 200) << reset.body;
  EXPECT_EQ(call("GET", "/upstreams/c").status, 404);  // added at runtime: gone
  EXPECT_EQ(port_of("a"), a);                          // back on the port it had
  EXPECT_THAT(send(a).received, HasSubstr("200 OK"));
  auto b = body(call("GET", "/upstreams/b"));
  EXPECT_EQ(b.at("listener"), "accept");
  EXPECT_EQ(b.at("faults").as_array().size(), 1u);
}

// An upstream added with "tls" speaks it (a real OpenSSL client shakes hands with it), shows
// what it presents, and takes tls_* faults and TLS steps; a cleartext upstream refuses them
// with a 422.
TEST_F(ControlApiTest, TlsUpstreamsAreAddedShownAndTakeTlsFaultsAndSteps) {
  start();
  auto added = call("POST", "/upstreams", R"({"name":"s","tls":{"cert":"expired","key":"rsa"}})");
  ASSERT_EQ(added.status, 201) << added.body;
  const auto view = body(call("GET", "/upstreams/s"));
  ASSERT_TRUE(view.as_object().contains("tls")) << json::serialize(view);
  EXPECT_EQ(view.at("tls").at("cert"), "expired");
  EXPECT_EQ(view.at("tls").at("key"), "rsa");
  EXPECT_FALSE(body(call("GET", "/upstreams/a")).as_object().contains("tls"));

  bgw::test::TlsClientOptions o;
  o.port = port_of("s");
  const auto served = bgw::test::tls_exchange(o);
  EXPECT_TRUE(served.handshake_ok) << served.describe();
  EXPECT_THAT(served.bytes, HasSubstr("200 OK")) << served.describe();

  const std::string alert = R"({"fault":"tls_handshake_alert","params":{"alert":"unknown_ca"}})";
  auto refused = call("PUT", "/upstreams/a/faults", alert);
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_THAT(refused.body, HasSubstr("needs a TLS upstream"));
  EXPECT_EQ(body(call("GET", "/upstreams/a")).at("faults").as_array().size(), 0u);  // unchanged
  ASSERT_EQ(call("PUT", "/upstreams/s/faults", alert).status, 200);
  const auto failed = bgw::test::tls_exchange(o);
  EXPECT_FALSE(failed.handshake_ok) << failed.describe();
  EXPECT_EQ(failed.handshake_error, "tlsv1 alert unknown ca") << failed.describe();

  // Custom steps with TLS steps: refused at the step for the cleartext upstream; on the TLS
  // one, a handshake that offers only TLS 1.0/1.1 fails a client that requires TLS 1.2.
  const std::string steps =
      R"({"on":"connection","steps":[{"handshake":{"offer":"legacy_versions"}},{"serve":1}]})";
  auto refused_steps = call("PUT", "/upstreams/a/faults", steps);
  EXPECT_EQ(refused_steps.status, 422) << refused_steps.body;
  EXPECT_THAT(refused_steps.body, HasSubstr("step 'handshake' needs a TLS upstream"));
  EXPECT_THAT(refused_steps.body, HasSubstr("\"path\":\"/steps/0\""));
  ASSERT_EQ(call("PUT", "/upstreams/s/faults", steps).status, 200);
  o.min_version = TLS1_2_VERSION;
  const auto legacy = bgw::test::tls_exchange(o);
  EXPECT_EQ(legacy.handshake_error, "tlsv1 alert protocol version") << legacy.describe();
}

TEST_F(ControlApiTest, JournalHasEveryChangeAndWireEventInOrder) {
  start();
  ASSERT_EQ(call("POST", "/upstreams/a/crash").status, 200);
  ASSERT_EQ(call("POST", "/upstreams/a/restart").status, 200);
  EXPECT_THAT(send(port_of("a")).received, HasSubstr("200 OK"));
  auto page = body(call("GET", "/journal?since=0&wait_ms=0"));
  std::vector<std::string> seen;
  std::uint64_t last = 0;
  for (const auto& e : page.at("entries").as_array()) {
    const auto seq = e.at("seq").to_number<std::uint64_t>();
    EXPECT_EQ(seq, last + 1);
    last = seq;
    const std::string kind(e.at("event").as_string());
    seen.push_back(kind == "control" ? "control:" + std::string(e.at("action").as_string()) : kind);
  }
  EXPECT_THAT(seen, testing::IsSupersetOf({"control:crash", "control:restart", "accepted",
                                           "request_head", "wrote", "closed"}));
  EXPECT_EQ(page.at("missed"), 0);
  auto limited = body(call("GET", "/journal?since=0&limit=1&wait_ms=0"));
  EXPECT_EQ(limited.at("entries").as_array().size(), 1u);
}

TEST_F(ControlApiTest, LongPollAnswersAtTheNextEntryNotAtItsDeadline) {
  start();
  const auto last = body(call("GET", "/health")).at("last_seq").to_number<std::uint64_t>();
  const auto started = std::chrono::steady_clock::now();
  auto poll = std::async(std::launch::async, [&] {
    return call("GET", "/journal?since=" + std::to_string(last) + "&wait_ms=8000");
  });
  // Whether the change lands before or during the wait, the poll answers with it.
  ASSERT_EQ(call("POST", "/upstreams/b/crash").status, 200);
  ASSERT_EQ(poll.wait_for(7s), std::future_status::ready);
  auto reply = poll.get();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 7s);
  auto entries = body(reply).at("entries").as_array();
  ASSERT_FALSE(entries.empty());
  EXPECT_EQ(entries[0].at("seq"), last + 1);

  // Nothing new: answers empty at its deadline.
  const auto now_last = body(call("GET", "/health")).at("last_seq").to_number<std::uint64_t>();
  const auto t0 = std::chrono::steady_clock::now();
  auto empty = body(call("GET", "/journal?since=" + std::to_string(now_last) + "&wait_ms=200"));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 200ms);
  EXPECT_TRUE(empty.at("entries").as_array().empty());
}

TEST_F(ControlApiTest, EventsStreamEntriesAsTheyHappenAndResumeAfterLastEventId) {
  start();
  ASSERT_EQ(call("POST", "/upstreams/a/crash").status, 200);  // seq 1: crashed, 2: the change
  std::vector<std::string> events;
  std::string error;
  ClientRequest r;
  r.target = "/events?since=0";
  r.timeout = 10s;
  auto stream = std::async(std::launch::async, [&] {
    return bgw::control::stream_events(
        endpoint_, r,
        [&](const std::string& e) {
          events.push_back(e);
          return e.find("\"action\":\"restart\"") == std::string::npos;
        },
        error);
  });
  ASSERT_EQ(call("POST", "/upstreams/a/restart").status, 200);
  ASSERT_EQ(stream.wait_for(8s), std::future_status::ready);
  EXPECT_EQ(stream.get(), 200);
  ASSERT_GE(events.size(), 2u);
  EXPECT_THAT(events.front(), testing::StartsWith("id: 1\nevent: crashed\ndata: {"));
  EXPECT_THAT(events.back(), HasSubstr("\"action\":\"restart\""));

  // Resuming after the last id seen: the restart is not sent again.
  ClientRequest resume;
  resume.target = "/events?since=" + events.back().substr(4, events.back().find('\n') - 4);
  resume.timeout = 1s;  // the stream has no end: read what comes in a second
  std::vector<std::string> more;
  EXPECT_EQ(bgw::control::stream_events(
                endpoint_, resume,
                [&](const std::string& e) {
                  more.push_back(e);
                  return true;
                },
                error),
            200);
  for (const auto& e : more) EXPECT_THAT(e, testing::Not(HasSubstr("\"action\":\"restart\"")));
  ClientRequest bad;
  bad.target = "/events?wait_ms=1";
  EXPECT_EQ(bgw::control::stream_events(
                endpoint_, bad, [](const std::string&) { return true; }, error),
            400);
}

TEST_F(ControlApiTest, ConcurrentChangesAreAppliedInOrderAndNeverHalfApplied) {
  start();
  std::vector<std::future<ClientReply>> calls;
  for (int i = 0; i < 8; ++i) {
    calls.push_back(std::async(std::launch::async, [this, i] {
      return i % 2 ? call("PUT", "/upstreams/a/faults",
                          R"([{"fault":"reset_after_request"},{"fault":"ok","nth":2}])")
                   : call("PUT", "/upstreams/a/faults", R"([{"fault":"ok"},{"fault":"okk"}])");
    }));
  }
  std::set<std::uint64_t> seqs;
  for (auto& f : calls) {
    auto r = f.get();
    if (r.status == 200)
      EXPECT_TRUE(seqs.insert(body(r).at("seq").to_number<std::uint64_t>()).second);
    else
      EXPECT_EQ(r.status, 422);
  }
  EXPECT_EQ(seqs.size(), 4u);
  // Only the valid sets were ever applied, whole: two rules each.
  EXPECT_EQ(body(call("GET", "/upstreams/a")).at("faults").as_array().size(), 2u);
}

TEST_F(ControlApiTest, TokenOriginAndBodyLimitAreEnforcedBeforeTheApi) {
  bgw::control::ServerOptions options;
  options.token = "s3cret";
  options.body_limit = 1024;
  start(options);
  auto none = call("GET", "/health");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(call("GET", "/health", "", "wrong").status, 401);
  EXPECT_EQ(call("GET", "/health", "", "s3cret").status, 200);
  EXPECT_EQ(call("POST", "/upstreams/a/crash", "", "wrong").status, 401);
  EXPECT_EQ(call("PUT", "/upstreams/a/faults", std::string(2048, ' '), "s3cret").status, 413);

  // A browser page's request carries Origin: refused even with the token.
  boost::asio::io_context client;
  bgw::client::RawExchange x;
  x.port = endpoint_.port;
  x.request =
      "POST /upstreams/a/crash HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret\r\n"
      "Origin: http://evil.example\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  auto origin = bgw::client::exchange(client, x);
  EXPECT_THAT(origin.received, testing::StartsWith("HTTP/1.1 403"));
  x.request = "GARBAGE\r\n\r\n";
  auto garbage = bgw::client::exchange(client, x);
  EXPECT_THAT(garbage.received, testing::StartsWith("HTTP/1.1 400"));
  // The upstream was never crashed by the refused requests.
  EXPECT_EQ(body(call("GET", "/upstreams/a", "", "s3cret")).at("counters").at("crashes"), 0);
}

}  // namespace
