// TLS upstreams observed by a real TLS client (OpenSSL, tests/support/tls_client.hpp) on
// loopback: every certificate kind with verification on and off, HTTP faults over TLS, and
// every tls_* fault of the catalogue (a test checks the list below names each one). The
// upstream runs on its own thread; the client blocks on poll() with deadlines, never sleeps.
#include <openssl/pem.h>

#include <future>
#include <set>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "simulator/tls_material.hpp"
#include "support/fault_fixture.hpp"
#include "support/threaded_upstream.hpp"
#include "support/tls_client.hpp"

namespace {

using namespace std::chrono_literals;
using bgw::sim::CertKind;
using bgw::sim::FaultParams;
using bgw::sim::KeyKind;
using bgw::sim::TlsSpec;
using bgw::test::tls_exchange;
using bgw::test::TlsClientOptions;
using bgw::test::TlsClientResult;
namespace net = boost::asio;

const std::string kOkClose =
    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello";

// The faults this file covers, each in a test below.
const std::set<std::string> kCovered = {
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

class TlsWire : public ::testing::Test {
 protected:
  std::uint16_t start(bgw::sim::UpstreamSpec spec) {
    if (!spec.tls) spec.tls = TlsSpec{};
    return upstream_.start(std::move(spec));
  }
  std::uint16_t start_fault(std::string_view fault, const FaultParams& params = {},
                            TlsSpec tls = {}) {
    auto spec = bgw::test::spec_for(bgw::test::lower(fault, params));
    spec.tls = std::move(tls);
    return start(std::move(spec));
  }
  void TearDown() override {
    upstream_.stop();
    if (upstream_.get()) EXPECT_TRUE(bgw::test::no_internal_errors(upstream_.get()->journal()));
  }
  std::string journal_text() {
    upstream_.stop();
    return upstream_.get()->journal().to_json_lines();
  }
  static TlsClientOptions client(std::uint16_t port) {
    TlsClientOptions o;
    o.port = port;
    return o;
  }

  bgw::test::ThreadedUpstream upstream_;
};

// ---- certificates ------------------------------------------------------------------------

struct CertCase {
  CertKind cert;
  KeyKind key;
  long verify_by_name;  ///< X509 verify result with the CA trusted, checking the DNS name
  long verify_by_ip;    ///< the same checking the upstream's IP
};

void PrintTo(const CertCase& c, std::ostream* os) {
  *os << bgw::sim::to_string(c.cert) << "_" << bgw::sim::to_string(c.key);
}

class TlsCertificates : public TlsWire, public ::testing::WithParamInterface<CertCase> {};

TEST_P(TlsCertificates, VerifyAsTheKindSaysAndServeWithVerificationOff) {
  const CertCase c = GetParam();
  const std::uint16_t port =
      start(bgw::sim::UpstreamSpec{.tls = TlsSpec{.cert = c.cert, .key = c.key}});
  TlsClientOptions o = client(port);
  // Off: every kind completes the handshake and serves the response.
  const TlsClientResult off = tls_exchange(o);
  EXPECT_TRUE(off.handshake_ok) << off.describe();
  EXPECT_EQ(off.bytes, kOkClose) << off.describe();
  EXPECT_EQ(off.ending, "close_notify") << off.describe();
  // On, against the run CA, by name and by IP.
  o.verify = true;
  o.ca_pem = bgw::sim::run_ca_pem();
  const TlsClientResult by_name = tls_exchange(o);
  EXPECT_EQ(by_name.verify_result, c.verify_by_name)
      << X509_verify_cert_error_string(by_name.verify_result) << "; " << by_name.describe();
  EXPECT_EQ(by_name.handshake_ok, c.verify_by_name == X509_V_OK) << by_name.describe();
  o.verify_ip = true;
  const TlsClientResult by_ip = tls_exchange(o);
  EXPECT_EQ(by_ip.verify_result, c.verify_by_ip)
      << X509_verify_cert_error_string(by_ip.verify_result) << "; " << by_ip.describe();
  if (c.verify_by_name != X509_V_OK)
    EXPECT_EQ(by_name.handshake_error, "certificate verify failed") << by_name.describe();
}

std::vector<CertCase> cert_cases() {
  std::vector<CertCase> out;
  for (const KeyKind key : {KeyKind::rsa, KeyKind::ecdsa}) {
    out.push_back({CertKind::good, key, X509_V_OK, X509_V_OK});
    out.push_back(
        {CertKind::wrong_name, key, X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH});
    out.push_back({CertKind::ip_only, key, X509_V_ERR_HOSTNAME_MISMATCH, X509_V_OK});
    out.push_back(
        {CertKind::expired, key, X509_V_ERR_CERT_HAS_EXPIRED, X509_V_ERR_CERT_HAS_EXPIRED});
    out.push_back({CertKind::not_yet_valid, key, X509_V_ERR_CERT_NOT_YET_VALID,
                   X509_V_ERR_CERT_NOT_YET_VALID});
    out.push_back({CertKind::self_signed, key, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT,
                   X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT});
    out.push_back({CertKind::unknown_ca, key, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
                   X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY});
    out.push_back({CertKind::missing_intermediate, key,
                   X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
                   X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Kinds, TlsCertificates, ::testing::ValuesIn(cert_cases()),
                         [](const auto& info) {
                           return std::string(bgw::sim::to_string(info.param.cert)) + "_" +
                                  bgw::sim::to_string(info.param.key);
                         });

// The upstream keeps no session store (tls_stream.cpp), yet a client resumes: stateless tickets,
// in TLS 1.2 and 1.3. A proxy that reuses sessions to its upstreams keeps doing so.
TEST_F(TlsWire, SessionsResumeThroughTicketsInTls12And13) {
  const std::uint16_t port = start(bgw::sim::UpstreamSpec{});
  for (const int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    TlsClientOptions o = client(port);
    o.min_version = o.max_version = version;
    const TlsClientResult first = tls_exchange(o);
    ASSERT_TRUE(first.handshake_ok) << first.describe();
    EXPECT_FALSE(first.resumed);
    ASSERT_FALSE(first.session.empty()) << "no resumable session after " << first.describe();
    o.session = first.session;
    const TlsClientResult second = tls_exchange(o);
    EXPECT_TRUE(second.handshake_ok) << second.describe();
    EXPECT_TRUE(second.resumed) << "TLS " << std::hex << version << ": " << second.describe();
    EXPECT_EQ(second.bytes, kOkClose) << second.describe();
  }
}

TEST_F(TlsWire, TheChainFileCompletesAChainSentWithoutItsIntermediate) {
  const std::uint16_t port =
      start(bgw::sim::UpstreamSpec{.tls = TlsSpec{.cert = CertKind::missing_intermediate}});
  TlsClientOptions o = client(port);
  o.verify = true;
  o.ca_pem = bgw::sim::intermediate_pem() + bgw::sim::run_ca_pem();
  const TlsClientResult r = tls_exchange(o);
  EXPECT_TRUE(r.handshake_ok) << r.describe();
}

TEST_F(TlsWire, VersionsAndAlpnOfTheSpecAreWhatTheServerAccepts) {
  const std::uint16_t port = start(bgw::sim::UpstreamSpec{
      .tls = TlsSpec{.versions = {bgw::sim::TlsVersion::tls1_2}, .alpn = {"http/1.1"}}});
  TlsClientOptions o = client(port);
  o.alpn = {"h2", "http/1.1"};
  const TlsClientResult r = tls_exchange(o);
  EXPECT_EQ(r.version, "TLSv1.2") << r.describe();
  EXPECT_EQ(r.alpn, "http/1.1") << r.describe();
  EXPECT_EQ(r.bytes, kOkClose) << r.describe();
}

// ---- HTTP faults over TLS ----------------------------------------------------------------

TEST_F(TlsWire, CloseMidBodyIsCloseNotifyMidBody) {
  const std::uint16_t port = start_fault("close_mid_body");
  const TlsClientResult r = tls_exchange(client(port));
  EXPECT_EQ(r.bytes, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" +
                         std::string(bgw::sim::pattern_body(100)).substr(0, 10))
      << r.describe();
  EXPECT_EQ(r.ending, "close_notify") << r.describe();
}

TEST_F(TlsWire, ResetMidBodyIsARstAfterTheRecordsArrived) {
  const std::uint16_t port = start_fault("reset_mid_body");
  const TlsClientResult r = tls_exchange(client(port));
  EXPECT_EQ(r.bytes.size(),
            std::string("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n").size() + 10)
      << r.describe();
  EXPECT_EQ(r.ending, "reset") << r.describe();
}

TEST_F(TlsWire, StallBeforeHeadersHoldsTheResponseNeverEarly) {
  const std::uint16_t port =
      start_fault("stall_before_headers", {{"duration", bgw::sim::Duration(300ms)}});
  const TlsClientResult r = tls_exchange(client(port));
  EXPECT_EQ(r.bytes, bgw::test::kOk) << r.describe();
  EXPECT_EQ(r.ending, "close_notify") << r.describe();
  EXPECT_GE(r.total_time - r.handshake_time, 300ms) << r.describe();
}

TEST_F(TlsWire, GarbageStatusGoesThroughTlsUnchanged) {
  const std::uint16_t port = start_fault("garbage_status");
  const TlsClientResult r = tls_exchange(client(port));
  EXPECT_EQ(r.bytes, "GARBAGE NOT HTTP\r\n\r\nhello") << r.describe();
  EXPECT_EQ(r.ending, "close_notify") << r.describe();
}

// ---- handshake faults --------------------------------------------------------------------

TEST_F(TlsWire, CloseBeforeServerHello) {
  const TlsClientResult r = tls_exchange(client(start_fault("tls_close_before_server_hello")));
  EXPECT_FALSE(r.handshake_ok) << r.describe();
  EXPECT_EQ(r.handshake_error, "unexpected eof while reading") << r.describe();
}

TEST_F(TlsWire, ResetBeforeServerHello) {
  const TlsClientResult r = tls_exchange(client(start_fault("tls_reset_before_server_hello")));
  EXPECT_FALSE(r.handshake_ok) << r.describe();
  EXPECT_EQ(r.handshake_error, "reset") << r.describe();
}

TEST_F(TlsWire, StallBeforeServerHelloThenTheHandshakeNeverEarly) {
  const TlsClientResult r = tls_exchange(client(
      start_fault("tls_stall_before_server_hello", {{"duration", bgw::sim::Duration(300ms)}})));
  EXPECT_TRUE(r.handshake_ok) << r.describe();
  EXPECT_GE(r.handshake_time, 300ms) << r.describe();
  EXPECT_LE(r.handshake_time, bgw::test::upper_bound(300ms) + 200ms) << r.describe();
  EXPECT_EQ(r.bytes, kOkClose) << r.describe();
}

TEST_F(TlsWire, StallBeforeServerHelloUntilTheClientGivesUp) {
  TlsClientOptions o =
      client(start_fault("tls_stall_before_server_hello", {{"duration", bgw::sim::Duration(0)}}));
  o.deadline = 300ms;
  const TlsClientResult r = tls_exchange(o);
  EXPECT_EQ(r.handshake_error, "timeout") << r.describe();
  EXPECT_GE(r.handshake_time, 300ms) << r.describe();
}

TEST_F(TlsWire, StallAfterServerHelloThenFin) {
  const TlsClientResult r = tls_exchange(client(
      start_fault("tls_stall_after_server_hello", {{"duration", bgw::sim::Duration(300ms)}})));
  EXPECT_FALSE(r.handshake_ok) << r.describe();
  EXPECT_EQ(r.handshake_error, "unexpected eof while reading") << r.describe();
  // The client had the ServerHello: it was reading what follows it.
  EXPECT_NE(r.state.find("server hello"), std::string::npos) << r.describe();
  EXPECT_GE(r.handshake_time, 300ms) << r.describe();
  EXPECT_LE(r.handshake_time, bgw::test::upper_bound(300ms) + 200ms) << r.describe();
}

TEST_F(TlsWire, StallAfterServerHelloAlsoOverTls12) {
  TlsClientOptions o =
      client(start_fault("tls_stall_after_server_hello", {{"duration", bgw::sim::Duration(0)}}));
  o.max_version = TLS1_2_VERSION;
  o.deadline = 300ms;
  const TlsClientResult r = tls_exchange(o);
  EXPECT_EQ(r.handshake_error, "timeout") << r.describe();
  EXPECT_NE(r.state.find("server hello"), std::string::npos) << r.describe();
}

TEST_F(TlsWire, PlaintextResponseOnATlsPort) {
  const TlsClientResult r = tls_exchange(client(start_fault("tls_plaintext_response")));
  EXPECT_FALSE(r.handshake_ok) << r.describe();
  EXPECT_EQ(r.handshake_error, "wrong version number") << r.describe();
}

class TlsHandshakeAlert
    : public TlsWire,
      public ::testing::WithParamInterface<std::pair<std::string, std::string>> {};

TEST_P(TlsHandshakeAlert, FailsTheHandshakeWithThatAlert) {
  const auto& [alert, seen] = GetParam();
  const TlsClientResult r =
      tls_exchange(client(start_fault("tls_handshake_alert", {{"alert", alert}})));
  EXPECT_FALSE(r.handshake_ok) << r.describe();
  EXPECT_EQ(r.handshake_error, seen) << r.describe();
}

INSTANTIATE_TEST_SUITE_P(
    Alerts, TlsHandshakeAlert,
    ::testing::Values(
        std::pair<std::string, std::string>{"handshake_failure", "sslv3 alert handshake failure"},
        std::pair<std::string, std::string>{"unknown_ca", "tlsv1 alert unknown ca"},
        std::pair<std::string, std::string>{"protocol_version", "tlsv1 alert protocol version"}),
    [](const auto& info) { return info.param.first; });

TEST_F(TlsWire, LegacyVersionsOnly) {
  const std::uint16_t port = start_fault("tls_legacy_versions");
  // OpenSSL 3's defaults accept a TLS 1.1 ServerHello, then refuse the SHA-1 signature of its
  // key exchange (security level 1 and up); the server answers a client requiring 1.2 with
  // protocol_version.
  const TlsClientResult modern = tls_exchange(client(port));
  EXPECT_EQ(modern.handshake_error, "legacy sigalg disallowed or unsupported") << modern.describe();
  TlsClientOptions strict = client(port);
  strict.min_version = TLS1_2_VERSION;
  const TlsClientResult strict_r = tls_exchange(strict);
  EXPECT_EQ(strict_r.handshake_error, "tlsv1 alert protocol version") << strict_r.describe();
  TlsClientOptions o = client(port);
  o.min_version = TLS1_VERSION;
  o.security_level = 0;
  const TlsClientResult old = tls_exchange(o);
  EXPECT_EQ(old.version, "TLSv1.1") << old.describe();
  EXPECT_EQ(old.bytes, kOkClose) << old.describe();
}

TEST_F(TlsWire, NoSharedCipher) {
  const std::uint16_t port = start_fault("tls_no_shared_cipher");
  const TlsClientResult r = tls_exchange(client(port));
  EXPECT_EQ(r.handshake_error, "sslv3 alert handshake failure") << r.describe();
  TlsClientOptions o = client(port);
  o.max_version = TLS1_2_VERSION;
  const TlsClientResult r12 = tls_exchange(o);
  EXPECT_EQ(r12.handshake_error, "sslv3 alert handshake failure") << r12.describe();
}

TEST_F(TlsWire, AlpnMismatch) {
  const std::uint16_t port = start_fault("tls_alpn_mismatch");
  TlsClientOptions o = client(port);
  o.alpn = {"http/1.1"};
  const TlsClientResult r = tls_exchange(o);
  EXPECT_EQ(r.handshake_error, "tlsv1 alert no application protocol") << r.describe();
  // A client offering no ALPN is served without it.
  const TlsClientResult none = tls_exchange(client(port));
  EXPECT_TRUE(none.handshake_ok) << none.describe();
  EXPECT_EQ(none.alpn, "") << none.describe();
}

TEST_F(TlsWire, AlpnMismatchSelectAnyway) {
  const std::uint16_t port = start_fault("tls_alpn_mismatch", {{"answer", std::string("select")}});
  TlsClientOptions o = client(port);
  o.alpn = {"http/1.1"};
  const TlsClientResult r = tls_exchange(o);
  // OpenSSL 3.0's client refuses a protocol it never offered.
  EXPECT_EQ(r.handshake_error, "bad extension") << r.describe();
}

// ---- after the handshake -----------------------------------------------------------------

TEST_F(TlsWire, FinWithoutCloseNotifyAfterAContentLengthBody) {
  const TlsClientResult r = tls_exchange(client(start_fault("tls_fin_without_close_notify")));
  EXPECT_EQ(r.bytes, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello") << r.describe();
  EXPECT_EQ(r.ending, "eof without close_notify") << r.describe();
}

TEST_F(TlsWire, FinWithoutCloseNotifyAfterACloseDelimitedBody) {
  const TlsClientResult r = tls_exchange(client(
      start_fault("tls_fin_without_close_notify", {{"framing", std::string("close_delimited")}})));
  EXPECT_EQ(r.bytes, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhello") << r.describe();
  EXPECT_EQ(r.ending, "eof without close_notify") << r.describe();
}

TEST_F(TlsWire, FatalAlertMidBody) {
  const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n";
  const TlsClientResult mac = tls_exchange(client(start_fault("tls_alert_mid_body")));
  EXPECT_EQ(mac.bytes.size(), head.size() + 10) << mac.describe();
  EXPECT_EQ(mac.ending, "sslv3 alert bad record mac") << mac.describe();
}

TEST_F(TlsWire, FatalAlertMidBodyRecordOverflowOverTls12) {
  TlsClientOptions o =
      client(start_fault("tls_alert_mid_body", {{"alert", std::string("record_overflow")}}));
  o.max_version = TLS1_2_VERSION;
  const TlsClientResult r = tls_exchange(o);
  EXPECT_EQ(r.version, "TLSv1.2") << r.describe();
  EXPECT_EQ(r.ending, "tlsv1 alert record overflow") << r.describe();
}

TEST_F(TlsWire, CorruptedRecordMidBody) {
  const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n";
  const TlsClientResult r = tls_exchange(client(start_fault("tls_corrupt_record_mid_body")));
  EXPECT_EQ(r.bytes.size(), head.size() + 10) << r.describe();
  EXPECT_EQ(r.ending, "decryption failed or bad record mac") << r.describe();
}

// A crash closes every connection as exit() would: no close_notify, so the client's TLS stack
// reports an EOF without it (a killed process cannot say goodbye).
TEST_F(TlsWire, ACrashLooksLikeADeadProcessNotACleanClose) {
  auto spec = bgw::test::spec_for(
      bgw::test::lower("stall_before_headers", {{"duration", bgw::sim::Duration(0)}}));
  spec.tls = TlsSpec{};
  std::promise<void> request_read;
  const auto port = upstream_.start(std::move(spec), [&](bgw::sim::Upstream& u) {
    u.journal().set_listener([&, done = false](const bgw::sim::Event& e) mutable {
      if (e.kind == bgw::sim::EventKind::request_head && !done) {
        done = true;
        request_read.set_value();
      }
    });
  });
  TlsClientResult r;
  std::thread c([&] { r = tls_exchange(client(port)); });
  ASSERT_EQ(request_read.get_future().wait_for(3s), std::future_status::ready);
  upstream_.post([](bgw::sim::Upstream& u) { u.crash(); });
  c.join();
  EXPECT_TRUE(r.handshake_ok) << r.describe();
  EXPECT_EQ(r.bytes, "") << r.describe();
  EXPECT_EQ(r.ending, "eof without close_notify") << r.describe();
  EXPECT_NE(journal_text().find("\"detail\":\"crash\""), std::string::npos);
}

TEST_F(TlsWire, TlsStepsOnACleartextUpstreamAreSkipped) {
  bgw::sim::UpstreamSpec spec =
      bgw::test::spec_for(bgw::test::lower("tls_close_before_server_hello"));
  const auto port = upstream_.start(spec);  // cleartext: start() above would add TLS
  net::io_context client_io;
  // The TLS step is skipped; the Close after it is not: a cleartext close on accept.
  const auto r = bgw::test::exchange(client_io, port, bgw::test::kGetClose);
  EXPECT_EQ(r.received, "");
  EXPECT_EQ(r.ending, bgw::client::Ending::eof) << bgw::test::describe(r);
  EXPECT_NE(journal_text().find("await_client_hello: skipped, not a TLS connection"),
            std::string::npos);
}

TEST(TlsCatalogue, EveryTlsFaultHasAWireTestHere) {
  for (const auto& f : bgw::sim::fault_catalogue()) {
    if (bgw::sim::needs_tls(f)) EXPECT_TRUE(kCovered.contains(std::string(f.name))) << f.name;
  }
  for (const auto& name : kCovered) {
    const auto* f = bgw::sim::find_fault(name);
    ASSERT_NE(f, nullptr) << name;
    EXPECT_TRUE(bgw::sim::needs_tls(*f)) << name;
  }
}

}  // namespace
