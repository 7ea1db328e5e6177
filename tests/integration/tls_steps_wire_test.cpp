// Custom step lists with TLS steps, decoded from a scenario file by the loader and run on a real
// sim::Upstream, observed by a real OpenSSL client (tests/support/tls_client.hpp) on loopback:
// each TLS step does on the wire what docs/scenario-format.md#tls-steps says. The upstream runs
// on its own thread; the client blocks on poll() with deadlines, never sleeps.
#include <openssl/ssl.h>

#include <string>

#include <gtest/gtest.h>

#include "harness/scenario/load.hpp"
#include "support/fault_fixture.hpp"
#include "support/threaded_upstream.hpp"
#include "support/tls_client.hpp"

namespace {

using namespace std::chrono_literals;
using bgw::test::tls_exchange;
using bgw::test::TlsClientOptions;
using bgw::test::TlsClientResult;

// The upstream's response undated, so its bytes are exact.
const std::string kHead = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
const std::string kOkClose =
    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello";

class TlsSteps : public ::testing::Test {
 protected:
  // Starts the TLS upstream of a scenario file whose [[upstream.fault]] tables are `faults`.
  std::uint16_t start(const std::string& faults) {
    const auto r = bgw::scenario::load_scenario_text(
        "[scenario]\nname = \"t\"\ndescription = \"d\"\n[[upstream]]\nname = \"a\"\n"
        "tls = {}\nresponse = { date = false }\n" +
            faults,
        "t.toml");
    std::string diagnostics;
    for (const auto& d : r.diagnostics) diagnostics += d.to_string() + "\n";
    EXPECT_TRUE(r.ok()) << diagnostics;
    if (!r.ok()) return 0;
    return upstream_.start(r.scenario->upstreams.at(0).spec);
  }
  void TearDown() override {
    upstream_.stop();
    if (upstream_.get()) EXPECT_TRUE(bgw::test::no_internal_errors(upstream_.get()->journal()));
  }
  static TlsClientOptions client(std::uint16_t port) {
    TlsClientOptions o;
    o.port = port;
    return o;
  }

  bgw::test::ThreadedUpstream upstream_;
};

TEST_F(TlsSteps, StallBeforeTheServerHelloThenHandshakeAndServeNeverEarly) {
  const std::uint16_t port = start(
      "[[upstream.fault]]\non = \"connection\"\nsteps = [{ await_client_hello = true }, "
      "{ stall = \"300ms\" }, { handshake = {} }, { serve = 1 }]\n");
  ASSERT_NE(port, 0);
  const TlsClientResult r = tls_exchange(client(port));
  EXPECT_TRUE(r.handshake_ok) << r.describe();
  EXPECT_GE(r.handshake_time, 300ms) << r.describe();
  EXPECT_LE(r.handshake_time, bgw::test::upper_bound(300ms) + 200ms) << r.describe();
  EXPECT_EQ(r.bytes, kOkClose) << r.describe();
  EXPECT_EQ(r.ending, "close_notify") << r.describe();
}

// The client processes the ServerHello, then meets the FIN where the rest of the flight should
// be. Where it last waited depends on whether both arrived in one read; a stall between them
// makes it wait after the ServerHello ("read server hello"), always.
TEST_F(TlsSteps, ServerHelloOnlyThenCloseFailsTheHandshakeAfterTheServerHello) {
  const std::uint16_t port = start(
      "[[upstream.fault]]\non = \"connection\"\nsteps = [{ server_hello_only = true }, "
      "{ close = true }]\n");
  ASSERT_NE(port, 0);
  const TlsClientResult r = tls_exchange(client(port));
  EXPECT_FALSE(r.handshake_ok) << r.describe();
  EXPECT_EQ(r.handshake_error, "unexpected eof while reading") << r.describe();
  EXPECT_TRUE(r.server_hello) << r.describe();
}

TEST_F(TlsSteps, ServerHelloOnlyThenStallThenCloseOverTls12) {
  const std::uint16_t port = start(
      "[[upstream.fault]]\non = \"connection\"\nsteps = [{ server_hello_only = true }, "
      "{ stall = \"200ms\" }, { close = true }]\n");
  ASSERT_NE(port, 0);
  TlsClientOptions o = client(port);
  o.max_version = TLS1_2_VERSION;
  const TlsClientResult r = tls_exchange(o);
  EXPECT_EQ(r.handshake_error, "unexpected eof while reading") << r.describe();
  EXPECT_TRUE(r.server_hello) << r.describe();
  EXPECT_NE(r.state.find("read server hello"), std::string::npos) << r.describe();
  EXPECT_GE(r.handshake_time, 200ms) << r.describe();
}

TEST_F(TlsSteps, HandshakeThenTheHeadThenAProvokedAlert) {
  const std::uint16_t port = start(
      "[[upstream.fault]]\non = \"connection\"\nsteps = [{ handshake = {} }, { read = \"whole\" "
      "}, { respond = \"head\" }, { provoke_alert = \"bad_record_mac\" }, { close = true }]\n");
  ASSERT_NE(port, 0);
  const TlsClientResult r = tls_exchange(client(port));
  EXPECT_TRUE(r.handshake_ok) << r.describe();
  EXPECT_EQ(r.bytes, kHead) << r.describe();
  EXPECT_EQ(r.ending, "sslv3 alert bad record mac") << r.describe();
}

// In a request rule the handshake is done: the record-layer steps need no handshake step.
TEST_F(TlsSteps, RecordOverflowAlertFromARequestRuleOverTls12) {
  const std::uint16_t port = start(
      "[[upstream.fault]]\nsteps = [{ read = \"whole\" }, { respond = \"head\" }, "
      "{ provoke_alert = \"record_overflow\" }, { close = true }]\n");
  ASSERT_NE(port, 0);
  TlsClientOptions o = client(port);
  o.max_version = TLS1_2_VERSION;
  const TlsClientResult r = tls_exchange(o);
  EXPECT_EQ(r.version, "TLSv1.2") << r.describe();
  EXPECT_EQ(r.bytes, kHead) << r.describe();
  EXPECT_EQ(r.ending, "tlsv1 alert record overflow") << r.describe();
}

TEST_F(TlsSteps, CorruptNextRecordBreaksTheBodyAfterTheHead) {
  const std::uint16_t port = start(
      "[[upstream.fault]]\nsteps = [{ read = \"whole\" }, { respond = \"head\" }, "
      "{ corrupt_next_record = true }, { respond = \"body\" }, { close = true }]\n");
  ASSERT_NE(port, 0);
  const TlsClientResult r = tls_exchange(client(port));
  EXPECT_EQ(r.bytes, kHead) << r.describe();
  EXPECT_EQ(r.ending, "decryption failed or bad record mac") << r.describe();
}

TEST_F(TlsSteps, HandshakeOfferingLegacyVersions) {
  const std::uint16_t port = start(
      "[[upstream.fault]]\non = \"connection\"\nsteps = [{ handshake = { offer = "
      "\"legacy_versions\" } }, { serve = 1 }]\n");
  ASSERT_NE(port, 0);
  // A default OpenSSL 3 client takes the TLS 1.1 ServerHello, then refuses its SHA-1 signature.
  const TlsClientResult modern = tls_exchange(client(port));
  EXPECT_FALSE(modern.handshake_ok) << modern.describe();
  EXPECT_EQ(modern.handshake_error, "legacy sigalg disallowed or unsupported") << modern.describe();
  TlsClientOptions old = client(port);
  old.min_version = TLS1_VERSION;
  old.security_level = 0;
  const TlsClientResult served = tls_exchange(old);
  EXPECT_EQ(served.version, "TLSv1.1") << served.describe();
  EXPECT_EQ(served.bytes, kOkClose) << served.describe();
}

TEST_F(TlsSteps, HandshakeWithItsOwnAlpn) {
  const std::uint16_t port = start(
      "[[upstream.fault]]\non = \"connection\"\nsteps = [{ handshake = { alpn = [\"h2\"] } }, "
      "{ serve = 1 }]\n");
  ASSERT_NE(port, 0);
  TlsClientOptions o = client(port);
  o.alpn = {"http/1.1"};
  const TlsClientResult r = tls_exchange(o);
  EXPECT_EQ(r.handshake_error, "tlsv1 alert no application protocol") << r.describe();
  o.alpn = {"http/1.1", "h2"};
  const TlsClientResult h2 = tls_exchange(o);
  EXPECT_EQ(h2.alpn, "h2") << h2.describe();
}

// Before any handshake a write is raw TCP: the client reads an HTTP status line where it
// expects a record header. The graceful close absorbs the ClientHello (no RST to race it).
TEST_F(TlsSteps, AWriteBeforeAnyHandshakeIsRawBytes) {
  const std::uint16_t port = start(
      "[[upstream.fault]]\non = \"connection\"\nsteps = [{ write = \"HTTP/1.1 400 Bad "
      "Request\\r\\nContent-Length: 0\\r\\n\\r\\n\" }, { graceful_close = true }]\n");
  ASSERT_NE(port, 0);
  const TlsClientResult r = tls_exchange(client(port));
  EXPECT_FALSE(r.handshake_ok) << r.describe();
  EXPECT_EQ(r.handshake_error, "wrong version number") << r.describe();
  EXPECT_FALSE(r.server_hello) << r.describe();
}

}  // namespace
