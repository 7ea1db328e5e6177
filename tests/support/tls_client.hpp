// A real TLS client for wire tests: OpenSSL's SSL_* on a non-blocking loopback socket, every
// wait a poll() with a deadline. It connects, handshakes, sends one request, reads until the
// connection ends, and reports what OpenSSL saw at each stage: the handshake's outcome (with
// the alert or error), the negotiated version, cipher and ALPN, the certificate verdict, the
// bytes, and how the stream ended (close_notify, EOF without it, reset, an alert, an error).
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace bgw::test {

struct TlsClientOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::string sni = "upstream.badgateway.test";  ///< also the name verified; empty: no SNI
  bool verify = false;
  std::string ca_pem;      ///< trusted roots when verifying
  bool verify_ip = false;  ///< verify `host` as an IP instead of `sni`
  std::vector<std::string> alpn;
  int min_version = 0;  ///< 0: OpenSSL's default (TLS 1.2 on Debian 12)
  int max_version = 0;
  int security_level = -1;  ///< -1: default
  std::string request = "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
  std::chrono::milliseconds deadline{3000};
  std::string session;  ///< a session to resume (DER, from a result's `session`); empty: none
};

struct TlsClientResult {
  bool connected = false;
  bool handshake_ok = false;
  std::string handshake_error;  ///< OpenSSL's reason ("tlsv1 alert unknown ca", ...) or errno
  std::string state;  ///< SSL_state_string_long where the handshake last waited (or ended)
  /// The client processed a ServerHello (its server random is set), whether or not the
  /// handshake completed: `state` cannot say so when the ServerHello and the end of the stream
  /// arrive in one read, as the handshake then never waits after the ServerHello.
  bool server_hello = false;
  std::string version, cipher, alpn;
  long verify_result = X509_V_OK;
  std::string bytes;     ///< application data received
  std::string ending;    ///< "close_notify", "eof without close_notify", "reset", "timeout",
                         ///< or OpenSSL's reason for the error that ended the stream
  bool resumed = false;  ///< the handshake resumed `session`
  std::string session;   ///< the session at the end (DER; TLS 1.3: with the ticket read after it)
  std::chrono::nanoseconds handshake_time{};  ///< connect() to the handshake's end
  std::chrono::nanoseconds total_time{};

  std::string describe() const {
    std::string d = handshake_ok ? "handshake ok (" + version + " " + cipher +
                                       (alpn.empty() ? "" : " alpn=" + alpn) + ")"
                                 : "handshake failed: " + handshake_error + " [" + state + "]";
    d += ", " + std::to_string(bytes.size()) + " bytes, ending: " + ending;
    return d;
  }
};

namespace tls_client_detail {

inline std::string last_error(int ssl_error) {
  const unsigned long e = ERR_peek_last_error();
  if (e != 0) {
    const char* reason = ERR_reason_error_string(e);
    std::string out = reason != nullptr ? reason : "error " + std::to_string(e);
    ERR_clear_error();
    return out;
  }
  if (ssl_error == SSL_ERROR_SYSCALL) {
    if (errno == ECONNRESET) return "reset";
    if (errno == 0) return "eof";
    return std::strerror(errno);
  }
  if (ssl_error == SSL_ERROR_ZERO_RETURN) return "close_notify";
  return "ssl error " + std::to_string(ssl_error);
}

// Waits for the socket to be ready for what OpenSSL asked; false at the deadline, never before
// it: poll() counts whole milliseconds, so the wait rounds up and starts again if it woke early.
inline bool wait(int fd, int ssl_error, std::chrono::steady_clock::time_point deadline) {
  pollfd p{fd, static_cast<short>(ssl_error == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN), 0};
  while (true) {
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    const int n = ::poll(&p, 1, static_cast<int>(left.count()));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return false;
  }
}

}  // namespace tls_client_detail

inline TlsClientResult tls_exchange(const TlsClientOptions& o) {
  using namespace tls_client_detail;
  using Clock = std::chrono::steady_clock;
  TlsClientResult r;
  const auto start = Clock::now();
  const auto deadline = start + o.deadline;

  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (o.security_level >= 0) SSL_CTX_set_security_level(ctx, o.security_level);
  if (o.min_version != 0) SSL_CTX_set_min_proto_version(ctx, o.min_version);
  if (o.max_version != 0) SSL_CTX_set_max_proto_version(ctx, o.max_version);
  if (o.verify) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    BIO* b = BIO_new_mem_buf(o.ca_pem.data(), static_cast<int>(o.ca_pem.size()));
    X509_STORE* store = SSL_CTX_get_cert_store(ctx);
    while (X509* c = PEM_read_bio_X509(b, nullptr, nullptr, nullptr)) {
      X509_STORE_add_cert(store, c);
      X509_free(c);
    }
    ERR_clear_error();
    BIO_free(b);
  }
  SSL* ssl = SSL_new(ctx);
  if (!o.session.empty()) {
    const auto* der = reinterpret_cast<const unsigned char*>(o.session.data());
    if (SSL_SESSION* s = d2i_SSL_SESSION(nullptr, &der, static_cast<long>(o.session.size()))) {
      SSL_set_session(ssl, s);
      SSL_SESSION_free(s);
    }
  }
  if (!o.sni.empty()) SSL_set_tlsext_host_name(ssl, o.sni.c_str());
  if (o.verify) {
    if (o.verify_ip)
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), o.host.c_str());
    else
      SSL_set1_host(ssl, o.sni.c_str());
  }
  if (!o.alpn.empty()) {
    std::string wire;
    for (const auto& p : o.alpn) wire += static_cast<char>(p.size()) + p;
    SSL_set_alpn_protos(ssl, reinterpret_cast<const unsigned char*>(wire.data()),
                        static_cast<unsigned int>(wire.size()));
  }

  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(o.port);
  ::inet_pton(AF_INET, o.host.c_str(), &sa.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    r.handshake_error = std::string("connect: ") + std::strerror(errno);
    ::close(fd);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    return r;
  }
  r.connected = true;
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  SSL_set_fd(ssl, fd);

  // The handshake.
  for (;;) {
    ERR_clear_error();
    errno = 0;
    const int rc = SSL_connect(ssl);
    if (rc == 1) {
      r.handshake_ok = true;
      break;
    }
    const int err = SSL_get_error(ssl, rc);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      r.state = SSL_state_string_long(ssl);  // where the handshake waits
      if (!wait(fd, err, deadline)) {
        r.handshake_error = "timeout";
        break;
      }
      continue;
    }
    r.handshake_error = last_error(err);
    break;
  }
  r.handshake_time = Clock::now() - start;
  if (r.handshake_ok) r.state = SSL_state_string_long(ssl);
  {
    unsigned char random[SSL3_RANDOM_SIZE] = {};
    const std::size_t n = SSL_get_server_random(ssl, random, sizeof random);
    for (std::size_t i = 0; i < n; ++i) r.server_hello = r.server_hello || random[i] != 0;
  }
  r.verify_result = SSL_get_verify_result(ssl);
  if (r.handshake_ok) {
    r.version = SSL_get_version(ssl);
    r.cipher = SSL_get_cipher_name(ssl);
    const unsigned char* a = nullptr;
    unsigned int alen = 0;
    SSL_get0_alpn_selected(ssl, &a, &alen);
    r.alpn.assign(reinterpret_cast<const char*>(a), alen);

    // The request, then everything until the stream ends.
    std::size_t sent = 0;
    while (sent < o.request.size()) {
      ERR_clear_error();
      const int n =
          SSL_write(ssl, o.request.data() + sent, static_cast<int>(o.request.size() - sent));
      if (n > 0) {
        sent += static_cast<std::size_t>(n);
        continue;
      }
      const int err = SSL_get_error(ssl, n);
      if ((err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) && wait(fd, err, deadline))
        continue;
      r.ending = "write failed: " + last_error(err);
      break;
    }
    char buf[16384];
    while (r.ending.empty()) {
      ERR_clear_error();
      errno = 0;
      const int n = SSL_read(ssl, buf, sizeof buf);
      if (n > 0) {
        r.bytes.append(buf, static_cast<std::size_t>(n));
        continue;
      }
      const int err = SSL_get_error(ssl, n);
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
        if (!wait(fd, err, deadline)) r.ending = "timeout";
        continue;
      }
      if (err == SSL_ERROR_ZERO_RETURN) {
        r.ending = "close_notify";
      } else if (err == SSL_ERROR_SYSCALL && errno == ECONNRESET) {
        r.ending = "reset";
      } else {
        const std::string why = last_error(err);
        r.ending = why == "unexpected eof while reading" || why == "eof"
                       ? "eof without close_notify"
                       : why;
      }
    }
  } else {
    r.ending = "no handshake";
  }
  r.total_time = Clock::now() - start;
  r.resumed = r.handshake_ok && SSL_session_reused(ssl) == 1;
  if (SSL_SESSION* s = SSL_get1_session(ssl)) {
    if (SSL_SESSION_is_resumable(s) == 1) {
      const int len = i2d_SSL_SESSION(s, nullptr);
      if (len > 0) {
        r.session.resize(static_cast<std::size_t>(len));
        auto* out = reinterpret_cast<unsigned char*>(r.session.data());
        i2d_SSL_SESSION(s, &out);
      }
    }
    SSL_SESSION_free(s);
  }
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  ::close(fd);
  return r;
}

}  // namespace bgw::test
