// The control API's decoding without sockets: routes (404, 405 with Allow), endpoints, JSON
// bodies turned into fault rules and upstreams through the scenario loader with each problem at
// its JSON Pointer, the event feed's numbering and bounds, and the OpenAPI description against
// the route table.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <fstream>
#include <set>
#include <sstream>

#include "harness/control/control_endpoint.hpp"
#include "harness/control/event_feed.hpp"
#include "harness/control/fault_request.hpp"
#include "harness/control/json_as_toml.hpp"
#include "harness/control/route_table.hpp"
#include "harness/control/upstream_request.hpp"
#include "unit/scenario/repo_root.hpp"

namespace {

using namespace bgw::control;
using testing::HasSubstr;

TEST(ControlRoutes, MatchesNamesAndSaysWhatIsAllowed) {
  auto m = match_route("PUT", "/upstreams/b-1/faults");
  ASSERT_TRUE(std::holds_alternative<RouteMatch>(m));
  EXPECT_EQ(std::get<RouteMatch>(m).id, RouteId::set_faults);
  EXPECT_EQ(std::get<RouteMatch>(m).name, "b-1");
  EXPECT_EQ(std::get<RouteMatch>(match_route("DELETE", "/upstreams/a")).id,
            RouteId::remove_upstream);
  EXPECT_EQ(std::get<RouteMatch>(match_route("POST", "/upstreams")).id, RouteId::add_upstream);

  auto wrong = match_route("POST", "/upstreams/a/faults");
  ASSERT_TRUE(std::holds_alternative<MethodNotAllowed>(wrong));
  EXPECT_EQ(std::get<MethodNotAllowed>(wrong).allow, "PUT, DELETE");
  EXPECT_EQ(std::get<MethodNotAllowed>(match_route("PATCH", "/health")).allow, "GET");

  for (const char* path : {"/nope", "/upstreams/a/b/c", "/upstreams//faults", "", "/health/x"})
    EXPECT_TRUE(std::holds_alternative<NotFound>(match_route("GET", path))) << path;
}

TEST(ControlEndpoint, ParsesLoopbackAndRemoteAndRefusesTheRest) {
  auto v4 = std::get<ControlEndpoint>(parse_control_endpoint("127.0.0.1:0"));
  EXPECT_EQ(v4.address, "127.0.0.1");
  EXPECT_TRUE(v4.loopback);
  auto v6 = std::get<ControlEndpoint>(parse_control_endpoint("[::1]:8475"));
  EXPECT_EQ(v6.address, "::1");
  EXPECT_EQ(v6.port, 8475);
  EXPECT_TRUE(v6.loopback);
  EXPECT_TRUE(std::get<ControlEndpoint>(parse_control_endpoint("localhost:1")).loopback);
  EXPECT_FALSE(std::get<ControlEndpoint>(parse_control_endpoint("0.0.0.0:1")).loopback);
  EXPECT_THAT(std::get<std::string>(parse_control_endpoint("127.0.0.1")), HasSubstr("HOST:PORT"));
  EXPECT_THAT(std::get<std::string>(parse_control_endpoint("127.0.0.1:70000")),
              HasSubstr("not a port"));
  EXPECT_THAT(std::get<std::string>(parse_control_endpoint("example.com:80")),
              HasSubstr("not an IP address"));
}

bgw::sim::Response plain() {
  return bgw::sim::Response{};
}

TEST(ControlFaultRequest, OneRuleOrAnArrayInTheFilesVocabulary) {
  auto one = decode_fault_request(R"({"fault":"reset_after_request"})", plain(), false);
  ASSERT_TRUE(std::holds_alternative<FaultRequest>(one)) << std::get<ApiError>(one).message;
  EXPECT_EQ(std::get<FaultRequest>(one).rules.size(), 1u);

  auto two = decode_fault_request(
      R"([{"fault":"stall_before_headers","params":{"duration":"1500ms"},"nth":2},
          {"steps":[{"read":"whole"},{"write":"HTTP/1.1 200 OK\r\n"},{"half_close":true}]}])",
      plain(), false);
  ASSERT_TRUE(std::holds_alternative<FaultRequest>(two)) << std::get<ApiError>(two).message;
  const auto& rules = std::get<FaultRequest>(two).rules;
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[0].match.first, 2u);
  EXPECT_EQ(rules[0].match.last, 2u);
}

TEST(ControlFaultRequest, MalformedJsonIs400WithTheByte) {
  auto e = std::get<ApiError>(decode_fault_request(R"({"fault": )", plain(), false));
  EXPECT_EQ(e.status, 400);
  EXPECT_THAT(e.message, HasSubstr("malformed JSON"));
  auto trailing = std::get<ApiError>(decode_fault_request(R"({} x)", plain(), false));
  EXPECT_EQ(trailing.status, 400);
}

TEST(ControlFaultRequest, EachProblemAt422WithItsPointerAndTheLoadersWords) {
  auto e = std::get<ApiError>(decode_fault_request(
      R"([{"fault":"stall_before_headers","params":{"duraton":"1s"}},{"fault":"rest_after_request"},
          {"fault":"ok","probability":"half"}])",
      plain(), false));
  EXPECT_EQ(e.status, 422);
  ASSERT_EQ(e.errors.size(), 3u) << e.message;
  EXPECT_EQ(e.errors[0].path, "/0/params/duraton");
  EXPECT_THAT(e.errors[0].message, HasSubstr("did you mean 'duration'?"));
  EXPECT_EQ(e.errors[1].path, "/1/fault");
  EXPECT_THAT(e.errors[1].message, HasSubstr("did you mean \"reset_after_request\"?"));
  EXPECT_EQ(e.errors[2].path, "/2/probability");

  auto null =
      std::get<ApiError>(decode_fault_request(R"({"fault":"ok","nth":null})", plain(), false));
  EXPECT_EQ(null.status, 422);
  EXPECT_EQ(null.errors.at(0).path, "/nth");
  auto scalar = std::get<ApiError>(decode_fault_request("42", plain(), false));
  EXPECT_EQ(scalar.status, 422);
  auto not_object =
      std::get<ApiError>(decode_fault_request(R"([{"fault":"ok"}, 3])", plain(), false));
  EXPECT_EQ(not_object.errors.at(0).path, "/1");
  // A listener fault is not a rule: the message says where to switch the listener.
  auto listener = std::get<ApiError>(decode_fault_request(R"({"fault":"refuse"})", plain(), false));
  EXPECT_THAT(listener.message, HasSubstr("/listener"));
}

// A tls_* fault on a cleartext upstream would do nothing (no handshake to break): refused with
// the field it came from, as a scenario file refuses it; on a TLS upstream it is a rule.
TEST(ControlFaultRequest, ATlsFaultNeedsATlsUpstream) {
  const auto* body = R"([{"fault":"ok"},{"fault":"tls_stall_before_server_hello"}])";
  auto e = std::get<ApiError>(decode_fault_request(body, plain(), false));
  EXPECT_EQ(e.status, 422);
  ASSERT_EQ(e.errors.size(), 1u) << e.message;
  EXPECT_EQ(e.errors[0].path.rfind("/1", 0), 0u) << e.errors[0].path;
  EXPECT_THAT(e.errors[0].message, HasSubstr("needs a TLS upstream"));
  auto ok = decode_fault_request(body, plain(), true);
  ASSERT_TRUE(std::holds_alternative<FaultRequest>(ok)) << std::get<ApiError>(ok).message;
  EXPECT_EQ(std::get<FaultRequest>(ok).rules.size(), 2u);
}

// A custom step list with a TLS step: refused at that step for a cleartext upstream.
TEST(ControlFaultRequest, ATlsStepNeedsATlsUpstream) {
  const auto* body =
      R"({"on":"connection","steps":[{"stall":"1s"},{"handshake":{"offer":"legacy_versions"}}]})";
  auto e = std::get<ApiError>(decode_fault_request(body, plain(), false));
  EXPECT_EQ(e.status, 422);
  ASSERT_EQ(e.errors.size(), 1u) << e.message;
  EXPECT_EQ(e.errors[0].path, "/steps/1") << e.errors[0].path;
  EXPECT_THAT(e.errors[0].message, HasSubstr("step 'handshake' needs a TLS upstream"));
  auto ok = decode_fault_request(body, plain(), true);
  ASSERT_TRUE(std::holds_alternative<FaultRequest>(ok)) << std::get<ApiError>(ok).message;
  ASSERT_EQ(std::get<FaultRequest>(ok).rules.size(), 1u);
  auto typo = std::get<ApiError>(decode_fault_request(
      R"({"on":"connection","steps":[{"handshake":{"offer":"legacy"}}]})", plain(), true));
  EXPECT_EQ(typo.errors.at(0).path, "/steps/0/handshake/offer");
}

TEST(ControlFaultRequest, KeysAndStringsThatNeedEscapingInTomlStayIntact) {
  // A key with a dot, quotes and non-ASCII in a value: written as TOML strings, not bare words.
  auto e = std::get<ApiError>(
      decode_fault_request(R"({"fault":"ok","a.b\"c":"\u00e9\n"})", plain(), false));
  ASSERT_EQ(e.errors.size(), 1u);
  EXPECT_EQ(e.errors[0].path, "/a.b\"c");
  EXPECT_EQ(pointer_append("/x", "a/b~c"), "/x/a~1b~0c");
}

TEST(ControlUpstreamRequest, DecodesAnUpstreamTableAndRefusesATimeline) {
  auto ok = decode_upstream_request(
      R"({"name":"c","listener":"refuse","response":{"status":503,"body":"down"}})");
  ASSERT_TRUE(std::holds_alternative<UpstreamRequest>(ok)) << std::get<ApiError>(ok).message;
  EXPECT_EQ(std::get<UpstreamRequest>(ok).upstream.name, "c");
  EXPECT_EQ(std::get<UpstreamRequest>(ok).upstream.spec.mode, bgw::sim::ListenerMode::refuse);

  auto typo = std::get<ApiError>(decode_upstream_request(R"({"name":"c","listner":"refuse"})"));
  EXPECT_EQ(typo.status, 422);
  EXPECT_EQ(typo.errors.at(0).path, "/listner");
  EXPECT_THAT(typo.message, HasSubstr("did you mean 'listener'?"));
  auto deep = std::get<ApiError>(
      decode_upstream_request(R"({"name":"c","fault":[{"fault":"ok"},{"fault":"okk"}]})"));
  EXPECT_EQ(deep.errors.at(0).path, "/fault/1/fault");
  auto timeline = std::get<ApiError>(
      decode_upstream_request(R"({"name":"c","event":[{"at":"1s","action":"crash"}]})"));
  EXPECT_EQ(timeline.errors.at(0).path, "/event");
  EXPECT_EQ(std::get<ApiError>(decode_upstream_request(R"({"listener":"refuse"})")).status, 422);
  // TLS: an upstream added with "tls" speaks it and may carry tls_* faults; without, it may not.
  auto tls = decode_upstream_request(
      R"({"name":"s","tls":{"cert":"expired"},"fault":[{"fault":"tls_handshake_alert"}]})");
  ASSERT_TRUE(std::holds_alternative<UpstreamRequest>(tls)) << std::get<ApiError>(tls).message;
  ASSERT_TRUE(std::get<UpstreamRequest>(tls).upstream.spec.tls.has_value());
  EXPECT_EQ(std::get<UpstreamRequest>(tls).upstream.spec.tls->cert, bgw::sim::CertKind::expired);
  auto cleartext = std::get<ApiError>(
      decode_upstream_request(R"({"name":"c","fault":[{"fault":"tls_handshake_alert"}]})"));
  EXPECT_EQ(cleartext.errors.at(0).path.rfind("/fault/0", 0), 0u) << cleartext.errors.at(0).path;
  EXPECT_THAT(cleartext.errors.at(0).message, HasSubstr("needs a TLS upstream"));
  EXPECT_EQ(std::get<ApiError>(decode_upstream_request(R"({"name":"c","address":"10.0.0.1"})"))
                .errors.at(0)
                .path,
            "/address");
}

TEST(ControlEventFeed, NumbersEntriesKeepsTheLatestAndCountsWhatWasMissed) {
  boost::asio::io_context io;
  const auto origin = bgw::sim::Clock::now();
  EventFeed feed(io, origin, 3);
  std::vector<std::string> changes;
  feed.on_change([&](const std::string& line) { changes.push_back(line); });
  EXPECT_EQ(feed.last_seq(), 0u);
  EXPECT_EQ(feed.first_seq(), 1u);
  EXPECT_EQ(feed.add_change("crash", "a"), 1u);
  bgw::sim::Event e{};
  e.at = origin;
  e.kind = bgw::sim::EventKind::request_head;
  e.connection = 1;
  e.request = 1;
  e.detail = std::string(EventFeed::detail_cap + 100, 'x') + "\xff";
  feed.add_wire("a", e);
  auto page = feed.since(0, 10);
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].at("action"), "crash");
  EXPECT_EQ(page[1].at("event"), "request_head");
  EXPECT_EQ(page[1].at("seq"), 2u);
  EXPECT_EQ(page[1].at("detail").as_string().size(), EventFeed::detail_cap);  // cut
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_THAT(changes[0], HasSubstr("\"action\":\"crash\""));

  feed.add_change("restart", "a");
  feed.add_change("reset", "");
  EXPECT_EQ(feed.last_seq(), 4u);
  EXPECT_EQ(feed.first_seq(), 1u);  // capacity 3 is rounded up to 4: nothing dropped yet
  feed.add_change("crash", "a");
  EXPECT_EQ(feed.last_seq(), 5u);
  EXPECT_EQ(feed.first_seq(), 2u);  // seq 1 is gone
  EXPECT_EQ(feed.since(0, 10).size(), 4u);
  EXPECT_EQ(feed.since(0, 10).at(0).at("seq"), 2u);
  EXPECT_EQ(feed.since(4, 10).size(), 1u);
  EXPECT_EQ(feed.since(0, 2).size(), 2u);
  EXPECT_EQ(changes.size(), 4u);  // every change reached the sink, even the dropped one
}

TEST(ControlEventFeed, WireBytesBecomeValidUtf8) {
  boost::asio::io_context io;
  EventFeed feed(io, bgw::sim::Clock::now());
  bgw::sim::Event e{};
  e.at = bgw::sim::Clock::now();
  e.kind = bgw::sim::EventKind::wrote;
  e.detail = std::string("A\xff\x80\0B", 5);
  feed.add_wire("a", e);
  const std::string json = boost::json::serialize(feed.since(0, 1));
  boost::system::error_code ec;
  const auto back = boost::json::parse(json, ec);
  ASSERT_FALSE(ec) << json;
  EXPECT_EQ(back.at(0).at("detail").as_string(), std::string("A\u00ff\u0080\0B", 7));
}

// docs/control-api.yaml names exactly the routes of the server: every path and method the
// table has, and nothing else. Read line by line: paths at two spaces, methods at four.
TEST(ControlApiDoc, OpenApiPathsAndMethodsAreTheRouteTable) {
  const auto root = bgw::test::repo_root();
  ASSERT_TRUE(root);
  std::ifstream in(*root / "docs" / "control-api.yaml");
  ASSERT_TRUE(in);
  std::set<std::string> documented;
  std::string line, path;
  bool in_paths = false;
  while (std::getline(in, line)) {
    if (line == "paths:") {
      in_paths = true;
      continue;
    }
    if (!in_paths) continue;
    if (!line.empty() && line[0] != ' ') break;  // the next top-level key
    if (line.starts_with("  /") && line.ends_with(":")) {
      path = line.substr(2, line.size() - 3);
    } else if (line.size() > 4 && line.starts_with("    ") && line[4] != ' ' &&
               line.ends_with(":")) {
      std::string method = line.substr(4, line.size() - 5);
      if (method == "parameters") continue;
      for (auto& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.insert(method + " " + path);
    }
  }
  std::set<std::string> served;
  for (const Route& r : routes())
    served.insert(std::string(r.method) + " " + std::string(r.pattern));
  EXPECT_EQ(documented, served);
}

}  // namespace
