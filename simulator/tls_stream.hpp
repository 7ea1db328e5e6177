// One TLS connection as the session sees it: a stream that is the raw TCP connection until its
// handshake and Asio's SSL stream (OpenSSL) after it, plus the TLS steps (script.hpp) that need
// to reach under the SSL stream. Include only where TLS connections are run: it pulls in OpenSSL.
//
// Under the SSL stream sits a TlsTap, not the socket itself: a pass-through that can hand the
// SSL engine bytes that did not come from the peer (the ClientHello we already read; a record
// it must reject) and flip a byte of the next record it writes. Both tricks are explained where
// they are used.
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <string>
#include <utility>
#include <vector>

#include "net.hpp"
#include "script.hpp"
#include "socket_ops.hpp"
#include "tls_context.hpp"

namespace bgw::sim {

namespace ssl = net::ssl;

/// The ALPN answer of one connection (read by the context's selection callback through the
/// SSL object's ex_data; Asio owns its app_data).
struct AlpnPolicy {
  std::string wire;            ///< the accepted protocols, length-prefixed as on the wire
  bool select_anyway = false;  ///< answer the first one whatever the client offered
};

class TlsContext {
 public:
  TlsContext(const TlsSpec& spec, const std::string& address, const std::string& upstream_name);
  ssl::context& native() { return ctx_; }
  const TlsSpec& spec() const { return spec_; }
  const AlpnPolicy& alpn() const { return alpn_; }

 private:
  TlsSpec spec_;
  ssl::context ctx_;
  AlpnPolicy alpn_;
};

/// The SSL stream's next layer: the socket, with bytes to hand out before the socket's own and
/// a byte to flip in the next write.
class TlsTap {
 public:
  using executor_type = tcp::socket::executor_type;
  using lowest_layer_type = tcp::socket::lowest_layer_type;

  explicit TlsTap(tcp::socket& socket) : socket_(socket) {}

  executor_type get_executor() { return socket_.get_executor(); }
  lowest_layer_type& lowest_layer() { return socket_.lowest_layer(); }
  const lowest_layer_type& lowest_layer() const { return socket_.lowest_layer(); }
  tcp::socket& socket() { return socket_; }

  /// The next reads return `bytes` before anything from the socket.
  void inject(std::string bytes) { injected_ = std::move(bytes) + injected_; }
  void clear_injected() { injected_.clear(); }
  /// While on, every read ends at once with EOF (the socket is not read).
  void end_reads(bool on) { eof_ = on; }
  /// The next write goes out with its last byte flipped.
  void corrupt_next_write() { corrupt_ = true; }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return net::async_initiate<Token, void(error_code, std::size_t)>(
        [this](auto handler, const MutableBuffers& b) {
          if (injected_.empty() && !eof_) {
            socket_.async_read_some(b, std::move(handler));
            return;
          }
          error_code ec;
          std::size_t n = 0;
          if (!injected_.empty()) {
            n = net::buffer_copy(b, net::buffer(injected_));
            injected_.erase(0, n);
          } else {
            ec = net::error::eof;
          }
          // Posted, never invoked inline: an initiating function must not complete in place.
          auto ex = net::get_associated_executor(handler, socket_.get_executor());
          net::post(ex, [h = std::move(handler), ec, n]() mutable { std::move(h)(ec, n); });
        },
        token, buffers);
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return net::async_initiate<Token, void(error_code, std::size_t)>(
        [this](auto handler, const ConstBuffers& b) {
          if (!corrupt_) {
            socket_.async_write_some(b, std::move(handler));
            return;
          }
          // The SSL stream writes whole records from its output buffer, so the last byte of this
          // write is the last byte of a record: part of its AEAD tag (RFC 8446 §5.2; TLS 1.2
          // GCM and ChaCha20-Poly1305 likewise end with the tag). A partial write leaves the
          // flip armed: the retry ends with the same byte.
          scratch_.resize(net::buffer_size(b));
          net::buffer_copy(net::buffer(scratch_), b);
          if (!scratch_.empty()) scratch_.back() = static_cast<char>(scratch_.back() ^ 0x01);
          socket_.async_write_some(
              net::buffer(scratch_),
              [this, h = std::move(handler)](error_code ec, std::size_t n) mutable {
                if (!ec && n == scratch_.size()) corrupt_ = false;
                std::move(h)(ec, n);
              });
        },
        token, buffers);
  }

 private:
  tcp::socket& socket_;
  std::string injected_;
  std::string scratch_;
  bool eof_ = false;
  bool corrupt_ = false;
};

/// The stream a TLS session runs on. Reads and writes are raw TCP until the handshake.
class TlsStream {
 public:
  static constexpr bool is_tls = true;
  using executor_type = tcp::socket::executor_type;

  TlsStream(tcp::socket& socket, TlsContext& context);

  executor_type get_executor() { return socket().get_executor(); }
  tcp::socket& socket() { return ssl_.next_layer().socket(); }
  bool handshaken() const { return handshaken_; }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return net::async_initiate<Token, void(error_code, std::size_t)>(
        [this](auto handler, const MutableBuffers& b) {
          // Before the handshake the bytes are the client's raw ones; after close_notify they
          // are records nobody decrypts (the session only drains them until the peer leaves).
          if (!handshaken_ || notified_) {
            ssl_.next_layer().async_read_some(b, std::move(handler));
            return;
          }
          // A peer that closes without close_notify is, for the session, a peer that closed;
          // the SSL stream calls it stream_truncated.
          ssl_.async_read_some(b, [h = std::move(handler)](error_code ec, std::size_t n) mutable {
            if (ec == ssl::error::stream_truncated) ec = net::error::eof;
            std::move(h)(ec, n);
          });
        },
        token, buffers);
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return net::async_initiate<Token, void(error_code, std::size_t)>(
        [this](auto handler, const ConstBuffers& b) {
          if (!handshaken_)
            ssl_.next_layer().async_write_some(b, std::move(handler));
          else
            ssl_.async_write_some(b, std::move(handler));
        },
        token, buffers);
  }

  /// Reads the client's first record (its ClientHello, or whatever it sent) and keeps it for
  /// the handshake. Empty text: done; otherwise why not (for the journal); `ec` says how the
  /// connection failed, if it did.
  net::awaitable<error_code> await_client_hello();
  /// The handshake, as `step` says. On failure, the reason.
  net::awaitable<std::pair<error_code, std::string>> handshake(const Handshake& step);
  /// The ServerHello alone, made by a second SSL object of the same context from the kept
  /// ClientHello. Returns the bytes written, or the error.
  net::awaitable<std::pair<error_code, std::string>> server_hello_only();
  /// See ProvokeAlert. Returns what the SSL engine reported while rejecting the record.
  net::awaitable<std::string> provoke_alert(TlsAlertCause cause);
  void corrupt_next_record() { ssl_.next_layer().corrupt_next_write(); }
  /// Sends close_notify (once, after a handshake only) without waiting for the peer's.
  net::awaitable<void> close_notify();

  /// "TLSv1.3 TLS_AES_256_GCM_SHA384 alpn=h2" after the handshake.
  std::string summary() const;

 private:
  TlsContext& context_;
  ssl::stream<TlsTap> ssl_;
  AlpnPolicy alpn_;
  std::string hello_;  // the client's first record, as read
  bool handshaken_ = false;
  bool notified_ = false;
};

// The socket_ops a session calls, for a TLS stream (found by argument-dependent lookup): each
// acts on the TCP connection under the TLS, as its tcp::socket counterpart documents.
inline void set_no_delay(TlsStream& s) {
  ops::set_no_delay(s.socket());
}
inline std::size_t discard_available(TlsStream& s) {
  return ops::discard_available(s.socket());
}
inline void close_graceful(TlsStream& s) {
  ops::close_graceful(s.socket());
}
inline void close_abortive(TlsStream& s) {
  ops::close_abortive(s.socket());
}
inline std::size_t pending_output(TlsStream& s) {
  return ops::pending_output(s.socket());
}
inline void shutdown_send(TlsStream& s) {
  ops::shutdown_send(s.socket());
}
inline void close_as_exit(TlsStream& s) {
  ops::close_as_exit(s.socket());
}

}  // namespace bgw::sim
