// An in-memory stand-in for tcp::socket, so Session<MemoryStream> runs in unit tests without
// sockets: the test feeds the peer's bytes, then reads back what was written (with timestamps)
// and how the connection was ended. Completions are always posted, never invoked inline.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/error_code.hpp>

namespace bgw::test {

/// How the simulator ended its side of the stream (the ops functions below record it).
enum class EndedBy : std::uint8_t { open, fin, rst, half_close, exit_close };

inline const char* to_string(EndedBy e) {
  switch (e) {
    case EndedBy::open:
      return "open";
    case EndedBy::fin:
      return "fin";
    case EndedBy::rst:
      return "rst";
    case EndedBy::half_close:
      return "half_close";
    case EndedBy::exit_close:
      return "exit_close";
  }
  return "?";
}

inline void PrintTo(EndedBy e, std::ostream* os) {
  *os << to_string(e);
}

/// One completed call of async_write_some.
struct WriteRecord {
  std::size_t size = 0;
  std::chrono::steady_clock::time_point at;         ///< when the write was started
  std::chrono::steady_clock::time_point completed;  ///< just before its handler ran
};

/// Not thread-safe: use it from the thread that runs its io_context.
///
/// Reads return at most one pushed segment at a time, so a test controls how the input is split.
/// `read_pending()` tells a test that the session is waiting for the peer: a session does one
/// thing at a time, so nothing more happens until the test pushes input or closes.
class MemoryStream {
 public:
  using executor_type = boost::asio::io_context::executor_type;
  using error_code = boost::system::error_code;
  using Signature = void(error_code, std::size_t);

  explicit MemoryStream(boost::asio::io_context& io) : executor_(io.get_executor()) {}
  MemoryStream(const MemoryStream&) = delete;
  MemoryStream& operator=(const MemoryStream&) = delete;

  executor_type get_executor() { return executor_; }

  // ---- the peer's side (the test) ------------------------------------------------------------

  /// Bytes the peer sends; one read returns at most one segment.
  void push_input(std::string bytes) {
    if (bytes.empty()) return;
    input_.push_back(std::move(bytes));
    complete_pending_read();
  }
  /// The peer sends FIN: reads return eof once the input is exhausted.
  void peer_close() {
    peer_closed_ = true;
    complete_pending_read();
  }
  /// The peer sends RST: unread input is lost, reads and writes fail with connection_reset.
  void peer_reset() {
    peer_reset_ = true;
    input_.clear();
    front_offset_ = 0;
    complete_pending_read();
  }
  /// After `n` more successful writes, every write fails with connection_reset.
  void fail_writes_after(std::size_t n) { writes_left_ = n; }

  const std::string& output() const { return output_; }
  const std::vector<WriteRecord>& writes() const { return writes_; }
  /// The first way the stream was ended (open while none).
  EndedBy ended_by() const { return endings_.empty() ? EndedBy::open : endings_.front(); }
  /// Every ending call in order (a half-close is normally followed by exit_close).
  const std::vector<EndedBy>& endings() const { return endings_; }
  bool closed() const { return closed_; }
  bool no_delay() const { return no_delay_; }
  bool read_pending() const { return static_cast<bool>(pending_); }
  std::size_t input_left() const {
    std::size_t n = 0;
    for (const std::string& s : input_) n += s.size();
    return n - front_offset_;
  }
  /// Bytes thrown away by discard_available (close_graceful drains the input first).
  std::size_t discarded() const { return discarded_; }

  // ---- the simulator's side (AsyncReadStream / AsyncWriteStream) ------------------------------

  template <class MutableBufferSequence, class Token>
  auto async_read_some(const MutableBufferSequence& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, Signature>(
        [this](auto handler, const MutableBufferSequence& bufs) {
          // One outstanding read at a time, as on a socket used by one coroutine.
          if (pending_) {
            post_completion(std::move(handler), boost::asio::error::in_progress, 0);
            return;
          }
          pending_buffers_.assign(boost::asio::buffer_sequence_begin(bufs),
                                  boost::asio::buffer_sequence_end(bufs));
          // Construct, then swap: Boost 1.81's move assignment of any_completion_handler
          // recurses forever (it copies `other` as an lvalue into the converting constructor).
          boost::asio::any_completion_handler<Signature> erased(std::move(handler));
          pending_.swap(erased);
          complete_pending_read();
        },
        token, buffers);
  }

  template <class ConstBufferSequence, class Token>
  auto async_write_some(const ConstBufferSequence& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, Signature>(
        [this](auto handler, const ConstBufferSequence& bufs) {
          const auto now = std::chrono::steady_clock::now();
          error_code ec;
          std::size_t n = 0;
          if (closed_) {
            ec = boost::asio::error::bad_descriptor;
          } else if (peer_reset_) {
            ec = boost::asio::error::connection_reset;
          } else if (send_shut_) {
            ec = boost::asio::error::broken_pipe;
          } else if (writes_left_ == 0) {
            ec = boost::asio::error::connection_reset;
          } else {
            if (writes_left_ != unlimited) --writes_left_;
            n = boost::asio::buffer_size(bufs);
            const std::size_t old = output_.size();
            output_.resize(old + n);
            boost::asio::buffer_copy(boost::asio::buffer(output_.data() + old, n), bufs);
            if (n > 0) writes_.push_back(WriteRecord{n, now, now});
          }
          const std::size_t index = n > 0 ? writes_.size() - 1 : npos;
          post_completion(std::move(handler), ec, n, index);
        },
        token, buffers);
  }

  // ---- what the ops functions do (see the free functions below) -------------------------------

  void mark_no_delay() { no_delay_ = true; }
  std::size_t discard_input() {
    const std::size_t n = input_left();
    input_.clear();
    front_offset_ = 0;
    discarded_ += n;
    return n;
  }
  void end(EndedBy how) {
    endings_.push_back(how);
    if (how == EndedBy::half_close) {
      send_shut_ = true;
      return;
    }
    closed_ = true;
    complete_pending_read();  // a closed socket aborts its pending read
  }

 private:
  static constexpr std::size_t unlimited = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t npos = std::numeric_limits<std::size_t>::max();

  template <class Handler>
  void post_completion(Handler&& handler, error_code ec, std::size_t n,
                       std::size_t write_index = npos) {
    // Posted to the stream's executor, then run on the handler's own (here the same context).
    boost::asio::post(executor_,
                      [this, h = std::forward<Handler>(handler), ec, n, write_index]() mutable {
                        if (write_index != npos)
                          writes_[write_index].completed = std::chrono::steady_clock::now();
                        auto ex = boost::asio::get_associated_executor(h, executor_);
                        boost::asio::dispatch(ex, boost::asio::append(std::move(h), ec, n));
                      });
  }

  void complete_pending_read() {
    if (!pending_) return;
    error_code ec;
    std::size_t n = 0;
    if (closed_) {
      ec = boost::asio::error::operation_aborted;
    } else if (boost::asio::buffer_size(pending_buffers_) == 0) {
      // A zero-size read completes at once, as on a socket.
    } else if (peer_reset_) {
      ec = boost::asio::error::connection_reset;
    } else if (!input_.empty()) {
      const std::string& front = input_.front();
      n = boost::asio::buffer_copy(
          pending_buffers_,
          boost::asio::buffer(front.data() + front_offset_, front.size() - front_offset_));
      front_offset_ += n;
      if (front_offset_ == front.size()) {
        input_.pop_front();
        front_offset_ = 0;
      }
    } else if (peer_closed_) {
      ec = boost::asio::error::eof;
    } else {
      return;  // stay pending until input, a peer close or our own close
    }
    auto handler = std::move(pending_);  // the move constructor leaves pending_ empty
    pending_buffers_.clear();
    post_completion(std::move(handler), ec, n);
  }

  executor_type executor_;
  std::deque<std::string> input_;
  std::size_t front_offset_ = 0;
  bool peer_closed_ = false;
  bool peer_reset_ = false;
  boost::asio::any_completion_handler<Signature> pending_;
  std::vector<boost::asio::mutable_buffer> pending_buffers_;

  std::string output_;
  std::vector<WriteRecord> writes_;
  std::size_t writes_left_ = unlimited;

  std::vector<EndedBy> endings_;
  bool closed_ = false;
  bool send_shut_ = false;
  bool no_delay_ = false;
  std::size_t discarded_ = 0;
};

// Found by ADL from Session, which calls them unqualified after `using ops::xxx;`. Same names
// and signatures as simulator/socket_ops.hpp.

inline void set_no_delay(MemoryStream& s) {
  s.mark_no_delay();
}

inline std::size_t discard_available(MemoryStream& s) {
  return s.discard_input();
}

inline void close_graceful(MemoryStream& s) {
  discard_available(s);
  s.end(EndedBy::fin);
}

inline void close_abortive(MemoryStream& s) {
  s.end(EndedBy::rst);
}

inline void shutdown_send(MemoryStream& s) {
  s.end(EndedBy::half_close);
}

inline void close_as_exit(MemoryStream& s) {
  s.end(EndedBy::exit_close);
}

}  // namespace bgw::test
