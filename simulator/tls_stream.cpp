#include "tls_stream.hpp"

#include <openssl/err.h>

#include <algorithm>
#include <array>

#include "tls_material.hpp"
#include "upstream.hpp"

namespace bgw::sim {
namespace {

int openssl_version(TlsVersion v) {
  switch (v) {
    case TlsVersion::tls1_0:
      return TLS1_VERSION;
    case TlsVersion::tls1_1:
      return TLS1_1_VERSION;
    case TlsVersion::tls1_2:
      return TLS1_2_VERSION;
    case TlsVersion::tls1_3:
      return TLS1_3_VERSION;
  }
  return TLS1_2_VERSION;
}

// The ex_data slot holding a connection's AlpnPolicy.
int alpn_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

std::string alpn_wire(const std::vector<std::string>& protocols) {
  std::string wire;
  for (const std::string& p : protocols) {
    if (p.empty() || p.size() > 255) continue;  // the scenario loader rejects these first
    wire += static_cast<char>(p.size());
    wire += p;
  }
  return wire;
}

// The server's ALPN answer (RFC 7301 §3.2): a protocol both accept; none in common is a fatal
// no_application_protocol alert. Only called when the client offered ALPN.
int select_alpn(SSL* ssl, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                unsigned int inlen, void*) {
  const auto* policy = static_cast<const AlpnPolicy*>(SSL_get_ex_data(ssl, alpn_index()));
  if (policy == nullptr || policy->wire.empty()) return SSL_TLSEXT_ERR_NOACK;
  const auto* wire = reinterpret_cast<const unsigned char*>(policy->wire.data());
  if (policy->select_anyway) {
    *out = wire + 1;
    *outlen = wire[0];
    return SSL_TLSEXT_ERR_OK;
  }
  unsigned char* chosen = nullptr;
  unsigned char chosen_len = 0;
  if (SSL_select_next_proto(&chosen, &chosen_len, wire,
                            static_cast<unsigned int>(policy->wire.size()), in,
                            inlen) != OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  *out = chosen;
  *outlen = chosen_len;
  return SSL_TLSEXT_ERR_OK;
}

// Settings that let TLS 1.0 and 1.1 through: OpenSSL 3 refuses them above security level 0
// (their PRF and signatures use SHA-1/MD5), and Debian's openssl.cnf asks for level 2.
void allow_legacy(SSL* ssl) {
  SSL_set_security_level(ssl, 0);
  SSL_set_cipher_list(ssl, "DEFAULT:@SECLEVEL=0");
}

}  // namespace

TlsContext::TlsContext(const TlsSpec& spec, const std::string& address,
                       const std::string& upstream_name)
    : spec_(spec), ctx_(ssl::context::tls_server) {
  SSL_CTX* c = ctx_.native_handle();
  TlsVersion low = TlsVersion::tls1_2;
  TlsVersion high = TlsVersion::tls1_3;
  if (!spec.versions.empty()) {
    low = *std::min_element(spec.versions.begin(), spec.versions.end());
    high = *std::max_element(spec.versions.begin(), spec.versions.end());
  }
  if (low < TlsVersion::tls1_2) {
    SSL_CTX_set_security_level(c, 0);
    SSL_CTX_set_cipher_list(c, "DEFAULT:@SECLEVEL=0");
  }
  // No server-side session store: OpenSSL's default keeps up to 20,480 TLS 1.2 sessions per
  // context (an insert per full handshake, and memory that grows with the run). Resumption still
  // works through stateless tickets, which OpenSSL issues by default (TLS 1.2 and 1.3), so a
  // proxy that resumes sessions to its upstreams keeps doing so.
  SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_min_proto_version(c, openssl_version(low));
  SSL_CTX_set_max_proto_version(c, openssl_version(high));
  const ServerCredentials cred = server_credentials(spec.cert, spec.key, spec.server_name, address);
  ctx_.use_certificate_chain(net::buffer(cred.chain_pem));
  ctx_.use_private_key(net::buffer(cred.key_pem), ssl::context::pem);
  alpn_.wire = alpn_wire(spec.alpn);
  SSL_CTX_set_alpn_select_cb(c, select_alpn, nullptr);
  (void)upstream_name;
}

std::shared_ptr<TlsContext> make_tls_context(const TlsSpec& spec, const std::string& address,
                                             const std::string& upstream_name) {
  try {
    return std::make_shared<TlsContext>(spec, address, upstream_name);
  } catch (const std::exception& e) {
    throw SetupError("upstream '" + upstream_name + "': TLS: " + e.what());
  }
}

TlsStream::TlsStream(tcp::socket& socket, TlsContext& context)
    : context_(context), ssl_(socket, context.native()), alpn_(context.alpn()) {
  SSL_set_ex_data(ssl_.native_handle(), alpn_index(), &alpn_);
}

net::awaitable<error_code> TlsStream::await_client_hello() {
  if (!hello_.empty()) co_return error_code{};
  std::array<char, 4096> buf{};
  for (;;) {
    auto [ec, n] = co_await socket().async_read_some(net::buffer(buf), nothrow);
    if (!ec && n == 0) ec = net::error::eof;
    if (ec) co_return ec;
    hello_.append(buf.data(), n);
    if (hello_.size() >= 5) {
      if (hello_[0] != 0x16) break;  // not a TLS handshake record: keep what came
      const std::size_t length =
          (static_cast<std::size_t>(static_cast<unsigned char>(hello_[3])) << 8) |
          static_cast<unsigned char>(hello_[4]);
      if (hello_.size() >= 5 + length) break;
    }
    if (hello_.size() > 64 * 1024) break;
  }
  // Handed back to the SSL stream's first reads, so a handshake after this step sees the
  // ClientHello as if it had never been read.
  ssl_.next_layer().inject(hello_);
  co_return error_code{};
}

net::awaitable<std::pair<error_code, std::string>> TlsStream::handshake(const Handshake& step) {
  SSL* s = ssl_.native_handle();
  switch (step.offer) {
    case TlsOffer::upstream:
      break;
    case TlsOffer::legacy_versions:
      allow_legacy(s);
      SSL_set_min_proto_version(s, TLS1_VERSION);
      SSL_set_max_proto_version(s, TLS1_1_VERSION);
      break;
    case TlsOffer::no_shared_cipher:
      // eNULL suites (no encryption) and TLS 1.3's CCM_8 are in no default client's offer.
      SSL_set_security_level(s, 0);
      SSL_set_cipher_list(s, "eNULL:@SECLEVEL=0");
      SSL_set_ciphersuites(s, "TLS_AES_128_CCM_8_SHA256");
      break;
  }
  if (!step.alpn.empty()) {
    alpn_.wire = alpn_wire(step.alpn);
    alpn_.select_anyway = step.alpn_select_anyway;
  }
  auto [ec] = co_await ssl_.async_handshake(ssl::stream_base::server, nothrow);
  if (ec) co_return std::pair{ec, "tls handshake failed: " + ec.message()};
  handshaken_ = true;
  co_return std::pair{error_code{}, summary()};
}

net::awaitable<std::pair<error_code, std::string>> TlsStream::server_hello_only() {
  if (hello_.empty()) {
    if (error_code ec = co_await await_client_hello()) co_return std::pair{ec, std::string()};
  }
  ssl_.next_layer().clear_injected();  // the ClientHello is answered here, not by the stream
  // A second SSL object of the same context on memory BIOs: it answers the ClientHello with
  // its whole first flight, of which we keep the first handshake message.
  SSL* s = SSL_new(context_.native().native_handle());
  SSL_set_ex_data(s, alpn_index(), &alpn_);
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  SSL_set_bio(s, in, out);  // s owns both
  SSL_set_accept_state(s);
  BIO_write(in, hello_.data(), static_cast<int>(hello_.size()));
  SSL_do_handshake(s);  // WANT_READ once the flight is written: the client's turn
  ERR_clear_error();
  char* data = nullptr;
  const long produced = BIO_get_mem_data(out, &data);
  std::string flight(data, static_cast<std::size_t>(std::max(0L, produced)));
  SSL_free(s);
  // The first record. TLS 1.2 and 1.3 both send the ServerHello as the first handshake message
  // of a plaintext handshake record (content type 22); if OpenSSL packed more messages into
  // that record, it is cut to the first one and its length rewritten (RFC 8446 §5.1 lets
  // messages span or share records).
  std::string record;
  if (flight.size() >= 9 && flight[0] == 0x16) {
    const auto u8 = [&](std::size_t i) {
      return static_cast<std::size_t>(static_cast<unsigned char>(flight[i]));
    };
    const std::size_t message = 4 + ((u8(6) << 16) | (u8(7) << 8) | u8(8));
    const std::size_t in_record = (u8(3) << 8) | u8(4);
    const std::size_t keep = std::min({message, in_record, flight.size() - 5});
    record = flight.substr(0, 3);
    record += static_cast<char>((keep >> 8) & 0xff);
    record += static_cast<char>(keep & 0xff);
    record += flight.substr(5, keep);
  } else {
    record = flight;  // an alert: the ClientHello was unacceptable; send what OpenSSL said
  }
  auto [ec, n] = co_await net::async_write(socket(), net::buffer(record), nothrow);
  co_return std::pair{ec, record};
}

net::awaitable<std::string> TlsStream::provoke_alert(TlsAlertCause cause) {
  // The record the server's SSL is handed as if the client had sent it. OpenSSL answers each
  // with a fatal alert of its own, protected with the current write keys, as RFC 8446 §5.2 /
  // RFC 5246 §7.2.2 require:
  //  - bad_record_mac: an application_data record of 32 zero bytes, whose AEAD tag cannot verify;
  //  - record_overflow: a header announcing 65535 bytes, over the 2^14+256 (TLS 1.3) and
  //    2^14+2048 (TLS 1.2) a record may carry; rejected on the header alone.
  std::string record = cause == TlsAlertCause::bad_record_mac
                           ? std::string("\x17\x03\x03\x00\x20", 5) + std::string(32, '\0')
                           : std::string("\x17\x03\x03\xff\xff", 5);
  ssl_.next_layer().inject(std::move(record));
  std::array<char, 512> sink{};
  // Bytes the client sent before (records already buffered) come out first; bounded.
  for (int i = 0; i < 64; ++i) {
    auto [ec, n] = co_await ssl_.async_read_some(net::buffer(sink), nothrow);
    if (ec) {
      ssl_.next_layer().clear_injected();
      co_return ec.message();
    }
  }
  co_return "the injected record was not rejected";
}

net::awaitable<void> TlsStream::close_notify() {
  if (!handshaken_ || notified_) co_return;
  notified_ = true;
  // Asio's async_shutdown sends close_notify, then waits for the peer's. We do not wait (a
  // server that closes does not, and nginx and haproxy do not answer it either): the shutdown's
  // read ends at once with EOF, after its write of the alert.
  ssl_.next_layer().end_reads(true);
  auto [ec] = co_await ssl_.async_shutdown(nothrow);
  (void)ec;
  ssl_.next_layer().end_reads(false);
}

std::string TlsStream::summary() const {
  SSL* s = const_cast<ssl::stream<TlsTap>&>(ssl_).native_handle();
  std::string out = std::string("tls ") + SSL_get_version(s) + " " + SSL_get_cipher_name(s);
  const unsigned char* alpn = nullptr;
  unsigned int alpn_len = 0;
  SSL_get0_alpn_selected(s, &alpn, &alpn_len);
  if (alpn_len > 0) out += " alpn=" + std::string(reinterpret_cast<const char*>(alpn), alpn_len);
  return out;
}

}  // namespace bgw::sim
