// `bgw-upstream --tls...`: the standalone upstream speaks TLS with the certificate asked for,
// writes the CA a client must trust, and takes tls_* faults only when it speaks TLS. Driven by a
// real OpenSSL client; the child's "listening" line is the readiness event.
#include <openssl/x509_vfy.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/child_program.hpp"
#include "tests/support/tls_client.hpp"

namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

std::uint16_t port_of(const std::string& listening) {
  return static_cast<std::uint16_t>(std::stoi(listening.substr(listening.rfind(':') + 1)));
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(UpstreamTlsCli, PresentsTheCertificateAskedForAndWritesTheCaToTrust) {
  const fs::path dir =
      fs::path(testing::TempDir()) / ("bgw_upstream_tls_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  bgw::test::ChildProgram up(BGW_UPSTREAM_EXE,
                             {"--tls-cert", "expired", "--tls-key", "rsa", "--tls-version", "1.2",
                              "--tls-ca-dir", dir.string()});
  ASSERT_TRUE(up.started());
  const auto line = up.read_line(10s);
  ASSERT_TRUE(line && line->rfind("listening ", 0) == 0) << up.drain_stderr();
  bgw::test::TlsClientOptions o;
  o.port = port_of(*line);
  // Verification off: the handshake completes (TLS 1.2 only) and the response comes.
  const auto served = bgw::test::tls_exchange(o);
  EXPECT_TRUE(served.handshake_ok) << served.describe();
  EXPECT_EQ(served.version, "TLSv1.2") << served.describe();
  EXPECT_NE(served.bytes.find("hello"), std::string::npos) << served.describe();
  // Against the written CA, the chain builds and the one fault is the date.
  o.verify = true;
  o.ca_pem = read_file(dir / "upstream-ca.pem");
  ASSERT_NE(o.ca_pem.find("BEGIN CERTIFICATE"), std::string::npos);
  const auto verified = bgw::test::tls_exchange(o);
  EXPECT_EQ(verified.verify_result, X509_V_ERR_CERT_HAS_EXPIRED) << verified.describe();
  up.signal(SIGTERM);
  EXPECT_EQ(up.wait_exit(10s), 0);
  fs::remove_all(dir);
}

TEST(UpstreamTlsCli, TakesTlsFaultsOnlyWhenItSpeaksTls) {
  bgw::test::ChildProgram up(
      BGW_UPSTREAM_EXE, {"--tls", "--fault", "tls_handshake_alert", "--param", "alert=unknown_ca"});
  ASSERT_TRUE(up.started());
  const auto line = up.read_line(10s);
  ASSERT_TRUE(line && line->rfind("listening ", 0) == 0) << up.drain_stderr();
  bgw::test::TlsClientOptions o;
  o.port = port_of(*line);
  const auto r = bgw::test::tls_exchange(o);
  EXPECT_FALSE(r.handshake_ok) << r.describe();
  EXPECT_EQ(r.handshake_error, "tlsv1 alert unknown ca") << r.describe();
  up.signal(SIGTERM);
  EXPECT_EQ(up.wait_exit(10s), 0);

  bgw::test::ChildProgram cleartext(BGW_UPSTREAM_EXE, {"--fault", "tls_handshake_alert"});
  ASSERT_TRUE(cleartext.started());
  EXPECT_EQ(cleartext.wait_exit(10s), 2);
  EXPECT_NE(cleartext.drain_stderr().find("needs a TLS upstream: add --tls"), std::string::npos);
  bgw::test::ChildProgram typo(BGW_UPSTREAM_EXE, {"--tls-cert", "expird"});
  ASSERT_TRUE(typo.started());
  EXPECT_EQ(typo.wait_exit(10s), 2);
  EXPECT_NE(typo.drain_stderr().find("--tls-cert takes good,"), std::string::npos);
}

}  // namespace
