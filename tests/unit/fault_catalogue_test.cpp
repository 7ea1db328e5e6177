// The fault catalogue: every fault lowered with its defaults to an exact, byte-for-byte Script;
// names, suggestions, parameter parsing and every validation error.
#include "simulator/fault_catalogue.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "script_printers.hpp"
#include "simulator/units.hpp"

namespace {

using namespace std::chrono_literals;
using namespace std::string_literals;
using bgw::sim::Close;
using bgw::sim::Delay;
using bgw::sim::Drip;
using bgw::sim::FaultError;
using bgw::sim::FaultInfo;
using bgw::sim::FaultParams;
using bgw::sim::FaultScope;
using bgw::sim::ListenerMode;
using bgw::sim::LoweredFault;
using bgw::sim::Match;
using bgw::sim::ParamType;
using bgw::sim::ParamValue;
using bgw::sim::ReadRequest;
using bgw::sim::Reset;
using bgw::sim::Response;
using bgw::sim::RuleScope;
using bgw::sim::Script;
using bgw::sim::ServeRequests;
using bgw::sim::Stall;
using bgw::sim::Write;
using testing::HasSubstr;

// The default Response{} on the wire.
const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
const std::string response = head + "hello";

// Every fault name, spelled out so a rename or removal fails here.
const std::vector<std::string> all_names = {
    "ok",
    "refuse",
    "blackhole",
    "close_on_accept",
    "reset_on_accept",
    "close_after_request",
    "reset_after_request",
    "close_mid_headers",
    "reset_mid_headers",
    "stall_before_headers",
    "stall_after_headers",
    "stall_mid_body",
    "close_mid_body",
    "reset_mid_body",
    "drip_headers",
    "drip_body",
    "garbage_status",
    "http09_body",
    "bad_status_code",
    "header_name_space",
    "header_name_nontoken",
    "header_space_before_colon",
    "header_value_nul",
    "header_value_bare_cr",
    "header_obs_fold",
    "header_no_colon",
    "conflicting_content_length",
    "duplicate_content_length",
    "content_length_list",
    "content_length_nonnumeric",
    "content_length_negative",
    "content_length_with_chunked",
    "unknown_transfer_encoding",
    "bad_chunk_size_first",
    "bad_chunk_size_later",
    "missing_final_chunk",
    "headers_too_large",
    "too_many_headers",
    "status_5xx",
    "close_after_response",
    "close_after_requests",
    "tls_close_before_server_hello",
    "tls_reset_before_server_hello",
    "tls_stall_before_server_hello",
    "tls_stall_after_server_hello",
    "tls_plaintext_response",
    "tls_handshake_alert",
    "tls_legacy_versions",
    "tls_no_shared_cipher",
    "tls_alpn_mismatch",
    "tls_fin_without_close_notify",
    "tls_alert_mid_body",
    "tls_corrupt_record_mid_body",
};

struct Golden {
  FaultScope scope;
  std::optional<ListenerMode> mode;
  Script script;
};

// Read the request, write `bytes` as they are, then FIN.
Script raw_then_close(const std::string& bytes) {
  return {ReadRequest{}, Write{bytes}, Close{}};
}

// The default response with raw header `lines` before the blank line.
std::string with_header(const std::string& lines) {
  return "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n" + lines + "\r\nhello";
}

// A 200 whose only framing headers are the raw `framing` lines.
std::string framed(const std::string& framing, const std::string& body) {
  return "HTTP/1.1 200 OK\r\n" + framing + "\r\n" + body;
}

// pattern_body(100) and the head for a 100-byte Content-Length body.
const std::string body100 =
    "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz"
    "0123456789abcdefghijklmnopqr";
const std::string head100 = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n";

const std::map<std::string, Golden>& goldens() {
  static const std::map<std::string, Golden> table = [] {
    std::string too_many;
    for (int i = 1; i <= 300; ++i) too_many += "X-Header-" + std::to_string(i) + ": v\r\n";
    const auto req = FaultScope::request;
    const auto conn = FaultScope::connection;
    return std::map<std::string, Golden>{
        {"ok", {req, {}, {ReadRequest{}, bgw::sim::plain_response(Response{})}}},
        {"refuse", {FaultScope::listener, ListenerMode::refuse, {}}},
        {"blackhole", {FaultScope::listener, ListenerMode::blackhole, {}}},
        {"close_on_accept", {conn, {}, {Close{}}}},
        {"reset_on_accept", {conn, {}, {Reset{}}}},
        {"close_after_request", {req, {}, {ReadRequest{}, Close{}}}},
        {"reset_after_request", {req, {}, {ReadRequest{}, Reset{}}}},
        {"close_mid_headers", {req, {}, {ReadRequest{}, Write{"HTTP/1.1 2"}, Close{}}}},
        {"reset_mid_headers", {req, {}, {ReadRequest{}, Write{"HTTP/1.1 2"}, Reset{}}}},
        {"stall_before_headers", {req, {}, {ReadRequest{}, Stall{1s}, Write{response}}}},
        {"stall_after_headers", {req, {}, {ReadRequest{}, Write{head}, Stall{1s}, Write{"hello"}}}},
        {"stall_mid_body",
         {req,
          {},
          {ReadRequest{}, Write{head100 + "0123456789"}, Stall{1s}, Write{body100.substr(10)}}}},
        {"close_mid_body", {req, {}, {ReadRequest{}, Write{head100 + "0123456789"}, Close{}}}},
        {"reset_mid_body", {req, {}, {ReadRequest{}, Write{head100 + "0123456789"}, Reset{}}}},
        {"drip_headers", {req, {}, {ReadRequest{}, Drip{head, 1, 100ms}, Write{"hello"}}}},
        {"drip_body", {req, {}, {ReadRequest{}, Write{head}, Drip{"hello", 1, 100ms}}}},
        {"garbage_status", {req, {}, raw_then_close("GARBAGE NOT HTTP\r\n\r\nhello")}},
        {"http09_body", {req, {}, raw_then_close("hello")}},
        {"bad_status_code",
         {req, {}, raw_then_close("HTTP/1.1 2x0 OK\r\nContent-Length: 5\r\n\r\nhello")}},
        {"header_name_space", {req, {}, raw_then_close(with_header("Bad Name: x\r\n"))}},
        {"header_name_nontoken", {req, {}, raw_then_close(with_header("X-Bad(Name): x\r\n"))}},
        {"header_space_before_colon", {req, {}, raw_then_close(with_header("X-Sp : x\r\n"))}},
        {"header_value_nul", {req, {}, raw_then_close(with_header("X-Nul: a\0b\r\n"s))}},
        {"header_value_bare_cr", {req, {}, raw_then_close(with_header("X-Cr: a\rb\r\n"))}},
        {"header_obs_fold", {req, {}, raw_then_close(with_header("X-Fold: a\r\n  b\r\n"))}},
        {"header_no_colon", {req, {}, raw_then_close(with_header("X-No-Colon-Here\r\n"))}},
        {"conflicting_content_length",
         {req, {}, raw_then_close(framed("Content-Length: 5\r\nContent-Length: 6\r\n", "hello!"))}},
        {"duplicate_content_length",
         {req, {}, raw_then_close(framed("Content-Length: 5\r\nContent-Length: 5\r\n", "hello"))}},
        {"content_length_list",
         {req, {}, raw_then_close(framed("Content-Length: 5, 6\r\n", "hello!"))}},
        {"content_length_nonnumeric",
         {req, {}, raw_then_close(framed("Content-Length: abc\r\n", "hello"))}},
        {"content_length_negative",
         {req, {}, raw_then_close(framed("Content-Length: -5\r\n", "hello"))}},
        {"content_length_with_chunked",
         {req,
          {},
          raw_then_close(framed("Content-Length: 3\r\nTransfer-Encoding: chunked\r\n",
                                "5\r\nhello\r\n0\r\n\r\n"))}},
        {"unknown_transfer_encoding",
         {req, {}, raw_then_close(framed("Transfer-Encoding: bogus\r\n", "hello"))}},
        {"bad_chunk_size_first",
         {req,
          {},
          raw_then_close(framed("Transfer-Encoding: chunked\r\n", "zz\r\nhello\r\n0\r\n\r\n"))}},
        {"bad_chunk_size_later",
         {req,
          {},
          raw_then_close(
              framed("Transfer-Encoding: chunked\r\n", "5\r\nhello\r\nzz\r\nworld\r\n0\r\n\r\n"))}},
        {"missing_final_chunk",
         {req, {}, raw_then_close(framed("Transfer-Encoding: chunked\r\n", "5\r\nhello\r\n"))}},
        {"headers_too_large",
         {req,
          {},
          raw_then_close(with_header("X-Large: " + std::string(70 * 1024, 'a') + "\r\n"))}},
        {"too_many_headers", {req, {}, raw_then_close(with_header(too_many))}},
        {"status_5xx",
         {req,
          {},
          {ReadRequest{},
           Write{"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 18\r\n\r\nupstream says "
                 "503\n"}}}},
        {"close_after_response", {req, {}, {ReadRequest{}, Write{response}, Close{}}}},
        {"close_after_requests", {conn, {}, {ServeRequests{1}, Close{}}}},
        {"tls_close_before_server_hello", {conn, {}, {bgw::sim::AwaitClientHello{}, Close{}}}},
        {"tls_reset_before_server_hello",
         {conn, {}, {bgw::sim::AwaitClientHello{}, bgw::sim::Reset{}}}},
        {"tls_stall_before_server_hello",
         {conn, {}, {bgw::sim::AwaitClientHello{}, Stall{std::chrono::seconds(1)}}}},
        {"tls_stall_after_server_hello",
         {conn, {}, {bgw::sim::ServerHelloOnly{}, Stall{std::chrono::seconds(1)}, Close{}}}},
        {"tls_plaintext_response",
         {conn,
          {},
          {bgw::sim::AwaitClientHello{},
           Write{"HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\nContent-Length: "
                 "85\r\nConnection: close\r\n\r\n<html><head><title>400 Bad "
                 "Request</title></head><body>400 Bad Request</body></html>\n"},
           Close{}}}},
        {"tls_handshake_alert",
         {conn,
          {},
          {bgw::sim::AwaitClientHello{}, Write{std::string("\x15\x03\x03\x00\x02\x02\x28", 7)},
           Close{}}}},
        {"tls_legacy_versions",
         {conn, {}, {bgw::sim::Handshake{.offer = bgw::sim::TlsOffer::legacy_versions}}}},
        {"tls_no_shared_cipher",
         {conn, {}, {bgw::sim::Handshake{.offer = bgw::sim::TlsOffer::no_shared_cipher}}}},
        {"tls_alpn_mismatch", {conn, {}, {bgw::sim::Handshake{.alpn = {"h2"}}}}},
        {"tls_fin_without_close_notify",
         {req, {}, {ReadRequest{}, Write{response}, Close{.close_notify = false}}}},
        {"tls_alert_mid_body",
         {req,
          {},
          {ReadRequest{}, Write{head100 + body100.substr(0, 10)}, bgw::sim::ProvokeAlert{},
           Close{.close_notify = false}}}},
        {"tls_corrupt_record_mid_body",
         {req,
          {},
          {ReadRequest{}, Write{head100 + body100.substr(0, 10)}, bgw::sim::CorruptNextRecord{},
           Write{body100.substr(10)}, Close{.close_notify = false}}}},
    };
  }();
  return table;
}

LoweredFault lower_ok(std::string_view name, const FaultParams& params = {},
                      const Response& base = {}, Match match = {}) {
  auto result = bgw::sim::lower_fault(name, params, base, match);
  if (const auto* e = std::get_if<FaultError>(&result)) {
    ADD_FAILURE() << "lowering " << name << " failed: [" << e->param << "] " << e->message;
    return {};
  }
  return std::get<LoweredFault>(result);
}

Script lower_script(std::string_view name, const FaultParams& params = {},
                    const Response& base = {}) {
  return lower_ok(name, params, base).rule.script;
}

FaultError lower_error(std::string_view name, const FaultParams& params,
                       const Response& base = {}) {
  auto result = bgw::sim::lower_fault(name, params, base);
  if (!std::holds_alternative<FaultError>(result)) {
    ADD_FAILURE() << "lowering " << name << " unexpectedly succeeded";
    return {};
  }
  return std::get<FaultError>(result);
}

const FaultInfo& info(std::string_view name) {
  const FaultInfo* f = bgw::sim::find_fault(name);
  if (f == nullptr) throw std::runtime_error("no fault " + std::string(name));
  return *f;
}

// ---- names -------------------------------------------------------------------------------------

TEST(FaultCatalogue, NamesAreExactlyTheDocumentedList) {
  std::vector<std::string> names;
  for (const FaultInfo& f : bgw::sim::fault_catalogue()) names.emplace_back(f.name);
  EXPECT_EQ(names, all_names);
}

TEST(FaultCatalogue, NamesAreUniqueAndSnakeCase) {
  const std::regex snake("[a-z][a-z0-9]*(_[a-z0-9]+)*");
  std::set<std::string_view> seen;
  for (const FaultInfo& f : bgw::sim::fault_catalogue()) {
    EXPECT_TRUE(seen.insert(f.name).second) << "duplicate " << f.name;
    EXPECT_TRUE(std::regex_match(std::string(f.name), snake)) << f.name;
    for (const auto& p : f.params)
      EXPECT_TRUE(std::regex_match(std::string(p.name), snake)) << f.name << "." << p.name;
  }
}

TEST(FaultCatalogue, FindFaultRoundTripsEveryName) {
  for (const FaultInfo& f : bgw::sim::fault_catalogue()) {
    const FaultInfo* found = bgw::sim::find_fault(f.name);
    ASSERT_NE(found, nullptr) << f.name;
    EXPECT_EQ(found->name, f.name);
  }
  EXPECT_EQ(bgw::sim::find_fault("no_such_fault"), nullptr);
  EXPECT_EQ(bgw::sim::find_fault(""), nullptr);
  EXPECT_EQ(bgw::sim::find_fault("OK"), nullptr) << "names are case-sensitive";
}

TEST(FaultCatalogue, EveryFaultDocumentsItsWireAndClientEffect) {
  for (const FaultInfo& f : bgw::sim::fault_catalogue()) {
    EXPECT_FALSE(f.wire.empty()) << f.name;
    EXPECT_FALSE(f.client.empty()) << f.name;
    for (const auto& p : f.params) EXPECT_FALSE(p.doc.empty()) << f.name << "." << p.name;
  }
}

TEST(FaultCatalogue, EveryParameterDefaultParsesAsItsType) {
  for (const FaultInfo& f : bgw::sim::fault_catalogue()) {
    for (const auto& p : f.params) {
      auto v = bgw::sim::parse_param(f, p.name, p.default_value);
      ASSERT_TRUE(std::holds_alternative<ParamValue>(v))
          << f.name << "." << p.name << " default '" << p.default_value << "'";
      const ParamValue& value = std::get<ParamValue>(v);
      switch (p.type) {
        case ParamType::size:
        case ParamType::integer:
          EXPECT_TRUE(std::holds_alternative<std::int64_t>(value)) << f.name << "." << p.name;
          break;
        case ParamType::duration:
          EXPECT_TRUE(std::holds_alternative<bgw::sim::Duration>(value)) << f.name << "." << p.name;
          break;
        case ParamType::boolean:
          EXPECT_TRUE(std::holds_alternative<bool>(value)) << f.name << "." << p.name;
          break;
        case ParamType::string:
          EXPECT_TRUE(std::holds_alternative<std::string>(value)) << f.name << "." << p.name;
          break;
      }
    }
  }
}

TEST(FaultCatalogue, SuggestFaultFindsTheClosestName) {
  EXPECT_EQ(bgw::sim::suggest_fault("reset_mid_header"), "reset_mid_headers");
  EXPECT_EQ(bgw::sim::suggest_fault("blackhold"), "blackhole");
  EXPECT_EQ(bgw::sim::suggest_fault("refuze"), "refuse");
  EXPECT_EQ(bgw::sim::suggest_fault("stall_before_header"), "stall_before_headers");
  EXPECT_EQ(bgw::sim::suggest_fault("drip_bdy"), "drip_body");
  EXPECT_EQ(bgw::sim::suggest_fault("status_5xxx"), "status_5xx");
  EXPECT_EQ(bgw::sim::suggest_fault("ok"), "ok");
}

TEST(FaultCatalogue, SuggestFaultIsEmptyWhenNothingIsClose) {
  EXPECT_EQ(bgw::sim::suggest_fault("completely_unrelated_words_here_xyz"), "");
  EXPECT_EQ(bgw::sim::suggest_fault("qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"), "");
}

TEST(FaultCatalogue, ScopeAndParamTypeNames) {
  EXPECT_STREQ(bgw::sim::to_string(FaultScope::listener), "listener");
  EXPECT_STREQ(bgw::sim::to_string(FaultScope::connection), "connection");
  EXPECT_STREQ(bgw::sim::to_string(FaultScope::request), "request");
  EXPECT_STREQ(bgw::sim::to_string(ParamType::size), "size");
  EXPECT_STREQ(bgw::sim::to_string(ParamType::duration), "duration");
  EXPECT_STREQ(bgw::sim::to_string(ParamType::integer), "integer");
  EXPECT_STREQ(bgw::sim::to_string(ParamType::boolean), "boolean");
  EXPECT_STREQ(bgw::sim::to_string(ParamType::string), "string");
}

// ---- golden lowerings --------------------------------------------------------------------------

TEST(FaultCatalogue, EveryFaultHasAGoldenLowering) {
  for (const FaultInfo& f : bgw::sim::fault_catalogue())
    EXPECT_TRUE(goldens().contains(std::string(f.name))) << "no golden for " << f.name;
  for (const auto& [name, golden] : goldens())
    EXPECT_NE(bgw::sim::find_fault(name), nullptr) << "golden for unknown fault " << name;
  EXPECT_EQ(goldens().size(), bgw::sim::fault_catalogue().size());
}

class FaultLowering : public testing::TestWithParam<std::string> {};

TEST_P(FaultLowering, DefaultParamsGiveTheGoldenScript) {
  const std::string& name = GetParam();
  const auto it = goldens().find(name);
  ASSERT_NE(it, goldens().end()) << "no golden for " << name;
  const Golden& golden = it->second;

  EXPECT_EQ(info(name).scope, golden.scope);
  const Match match = Match::nth(3);
  const LoweredFault lowered = lower_ok(name, {}, Response{}, match);
  EXPECT_EQ(lowered.mode, golden.mode);
  EXPECT_EQ(lowered.rule.name, name);
  EXPECT_EQ(lowered.rule.match.first, 3u);
  EXPECT_EQ(lowered.rule.match.last, 3u);
  if (golden.scope == FaultScope::listener) {
    EXPECT_TRUE(lowered.rule.script.empty()) << "listener faults have no script";
  } else {
    EXPECT_FALSE(lowered.mode.has_value()) << "only listener faults set a mode";
    EXPECT_EQ(lowered.rule.scope,
              golden.scope == FaultScope::connection ? RuleScope::connection : RuleScope::request);
  }
  ASSERT_EQ(lowered.rule.script.size(), golden.script.size());
  for (std::size_t i = 0; i < golden.script.size(); ++i)
    EXPECT_EQ(lowered.rule.script[i], golden.script[i]) << name << " step " << i;
}

INSTANTIATE_TEST_SUITE_P(AllFaults, FaultLowering, testing::ValuesIn(all_names),
                         [](const testing::TestParamInfo<std::string>& p) { return p.param; });

TEST(FaultLowering, HeaderValueNulWritesARealNulByte) {
  const Script s = lower_script("header_value_nul");
  ASSERT_EQ(s.size(), 3u);
  const std::string& bytes = std::get<Write>(s[1]).bytes;
  const auto nul = bytes.find('\0');
  ASSERT_NE(nul, std::string::npos);
  EXPECT_EQ(bytes.substr(nul - 8, 12), std::string("X-Nul: a\0b\r\n", 12));
  EXPECT_EQ(std::count(bytes.begin(), bytes.end(), '\0'), 1);
}

TEST(FaultLowering, GarbageStatusIsTwentyFiveBytes) {
  const Script s = lower_script("garbage_status");
  EXPECT_EQ(std::get<Write>(s[1]).bytes.size(), 25u);
}

TEST(FaultLowering, CloseMidBodyChunkedWritesWholeChunksThenCloses) {
  const Script s = lower_script("close_mid_body", {{"chunked", true}});
  const Script expected{
      ReadRequest{},
      Write{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n"}, Close{}};
  EXPECT_EQ(s, expected);
}

TEST(FaultLowering, ResetMidBodyChunkedWithZeroBytesWritesOnlyTheHead) {
  const Script s = lower_script("reset_mid_body", {{"chunked", true}, {"bytes", std::int64_t{0}}});
  const Script expected{ReadRequest{},
                        Write{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"}, Reset{}};
  EXPECT_EQ(s, expected);
}

TEST(FaultLowering, StallMidBodyChunkedSendsTheRestAsOneChunkAndTheLastChunk) {
  const Script s = lower_script("stall_mid_body", {{"chunked", true}, {"duration", 50ms}});
  const Script expected{
      ReadRequest{},
      Write{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n"},
      Stall{50ms}, Write{"5a\r\n" + body100.substr(10) + "\r\n0\r\n\r\n"}};
  EXPECT_EQ(s, expected);
}

TEST(FaultLowering, MidBodyHonoursLengthAndBytes) {
  const Script s =
      lower_script("close_mid_body", {{"length", std::int64_t{5}}, {"bytes", std::int64_t{4}}});
  const Script expected{ReadRequest{}, Write{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n0123"},
                        Close{}};
  EXPECT_EQ(s, expected);
}

TEST(FaultLowering, MidHeadersHonoursBytesAtBothEnds) {
  EXPECT_EQ(lower_script("close_mid_headers", {{"bytes", std::int64_t{1}}}),
            (Script{ReadRequest{}, Write{"H"}, Close{}}));
  EXPECT_EQ(lower_script("reset_mid_headers", {{"bytes", std::int64_t{37}}}),
            (Script{ReadRequest{}, Write{head.substr(0, 37)}, Reset{}}));
}

TEST(FaultLowering, MidHeadersCutsTheBaseResponsesHead) {
  Response base;
  base.headers = {{"Server", "bgw"}};
  EXPECT_EQ(
      lower_script("close_mid_headers", {{"bytes", std::int64_t{45}}}, base),
      (Script{ReadRequest{}, Write{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: b"}, Close{}}));
}

TEST(FaultLowering, ZeroDurationStallsUntilThePeerLeaves) {
  EXPECT_EQ(lower_script("stall_before_headers", {{"duration", 0s}}),
            (Script{ReadRequest{}, Stall{}}));
  EXPECT_EQ(lower_script("stall_after_headers", {{"duration", 0s}}),
            (Script{ReadRequest{}, Write{head}, Stall{}}));
  EXPECT_EQ(lower_script("stall_mid_body", {{"duration", 0s}}),
            (Script{ReadRequest{}, Write{head100 + "0123456789"}, Stall{}}));
}

TEST(FaultLowering, DripTakesChunkAndInterval) {
  EXPECT_EQ(lower_script("drip_headers", {{"chunk", std::int64_t{4}}, {"interval", 20ms}}),
            (Script{ReadRequest{}, Drip{head, 4, 20ms}, Write{"hello"}}));
  EXPECT_EQ(lower_script("drip_body", {{"chunk", std::int64_t{2}}, {"interval", 1s}}),
            (Script{ReadRequest{}, Write{head}, Drip{"hello", 2, 1s}}));
}

TEST(FaultLowering, CloseAfterResponseWithIdleDelaysTheFin) {
  EXPECT_EQ(lower_script("close_after_response", {{"idle", 50ms}}),
            (Script{ReadRequest{}, Write{response}, Delay{50ms}, Close{}}));
}

TEST(FaultLowering, CloseAfterResponsePromisesKeepAliveEvenIfTheBaseCloses) {
  Response base;
  base.close = true;
  EXPECT_EQ(lower_script("close_after_response", {}, base),
            (Script{ReadRequest{}, Write{response}, Close{}}));
}

TEST(FaultLowering, CloseAfterRequestsServesCountThenCloses) {
  EXPECT_EQ(lower_script("close_after_requests", {{"count", std::int64_t{3}}}),
            (Script{ServeRequests{3}, Close{}}));
}

TEST(FaultLowering, Status5xxTakesTheStatusAndItsReason) {
  EXPECT_EQ(lower_script("status_5xx", {{"status", std::int64_t{502}}}),
            (Script{ReadRequest{},
                    Write{"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 18\r\n\r\nupstream says "
                          "502\n"}}));
  Response base;
  base.reason = "Fine";
  EXPECT_EQ(
      lower_script("status_5xx", {{"status", std::int64_t{599}}}, base),
      (Script{ReadRequest{},
              Write{"HTTP/1.1 599 Unknown\r\nContent-Length: 18\r\n\r\nupstream says 599\n"}}));
}

TEST(FaultLowering, BadStatusCodeSendsTheGivenCode) {
  EXPECT_EQ(lower_script("bad_status_code", {{"code", "9999"s}}),
            raw_then_close("HTTP/1.1 9999 OK\r\nContent-Length: 5\r\n\r\nhello"));
}

TEST(FaultLowering, HeaderFaultsKeepTheBaseResponsesHeadersAndBody) {
  Response base;
  base.headers = {{"Server", "bgw"}};
  base.body = "abc";
  EXPECT_EQ(lower_script("header_no_colon", {}, base),
            raw_then_close("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nServer: bgw\r\n"
                           "X-No-Colon-Here\r\n\r\nabc"));
  EXPECT_EQ(lower_script("content_length_negative", {}, base),
            raw_then_close("HTTP/1.1 200 OK\r\nContent-Length: -5\r\nServer: bgw\r\n\r\nhello"));
}

TEST(FaultLowering, SmallHeadersTooLargeAndTooManyHeaders) {
  EXPECT_EQ(lower_script("headers_too_large", {{"size", std::int64_t{3}}}),
            raw_then_close(with_header("X-Large: aaa\r\n")));
  EXPECT_EQ(lower_script("too_many_headers", {{"count", std::int64_t{2}}}),
            raw_then_close(with_header("X-Header-1: v\r\nX-Header-2: v\r\n")));
}

TEST(FaultLowering, OkClosesWhenTheBaseResponseSaysClose) {
  Response base;
  base.close = true;
  EXPECT_EQ(lower_script("ok", {}, base),
            (Script{ReadRequest{},
                    bgw::sim::Respond{
                        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
                        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"},
                    Close{}}));
}

// Response::close documents "the script then also closes": a fault that sends the base's
// "Connection: close" must not then keep the connection open.
TEST(FaultLowering, EveryFaultSendingConnectionCloseEndsTheConnection) {
  Response base;
  base.close = true;
  for (const FaultInfo& f : bgw::sim::fault_catalogue()) {
    if (f.scope == FaultScope::listener) continue;
    const Script s = lower_script(f.name, {}, base);
    bool promises_close = false;
    for (const auto& step : s) {
      if (const auto* w = std::get_if<Write>(&step))
        promises_close |= w->bytes.find("Connection: close\r\n") != std::string::npos;
      if (const auto* d = std::get_if<Drip>(&step))
        promises_close |= d->bytes.find("Connection: close\r\n") != std::string::npos;
    }
    if (!promises_close) continue;
    ASSERT_FALSE(s.empty());
    EXPECT_TRUE(bgw::sim::ends_connection(s.back()))
        << f.name << " sends \"Connection: close\" but its script ends with "
        << bgw::sim::step_name(s.back()) << " and leaves the connection open";
  }
}

// ---- errors ------------------------------------------------------------------------------------

TEST(FaultErrors, UnknownFaultSuggestsTheClosestName) {
  const FaultError e = lower_error("reset_mid_header", {});
  EXPECT_EQ(e.param, "");
  EXPECT_THAT(e.message, HasSubstr("unknown fault 'reset_mid_header'"));
  EXPECT_THAT(e.message, HasSubstr("did you mean 'reset_mid_headers'?"));
}

TEST(FaultErrors, UnknownFaultWithoutAnyCloseNameHasNoSuggestion) {
  const FaultError e = lower_error("completely_unrelated_words_here_xyz", {});
  EXPECT_THAT(e.message, HasSubstr("unknown fault"));
  EXPECT_THAT(e.message, testing::Not(HasSubstr("did you mean")));
}

TEST(FaultErrors, UnknownParameterIsNamedAndTheKnownOnesListed) {
  const FaultError e = lower_error("close_mid_body", {{"byte", std::int64_t{3}}});
  EXPECT_EQ(e.param, "byte");
  EXPECT_THAT(e.message, HasSubstr("'close_mid_body'"));
  EXPECT_THAT(e.message, HasSubstr("no parameter 'byte'"));
  EXPECT_THAT(e.message, HasSubstr("bytes, length, chunked"));
}

TEST(FaultErrors, ParameterForAFaultThatTakesNone) {
  const FaultError e = lower_error("ok", {{"bytes", std::int64_t{3}}});
  EXPECT_EQ(e.param, "bytes");
  EXPECT_THAT(e.message, HasSubstr("it takes none"));
}

TEST(FaultErrors, WrongValueTypeNamesTheExpectedType) {
  struct Case {
    std::string fault, param;
    ParamValue value;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"close_mid_headers", "bytes", ParamValue{bgw::sim::Duration{10ms}}, "size"},
      {"close_mid_headers", "bytes", ParamValue{"10"s}, "size"},
      {"stall_before_headers", "duration", ParamValue{std::int64_t{100}}, "duration"},
      {"close_mid_body", "chunked", ParamValue{std::int64_t{1}}, "boolean"},
      {"status_5xx", "status", ParamValue{true}, "integer"},
      {"bad_status_code", "code", ParamValue{std::int64_t{200}}, "string"},
  };
  for (const Case& c : cases) {
    const FaultError e = lower_error(c.fault, {{c.param, c.value}});
    EXPECT_EQ(e.param, c.param) << c.fault;
    EXPECT_THAT(e.message, HasSubstr("expected a " + c.expected)) << c.fault;
  }
}

TEST(FaultErrors, MidHeadersBytesMustBeShorterThanTheHead) {
  for (const std::int64_t bytes : {std::int64_t{0}, std::int64_t{-1}, std::int64_t{38}}) {
    const FaultError e = lower_error("close_mid_headers", {{"bytes", bytes}});
    EXPECT_EQ(e.param, "bytes") << bytes;
    EXPECT_THAT(e.message, HasSubstr("from 1 to 37")) << bytes;
    EXPECT_THAT(e.message, HasSubstr("38 bytes")) << bytes;
  }
  EXPECT_EQ(lower_error("reset_mid_headers", {{"bytes", std::int64_t{1000}}}).param, "bytes");
}

TEST(FaultErrors, MidBodyBytesMustBeShorterThanTheLength) {
  for (const char* fault : {"close_mid_body", "reset_mid_body", "stall_mid_body"}) {
    const FaultError e = lower_error(fault, {{"bytes", std::int64_t{100}}});
    EXPECT_EQ(e.param, "bytes") << fault;
    EXPECT_THAT(e.message, HasSubstr("length-1 (99)")) << fault;
    EXPECT_EQ(lower_error(fault, {{"bytes", std::int64_t{-1}}}).param, "bytes") << fault;
    EXPECT_EQ(lower_error(fault, {{"length", std::int64_t{0}}}).param, "length") << fault;
    EXPECT_EQ(lower_error(fault, {{"length", std::int64_t{5}}, {"bytes", std::int64_t{5}}}).param,
              "bytes")
        << fault;
  }
  EXPECT_EQ(lower_script("close_mid_body", {{"bytes", std::int64_t{99}}}).size(), 3u);
}

TEST(FaultErrors, Status5xxOutsideTheRange) {
  for (const std::int64_t status : {std::int64_t{404}, std::int64_t{499}, std::int64_t{600}}) {
    const FaultError e = lower_error("status_5xx", {{"status", status}});
    EXPECT_EQ(e.param, "status") << status;
    EXPECT_THAT(e.message, HasSubstr("500 to 599")) << status;
  }
}

TEST(FaultErrors, DripNeedsAPositiveIntervalAndChunk) {
  for (const char* fault : {"drip_headers", "drip_body"}) {
    const FaultError zero = lower_error(fault, {{"interval", 0s}});
    EXPECT_EQ(zero.param, "interval") << fault;
    EXPECT_THAT(zero.message, HasSubstr("greater than 0"));
    EXPECT_EQ(lower_error(fault, {{"interval", -1ms}}).param, "interval") << fault;
    EXPECT_EQ(lower_error(fault, {{"chunk", std::int64_t{0}}}).param, "chunk") << fault;
  }
}

TEST(FaultErrors, NegativeDurationsAreRejected) {
  for (const auto& [fault, param] :
       std::vector<std::pair<std::string, std::string>>{{"stall_before_headers", "duration"},
                                                        {"stall_after_headers", "duration"},
                                                        {"stall_mid_body", "duration"},
                                                        {"close_after_response", "idle"}}) {
    const FaultError e = lower_error(fault, {{param, -1ms}});
    EXPECT_EQ(e.param, param) << fault;
    EXPECT_THAT(e.message, HasSubstr("negative")) << fault;
  }
}

TEST(FaultErrors, OtherOutOfRangeValues) {
  EXPECT_EQ(lower_error("bad_status_code", {{"code", ""s}}).param, "code");
  EXPECT_EQ(lower_error("bad_status_code", {{"code", "200\r\nX: y"s}}).param, "code");
  EXPECT_EQ(lower_error("headers_too_large", {{"size", std::int64_t{0}}}).param, "size");
  EXPECT_EQ(lower_error("headers_too_large", {{"size", std::int64_t{64 * 1024 * 1024 + 1}}}).param,
            "size");
  EXPECT_EQ(lower_error("too_many_headers", {{"count", std::int64_t{0}}}).param, "count");
  EXPECT_EQ(lower_error("too_many_headers", {{"count", std::int64_t{100001}}}).param, "count");
  EXPECT_EQ(lower_error("close_after_requests", {{"count", std::int64_t{0}}}).param, "count");
}

// ---- parse_param -------------------------------------------------------------------------------

std::optional<ParamValue> parsed(std::string_view fault, std::string_view param,
                                 std::string_view text) {
  auto v = bgw::sim::parse_param(info(fault), param, text);
  if (auto* value = std::get_if<ParamValue>(&v)) return *value;
  return std::nullopt;
}

FaultError parse_error(std::string_view fault, std::string_view param, std::string_view text) {
  auto v = bgw::sim::parse_param(info(fault), param, text);
  if (auto* e = std::get_if<FaultError>(&v)) return *e;
  ADD_FAILURE() << fault << "." << param << " accepted '" << text << "'";
  return {};
}

TEST(ParseParam, Size) {
  EXPECT_EQ(parsed("close_mid_headers", "bytes", "12"), ParamValue{std::int64_t{12}});
  EXPECT_EQ(parsed("close_mid_body", "length", "64KiB"), ParamValue{std::int64_t{65536}});
  EXPECT_EQ(parsed("headers_too_large", "size", "2MiB"), ParamValue{std::int64_t{2097152}});
  const FaultError e = parse_error("close_mid_headers", "bytes", "ten");
  EXPECT_EQ(e.param, "bytes");
  EXPECT_THAT(e.message, HasSubstr("expected a size"));
  EXPECT_THAT(e.message, HasSubstr("'ten'"));
  parse_error("close_mid_headers", "bytes", "");
  parse_error("close_mid_headers", "bytes", "-3");
  parse_error("close_mid_headers", "bytes", "10 KiB");
}

TEST(ParseParam, Duration) {
  EXPECT_EQ(parsed("stall_before_headers", "duration", "250ms"),
            ParamValue{bgw::sim::Duration{250ms}});
  EXPECT_EQ(parsed("drip_body", "interval", "1.5s"), ParamValue{bgw::sim::Duration{1500ms}});
  EXPECT_EQ(parsed("close_after_response", "idle", "0s"), ParamValue{bgw::sim::Duration{0}});
  const FaultError e = parse_error("stall_before_headers", "duration", "250");
  EXPECT_EQ(e.param, "duration");
  EXPECT_THAT(e.message, HasSubstr("expected a duration"));
  EXPECT_THAT(e.message, HasSubstr("'250'"));
  parse_error("stall_before_headers", "duration", "fast");
  parse_error("stall_before_headers", "duration", "-1s");
}

TEST(ParseParam, Integer) {
  EXPECT_EQ(parsed("status_5xx", "status", "502"), ParamValue{std::int64_t{502}});
  EXPECT_EQ(parsed("too_many_headers", "count", "-3"), ParamValue{std::int64_t{-3}});
  const FaultError e = parse_error("status_5xx", "status", "5x");
  EXPECT_EQ(e.param, "status");
  EXPECT_THAT(e.message, HasSubstr("expected an integer"));
  EXPECT_THAT(e.message, HasSubstr("'5x'"));
  parse_error("status_5xx", "status", "");
  parse_error("status_5xx", "status", " 502");
  parse_error("status_5xx", "status", "502.0");
  parse_error("status_5xx", "status", "99999999999999999999999");
}

TEST(ParseParam, Boolean) {
  EXPECT_EQ(parsed("close_mid_body", "chunked", "true"), ParamValue{true});
  EXPECT_EQ(parsed("close_mid_body", "chunked", "false"), ParamValue{false});
  const FaultError e = parse_error("close_mid_body", "chunked", "yes");
  EXPECT_EQ(e.param, "chunked");
  EXPECT_THAT(e.message, HasSubstr("expected true or false"));
  parse_error("close_mid_body", "chunked", "True");
  parse_error("close_mid_body", "chunked", "1");
}

TEST(ParseParam, StringTakesAnyText) {
  EXPECT_EQ(parsed("bad_status_code", "code", "2x0"), ParamValue{"2x0"s});
  EXPECT_EQ(parsed("bad_status_code", "code", ""), ParamValue{""s});
  EXPECT_EQ(parsed("bad_status_code", "code", " 9 9 "), ParamValue{" 9 9 "s});
}

TEST(ParseParam, UnknownParameterListsTheKnownOnes) {
  const FaultError e = parse_error("stall_mid_body", "duraton", "1s");
  EXPECT_EQ(e.param, "duraton");
  EXPECT_THAT(e.message, HasSubstr("takes no parameter 'duraton'"));
  EXPECT_THAT(e.message, HasSubstr("(it takes bytes, length, chunked, duration)"));
  EXPECT_THAT(parse_error("reset_on_accept", "x", "1").message, HasSubstr("(it takes none)"));
  EXPECT_THAT(parse_error("garbage_status", "x", "1").message, HasSubstr("(it takes close)"));
}

TEST(ParseParam, ParsedValuesLowerLikeTypedOnes) {
  const FaultInfo& f = info("drip_headers");
  FaultParams params;
  params["chunk"] = std::get<ParamValue>(bgw::sim::parse_param(f, "chunk", "4"));
  params["interval"] = std::get<ParamValue>(bgw::sim::parse_param(f, "interval", "20ms"));
  EXPECT_EQ(lower_script("drip_headers", params),
            (Script{ReadRequest{}, Drip{head, 4, 20ms}, Write{"hello"}}));
}

}  // namespace
