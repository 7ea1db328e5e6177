// The fault-script executor: serves one connection, step by step, on any stream that looks like
// a socket (tcp::socket or a TlsStream in production, an in-memory stream in unit tests). Timed
// steps are scheduled from an absolute anchor so they are never early and overshoots do not
// accumulate. Everything the peer does is journalled; nothing the peer does throws.
#pragma once

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/write.hpp>

#include "net.hpp"
#include "request_framer.hpp"
#include "response.hpp"
#include "run_identity.hpp"
#include "socket_ops.hpp"
#include "upstream_state.hpp"

namespace bgw::sim {

/// How a session ended, as journalled in the final `closed` event.
enum class Ending : std::uint8_t {
  fin,
  graceful_close,
  rst,
  half_close,
  peer_closed,
  peer_reset,
  crash,
  stop,
  error
};

const char* to_string(Ending e);

/// A stream that speaks TLS (tls_stream.hpp): it runs the TLS steps, and a close on it past the
/// handshake is announced with close_notify.
template <class Stream>
inline constexpr bool is_tls_stream = requires {
  Stream::is_tls;
};

template <class Stream>
class Session {
  static constexpr bool tls = is_tls_stream<Stream>;

 public:
  /// `kill` is set by the owner before it closes `stream` from outside (crash, stop).
  Session(Stream& stream, net::steady_timer& timer, std::shared_ptr<UpstreamState> state,
          std::uint64_t connection, const Kill& kill)
      : stream_(stream), timer_(timer), state_(std::move(state)), conn_(connection), kill_(kill) {}

  net::awaitable<Ending> run() {
    using ops::set_no_delay;
    set_no_delay(stream_);
    journal(EventKind::accepted, 0, 0);
    rules_ = state_->rules();
    bool more = true;
    if (const Rule* r = state_->select(rules_->connection_rules, conn_)) {
      more = co_await run_script(r->script, 0, false);
    }
    if (more) more = co_await serve_requests(UINT64_MAX);
    if (more)
      end(Ending::fin);  // unreachable: serve_requests only returns when the connection ended
    finish();
    co_return ending_;
  }

 private:
  static constexpr std::size_t initial_buffer = 16 * 1024;
  static constexpr std::size_t max_head = 4 * 1024 * 1024;

  // ---- journal helpers -------------------------------------------------------------------
  void journal(EventKind kind, std::uint64_t request, std::uint64_t bytes, std::string detail = {},
               Duration requested = {}, Duration actual = {}) {
    if (state_->journal.level() == JournalLevel::counters) return;
    state_->journal.add(
        Event{Clock::now(), kind, conn_, request, bytes, requested, actual, std::move(detail)});
  }
  std::string capped(std::string_view bytes) const {
    if (state_->journal.level() != JournalLevel::bytes) return {};
    return std::string(bytes.substr(0, state_->journal.byte_cap()));
  }

  // ---- endings ---------------------------------------------------------------------------
  bool end(Ending e, std::string why = {}) {
    if (!ended_) {
      ended_ = true;
      ending_ = e;
      why_ = std::move(why);
    }
    return false;
  }
  // Classify a failed read or write. Returns false (the connection is over).
  bool end_on_error(const error_code& ec, std::uint64_t request, std::uint64_t bytes) {
    if (kill_ != Kill::none) return end(kill_ == Kill::crash ? Ending::crash : Ending::stop);
    if (ec == net::error::eof) {
      journal(EventKind::peer_closed, request, bytes);
      return end(Ending::peer_closed);
    }
    if (ec == net::error::connection_reset || ec == net::error::broken_pipe) {
      journal(EventKind::peer_reset, request, bytes, ec.message());
      return end(Ending::peer_reset);
    }
    return end(Ending::error, ec.message());
  }
  void finish() {
    using ops::close_as_exit;
    if (kill_ == Kill::none && (ending_ == Ending::peer_closed || ending_ == Ending::peer_reset ||
                                ending_ == Ending::error)) {
      close_as_exit(stream_);  // the peer is gone: release our end (queue is empty or reset)
    }
    journal(EventKind::closed, 0, 0,
            why_.empty() ? to_string(ending_) : std::string(to_string(ending_)) + ": " + why_);
  }

  // ---- input buffer ----------------------------------------------------------------------
  std::string_view buffered() const { return {buf_.get() + begin_, end_ - begin_}; }
  void consume(std::size_t n) {
    begin_ += n;
    if (begin_ == end_) begin_ = end_ = 0;
  }
  // A connection that waits (a stall, a delay) with nothing buffered gives its input buffer
  // back: 10,000 stalled connections would otherwise hold 160 MB of empty buffers. The next
  // read allocates it again (measured: docs/performance.md, stalled connections).
  void release_idle_buffer() {
    if (begin_ == end_ && capacity_ > 0) {
      begin_ = end_ = 0;
      buf_.reset();
      capacity_ = 0;
    }
  }

  // Read and drop whatever the peer sends, into a scratch buffer the sessions of this thread
  // share (the bytes are never looked at), so a connection held until the peer leaves owns no
  // buffer. Returns the bytes dropped by this read.
  net::awaitable<std::pair<error_code, std::size_t>> discard_some() {
    thread_local std::array<char, initial_buffer> sink;
    release_idle_buffer();
    auto [ec, n] = co_await stream_.async_read_some(net::buffer(sink), nothrow);
    if (!ec && n == 0) ec = net::error::eof;
    co_return std::pair{ec, n};
  }

  // Room for the next read at the end of the buffer (allocated, compacted or grown as needed).
  // Never zero-filled: only bytes a read wrote are ever looked at (a vector's resize cleared
  // 16 KiB per connection, ~2 % of a TLS handshake's instructions under callgrind).
  net::mutable_buffer read_space() {
    if (capacity_ == 0) {
      buf_ = std::make_unique_for_overwrite<char[]>(initial_buffer);
      capacity_ = initial_buffer;
    }
    if (end_ == capacity_) {
      if (begin_ > 0) {
        std::memmove(buf_.get(), buf_.get() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
      } else {
        auto grown = std::make_unique_for_overwrite<char[]>(capacity_ * 2);
        std::memcpy(grown.get(), buf_.get(), end_);
        buf_ = std::move(grown);
        capacity_ *= 2;
      }
    }
    return net::buffer(buf_.get() + end_, capacity_ - end_);
  }
  error_code took(error_code ec, std::size_t n) {
    end_ += n;
    if (!ec && n == 0) ec = net::error::eof;
    return ec;
  }
  net::awaitable<error_code> read_more() {
    auto [ec, n] = co_await stream_.async_read_some(read_space(), nothrow);
    co_return took(ec, n);
  }

  bool body_pending() const { return body_left_ > 0 || chunked_.has_value(); }

  // Discard the unread body of a request whose head alone was read.
  net::awaitable<bool> skip_pending_body(std::uint64_t request) {
    std::uint64_t skipped = 0;
    while (body_left_ > 0 || chunked_) {
      if (buffered().empty()) {
        if (error_code ec = co_await read_more()) co_return end_on_error(ec, request, skipped);
      }
      if (chunked_) {
        const std::size_t used = chunked_->feed(buffered());
        consume(used);
        skipped += used;
        if (chunked_->done() || chunked_->failed()) chunked_.reset();
      } else {
        const auto n =
            static_cast<std::size_t>(std::min<std::uint64_t>(body_left_, buffered().size()));
        consume(n);
        body_left_ -= n;
        skipped += n;
      }
    }
    co_return true;
  }

  // ---- requests --------------------------------------------------------------------------
  net::awaitable<bool> serve_requests(std::uint64_t count) {
    if constexpr (tls) {
      // Requests come after the handshake: the connection script did not run one, so now.
      if (!stream_.handshaken() && !co_await handshake(Handshake{}, 0)) co_return false;
    }
    for (std::uint64_t i = 0; i < count; ++i) {
      if (body_pending() && !co_await skip_pending_body(0)) co_return false;
      // A request starts with its first byte; a peer that leaves while idle ends the connection
      // without counting a request.
      if (buffered().empty()) {
        // Awaited here rather than through read_more(): one coroutine frame less per request.
        auto [ec, n] = co_await stream_.async_read_some(read_space(), nothrow);
        if (error_code e = took(ec, n)) co_return end_on_error(e, 0, 0);
      }
      const std::uint64_t request = state_->journal.next_request();
      const Rule* r = state_->select(rules_->request_rules, request);
      const Script& script = r ? r->script : rules_->default_script;
      // The steps of a plain response (a buffered request read, a write that fits the send
      // buffer) finish here, without a run_script frame; the first one that cannot goes on there.
      const std::size_t next = run_now(script, request);
      if (ended_) co_return false;
      if (foreign_) co_return co_await answer_foreign(request);
      if (next < script.size() && !co_await run_script(script, request, true, next))
        co_return false;
      if (close_requested_) {
        // The client said "Connection: close" (or spoke HTTP/1.0): a server closes after the
        // response (RFC 9112 §9.6).
        if constexpr (tls) co_await stream_.close_notify();
        using ops::close_graceful;
        close_graceful(stream_);
        co_return end(Ending::fin, "client asked to close");
      }
    }
    co_return true;
  }

  // The request head is in the buffer: journal it, learn its framing, consume it.
  void take_head(std::size_t head_size, std::uint64_t request) {
    take_head(head_size, parse_request_head(buffered().substr(0, head_size)), request);
  }
  void take_head(std::size_t head_size, const RequestHead& parsed, std::uint64_t request) {
    const std::string_view head = buffered().substr(0, head_size);
    if (state_->journal.level() != JournalLevel::counters) {
      journal(EventKind::request_head, request, head_size,
              state_->journal.level() == JournalLevel::bytes ? capped(head)
                                                             : std::string(parsed.request_line));
      if (!parsed.valid) journal(EventKind::bad_request, request, head_size, parsed.error);
    }
    if (!state_->run_identity.empty()) check_run_identity(head, parsed, request);
    consume(head_size);
    close_requested_ = parsed.close;
    if (parsed.chunked)
      chunked_.emplace();
    else
      body_left_ = parsed.valid ? parsed.content_length : 0;
  }

  // Another run's request (run_identity.hpp): journalled at every level, and answered with the
  // marked response instead of the script (answer_foreign) once the read step is done.
  void check_run_identity(std::string_view head, const RequestHead& parsed, std::uint64_t request) {
    const auto theirs = run_identity_of(head);
    if (!theirs || *theirs == state_->run_identity) return;
    foreign_ = std::string(*theirs);
    state_->journal.add(Event{Clock::now(),
                              EventKind::foreign_request,
                              conn_,
                              request,
                              head.size(),
                              {},
                              {},
                              std::string(parsed.request_line) + " with " +
                                  std::string(run_header) + ": " + *foreign_ +
                                  ", but this upstream belongs to run " + state_->run_identity});
  }
  net::awaitable<bool> answer_foreign(std::uint64_t request) {
    if (!co_await write(foreign_response(state_->run_identity, *foreign_), request))
      co_return false;
    if constexpr (tls) co_await stream_.close_notify();
    using ops::close_graceful;
    close_graceful(stream_);
    co_return end(Ending::fin, "foreign request");
  }

  // Fast path, no coroutine frame: the whole request (a head, and a Content-Length body if any)
  // is already buffered. False, with nothing consumed, when the coroutine path must run.
  bool read_buffered_request(const ReadRequest& step, std::uint64_t request) {
    if (step.part == ReadPart::bytes || request == 0 || body_pending()) return false;
    const std::size_t head_size = find_head_end(buffered());
    if (head_size == 0) return false;
    const RequestHead parsed = parse_request_head(buffered().substr(0, head_size));
    if (step.part == ReadPart::whole &&
        (parsed.chunked || (parsed.valid && parsed.content_length > buffered().size() - head_size)))
      return false;
    take_head(head_size, parsed, request);
    if (step.part == ReadPart::whole && body_left_ > 0) {
      const std::uint64_t body = body_left_;
      consume(static_cast<std::size_t>(body));
      body_left_ = 0;
      journal(EventKind::request_body, request, body);
    }
    return true;
  }

  net::awaitable<bool> read_request(const ReadRequest& step, std::uint64_t request) {
    if (body_pending() && !co_await skip_pending_body(request)) co_return false;
    // In a connection script no request was counted yet: reading one counts it.
    if (request == 0) {
      if (buffered().empty()) {
        if (error_code ec = co_await read_more()) co_return end_on_error(ec, 0, 0);
      }
      request = state_->journal.next_request();
    }
    if (step.part == ReadPart::bytes) {
      std::size_t got = 0;
      std::string seen;
      while (got < step.bytes) {
        if (buffered().empty()) {
          if (error_code ec = co_await read_more()) co_return end_on_error(ec, request, got);
        }
        const std::size_t n = std::min(step.bytes - got, buffered().size());
        const std::size_t room =
            state_->journal.byte_cap() - std::min(seen.size(), state_->journal.byte_cap());
        seen += capped(buffered().substr(0, std::min(n, room)));
        consume(n);
        got += n;
      }
      journal(EventKind::request_bytes, request, got, std::move(seen));
      co_return true;
    }
    std::size_t head_size = 0;
    while ((head_size = find_head_end(buffered())) == 0) {
      if (buffered().size() > max_head) {
        journal(EventKind::bad_request, request, buffered().size(), "request head too large");
        if constexpr (tls) co_await stream_.close_notify();
        using ops::close_graceful;
        close_graceful(stream_);
        co_return end(Ending::fin, "request head too large");
      }
      if (error_code ec = co_await read_more())
        co_return end_on_error(ec, request, buffered().size());
    }
    take_head(head_size, request);
    if (step.part == ReadPart::head) co_return true;

    std::uint64_t body = 0;
    bool bad_chunking = false;
    while (body_left_ > 0 || chunked_) {
      if (buffered().empty()) {
        if (error_code ec = co_await read_more()) co_return end_on_error(ec, request, body);
      }
      if (chunked_) {
        const std::size_t used = chunked_->feed(buffered());
        consume(used);
        body += used;
        if (chunked_->failed()) bad_chunking = true;
        if (chunked_->done() || chunked_->failed()) chunked_.reset();
      } else {
        const auto n =
            static_cast<std::size_t>(std::min<std::uint64_t>(body_left_, buffered().size()));
        consume(n);
        body_left_ -= n;
        body += n;
      }
    }
    if (body > 0) journal(EventKind::request_body, request, body);
    if (bad_chunking)
      journal(EventKind::bad_request, request, body, "invalid chunked request body");
    co_return true;
  }

  // ---- output ----------------------------------------------------------------------------
  // Fast path, no coroutine frame: a small response almost always fits the send buffer, and a
  // completed non-blocking send() needs no completion handler and no extra scheduler round.
  // Returns the bytes written (all of them: done), or nullopt when the connection ended.
  std::optional<std::size_t> write_now(std::string_view bytes, std::uint64_t request) {
    return write_buffers_now(net::buffer(bytes.data(), bytes.size()), request);
  }
  template <class Buffers>
  std::optional<std::size_t> write_buffers_now(const Buffers& buffers, std::uint64_t request) {
    if constexpr (std::is_same_v<Stream, tcp::socket>) {
      error_code ec;
      if (!stream_.non_blocking()) stream_.non_blocking(true, ec);
      const std::size_t n = stream_.write_some(buffers, ec);
      if (ec && ec != net::error::would_block && ec != net::error::try_again) {
        journal(EventKind::write_failed, request, n, ec.message());
        end_on_error(ec, request, n);
        return std::nullopt;
      }
      if (n == net::buffer_size(buffers))
        journal(EventKind::wrote, request, n, capped_buffers(buffers));
      return n;
    } else {
      return std::size_t{0};
    }
  }

  // The journal's copy of bytes written from several buffers.
  template <class Buffers>
  std::string capped_buffers(const Buffers& buffers) const {
    if (state_->journal.level() != JournalLevel::bytes) return {};
    std::string all(net::buffer_size(buffers), '\0');
    net::buffer_copy(net::buffer(all), buffers);
    return capped(std::string_view(all));
  }

  // ---- the plain response ----------------------------------------------------------------
  using RespondBuffers = std::array<net::const_buffer, 3>;

  // The bytes of a Respond for the current request: the variant its "Connection: close" asks
  // for, with the Date value from date_ (fill_date() first).
  RespondBuffers respond_buffers(const Respond& r) const {
    const std::string& b = close_requested_ ? r.close : r.keep_alive;
    if (r.date_at == Respond::no_date) return {net::buffer(b), net::const_buffer{}, {}};
    const std::size_t after = r.date_at + date_.size();
    return {net::buffer(b.data(), r.date_at), net::buffer(date_),
            net::buffer(b.data() + after, b.size() - after)};
  }
  // Copied per response, so a write that resumes later sends the same date.
  void fill_date(const Respond& r) {
    if (r.date_at == Respond::no_date) return;
    const std::string_view now = http_date_now();
    std::copy(now.begin(), now.end(), date_.begin());
  }
  static RespondBuffers skip(RespondBuffers b, std::size_t n) {
    for (net::const_buffer& x : b) {
      const std::size_t k = std::min(n, x.size());
      x += k;
      n -= k;
    }
    return b;
  }
  std::optional<std::size_t> respond_now(const Respond& r, std::uint64_t request) {
    fill_date(r);
    return write_buffers_now(respond_buffers(r), request);
  }
  net::awaitable<bool> respond_rest(const Respond& r, std::uint64_t request, std::size_t first) {
    const RespondBuffers all = respond_buffers(r);
    auto [ec, rest] = co_await net::async_write(stream_, skip(all, first), nothrow);
    const std::size_t n = first + rest;
    if (ec) {
      journal(EventKind::write_failed, request, n, ec.message());
      co_return end_on_error(ec, request, n);
    }
    journal(EventKind::wrote, request, n, capped_buffers(all));
    co_return true;
  }

  net::awaitable<bool> write(std::string_view bytes, std::uint64_t request) {
    const std::optional<std::size_t> now = write_now(bytes, request);
    if (!now) co_return false;
    if (*now == bytes.size()) co_return true;
    co_return co_await write_rest(bytes, request, *now);
  }

  net::awaitable<bool> write_rest(std::string_view bytes, std::uint64_t request,
                                  std::size_t first) {
    auto [ec, rest] = co_await net::async_write(
        stream_, net::buffer(bytes.data() + first, bytes.size() - first), nothrow);
    const std::size_t n = first + rest;
    if (ec) {
      journal(EventKind::write_failed, request, n, ec.message());
      co_return end_on_error(ec, request, n);
    }
    journal(EventKind::wrote, request, n, capped(bytes));
    co_return true;
  }

  // Wait until `anchor + offset`. False when the wait was cancelled (crash or stop).
  net::awaitable<bool> wait_until(Clock::time_point deadline) {
    release_idle_buffer();
    timer_.expires_at(deadline);
    auto [ec] = co_await timer_.async_wait(nothrow);
    if (ec || kill_ != Kill::none) co_return end_on_error(net::error::operation_aborted, 0, 0);
    co_return true;
  }

  // A RST discards whatever the peer has not acknowledged, so "write N bytes, then RST" would
  // lose bytes whenever the peer's receive window is full. Wait (on a 1 ms timer, bounded) until
  // the kernel's send queue is empty. The kernel gives no event for "send queue empty".
  net::awaitable<bool> drain_output(std::uint64_t request) {
    if constexpr (std::is_same_v<Stream, tcp::socket> || tls) {
      using ops::pending_output;
      if (pending_output(stream_) == 0) co_return true;
      const Clock::time_point anchor = Clock::now();
      const Clock::time_point give_up = anchor + std::chrono::seconds(5);
      std::size_t left = 0;
      while ((left = pending_output(stream_)) > 0 && Clock::now() < give_up) {
        if (!co_await wait_until(Clock::now() + std::chrono::milliseconds(1))) co_return false;
      }
      journal(EventKind::step, request, left,
              left == 0 ? "drain before reset" : "reset with bytes still unacknowledged",
              Duration{}, Clock::now() - anchor);
    }
    co_return true;
  }

  // ---- steps -----------------------------------------------------------------------------
  // A request script reads its request first, unless it says how itself.
  static bool reads_implicitly(const Script& script) {
    return script.empty() || !std::holds_alternative<ReadRequest>(script.front());
  }

  // Runs the steps of a request script, from the first, as long as each finishes at once: the
  // request (implicit or ReadRequest) is buffered, a Write fits the send buffer. Returns the
  // index of the first step left for run_script (script.size(): all done), or 0 with nothing
  // done when the implicit read must wait. Check ended_ afterwards: a failed write ends.
  std::size_t run_now(const Script& script, std::uint64_t request) {
    if (reads_implicitly(script) && !read_buffered_request(ReadRequest{}, request)) {
      implicit_read_done_ = false;
      return 0;
    }
    implicit_read_done_ = true;
    if (foreign_) return 0;
    std::size_t i = 0;
    for (; i < script.size(); ++i) {
      if (const auto* r = std::get_if<ReadRequest>(&script[i])) {
        if (read_buffered_request(*r, request)) {
          if (foreign_) return i;
          continue;
        }
      } else if (const auto* w = std::get_if<Write>(&script[i])) {
        const std::optional<std::size_t> now = write_now(w->bytes, request);
        if (!now) return i;  // the connection ended (ended_ is set)
        if (*now == w->bytes.size()) continue;
        partial_write_ = *now;  // run_script goes on from this byte
      } else if (const auto* p = std::get_if<Respond>(&script[i])) {
        const std::optional<std::size_t> now = respond_now(*p, request);
        if (!now) return i;
        if (*now == net::buffer_size(respond_buffers(*p))) continue;
        partial_write_ = *now;
      }
      break;
    }
    return i;
  }

  // `from` > 0 (or an implicit read already done by run_now): run_now ran the steps before it.
  net::awaitable<bool> run_script(const Script& script, std::uint64_t request, bool request_scope,
                                  std::size_t from = 0) {
    const bool resumed = request_scope && (from > 0 || implicit_read_done_);
    if (request_scope && !resumed && reads_implicitly(script)) {
      if (!read_buffered_request(ReadRequest{}, request) &&
          !co_await read_request(ReadRequest{}, request))
        co_return false;
    }
    implicit_read_done_ = false;
    if (foreign_) co_return co_await answer_foreign(request);
    if (partial_write_ > 0) {
      // run_now wrote the start of script[from]; the rest follows as one write.
      const std::size_t first = std::exchange(partial_write_, 0);
      if (const auto* p = std::get_if<Respond>(&script[from])) {
        if (!co_await respond_rest(*p, request, first)) co_return false;
      } else if (!co_await write_rest(std::get<Write>(script[from]).bytes, request, first)) {
        co_return false;
      }
      ++from;
    }
    for (std::size_t i = from; i < script.size(); ++i) {
      const Step& step = script[i];
      // The two steps of every plain response, without a coroutine frame when they can finish
      // at once (measured: the frames were a large share of the user-space cost per request).
      if (const auto* r = std::get_if<ReadRequest>(&step);
          r && read_buffered_request(*r, request)) {
        if (foreign_) co_return co_await answer_foreign(request);
        continue;
      }
      if (const auto* w = std::get_if<Write>(&step)) {
        const std::optional<std::size_t> now = write_now(w->bytes, request);
        if (!now) co_return false;
        if (*now == w->bytes.size()) continue;
        if (!co_await write_rest(w->bytes, request, *now)) co_return false;
        continue;
      }
      if (const auto* p = std::get_if<Respond>(&step)) {
        const std::optional<std::size_t> now = respond_now(*p, request);
        if (!now) co_return false;
        if (*now < net::buffer_size(respond_buffers(*p)) &&
            !co_await respond_rest(*p, request, *now))
          co_return false;
        continue;
      }
      if (!co_await run_step(step, request)) co_return false;
      if (foreign_) co_return co_await answer_foreign(request);
    }
    co_return true;
  }

  net::awaitable<bool> run_step(const Step& step, std::uint64_t request) {
    using ops::close_abortive;
    using ops::close_as_exit;
    using ops::close_graceful;
    using ops::shutdown_send;
    if (const auto* s = std::get_if<ReadRequest>(&step))
      co_return co_await read_request(*s, request);
    if (const auto* s = std::get_if<Write>(&step)) co_return co_await write(s->bytes, request);
    if (const auto* s = std::get_if<Drip>(&step)) {
      const Clock::time_point anchor = Clock::now();
      const std::size_t chunk = std::max<std::size_t>(1, s->chunk);
      std::size_t pieces = 0;
      Clock::time_point last = anchor;
      for (std::size_t at = 0; at < s->bytes.size(); at += chunk, ++pieces) {
        if (pieces > 0 && !co_await wait_until(anchor + s->interval * static_cast<long>(pieces)))
          co_return false;
        last = Clock::now();
        const std::string_view piece = std::string_view(s->bytes).substr(at, chunk);
        if (!co_await write(piece, request)) co_return false;
      }
      const Duration requested =
          pieces > 1 ? s->interval * static_cast<long>(pieces - 1) : Duration{};
      journal(EventKind::step, request, s->bytes.size(), "drip", requested, last - anchor);
      co_return true;
    }
    if (const auto* s = std::get_if<Delay>(&step)) {
      const Clock::time_point anchor = Clock::now();
      if (!co_await wait_until(anchor + s->duration)) co_return false;
      journal(EventKind::step, request, 0, "delay", s->duration, Clock::now() - anchor);
      co_return true;
    }
    if (const auto* s = std::get_if<Stall>(&step)) {
      const Clock::time_point anchor = Clock::now();
      if (s->duration > Duration::zero()) {
        if (!co_await wait_until(anchor + s->duration)) co_return false;
        journal(EventKind::step, request, 0, "stall", s->duration, Clock::now() - anchor);
        co_return true;
      }
      // Until the peer leaves: keep reading (and dropping) whatever it sends.
      std::uint64_t dropped = 0;
      begin_ = end_ = 0;
      for (;;) {
        auto [ec, n] = co_await discard_some();
        dropped += n;
        if (ec) {
          journal(EventKind::step, request, dropped, "stall", Duration{}, Clock::now() - anchor);
          co_return end_on_error(ec, request, dropped);
        }
      }
    }
    if (const auto* s = std::get_if<Close>(&step)) {
      if constexpr (tls) {
        if (s->close_notify) co_await stream_.close_notify();
      }
      close_graceful(stream_);
      co_return end(Ending::fin, tls && !s->close_notify ? "without close_notify" : "");
    }
    if (const auto* s = std::get_if<GracefulClose>(&step))
      co_return co_await graceful_close(*s, request);
    if (std::holds_alternative<Reset>(step)) {
      if (!co_await drain_output(request)) co_return false;
      close_abortive(stream_);
      co_return end(Ending::rst);
    }
    if (std::holds_alternative<HalfClose>(step)) {
      if constexpr (tls) co_await stream_.close_notify();
      shutdown_send(stream_);
      const Clock::time_point anchor = Clock::now();
      std::uint64_t dropped = 0;
      begin_ = end_ = 0;
      for (;;) {
        auto [ec, n] = co_await discard_some();
        dropped += n;
        if (ec) {
          if (kill_ != Kill::none) co_return end_on_error(ec, request, dropped);
          journal(ec == net::error::eof ? EventKind::peer_closed : EventKind::peer_reset, request,
                  dropped, "after half-close, " + format_elapsed(Clock::now() - anchor));
          close_as_exit(stream_);
          co_return end(Ending::half_close);
        }
      }
    }
    if (const auto* s = std::get_if<ServeRequests>(&step))
      co_return co_await serve_requests(s->count);
    if (is_tls_step(step)) co_return co_await run_tls_step(step, request);
    co_return true;
  }

  // ---- TLS -------------------------------------------------------------------------------
  // The TLS handshake, once per connection: a Handshake step, or before the first request.
  net::awaitable<bool> handshake(const Handshake& step, std::uint64_t request) {
    if constexpr (tls) {
      const Clock::time_point anchor = Clock::now();
      auto [ec, text] = co_await stream_.handshake(step);
      if (kill_ != Kill::none) co_return end_on_error(net::error::operation_aborted, request, 0);
      journal(EventKind::step, request, 0, text, Duration{}, Clock::now() - anchor);
      if (ec == net::error::eof || ec == net::error::connection_reset) {
        journal(ec == net::error::eof ? EventKind::peer_closed : EventKind::peer_reset, request, 0,
                "during the tls handshake");
        co_return end(ec == net::error::eof ? Ending::peer_closed : Ending::peer_reset);
      }
      if (ec) co_return end(Ending::error, text);
    }
    co_return true;
  }

  net::awaitable<bool> run_tls_step(const Step& step, std::uint64_t request) {
    if constexpr (!tls) {
      journal(EventKind::step, request, 0,
              std::string(step_name(step)) + ": skipped, not a TLS connection");
      co_return true;
    } else {
      if (std::holds_alternative<AwaitClientHello>(step)) {
        if (error_code ec = co_await stream_.await_client_hello())
          co_return end_on_error(ec, request, 0);
        journal(EventKind::step, request, 0, "client hello read");
        co_return true;
      }
      if (const auto* h = std::get_if<Handshake>(&step)) co_return co_await handshake(*h, request);
      if (std::holds_alternative<ServerHelloOnly>(step)) {
        auto [ec, bytes] = co_await stream_.server_hello_only();
        if (ec) co_return end_on_error(ec, request, bytes.size());
        journal(EventKind::wrote, request, bytes.size(), capped(bytes));
        journal(EventKind::step, request, bytes.size(), "server hello only");
        co_return true;
      }
      if (const auto* p = std::get_if<ProvokeAlert>(&step)) {
        const std::string what = co_await stream_.provoke_alert(p->cause);
        if (kill_ != Kill::none) co_return end_on_error(net::error::operation_aborted, request, 0);
        journal(EventKind::step, request, 0, "fatal alert provoked: " + what);
        co_return true;
      }
      if (std::holds_alternative<CorruptNextRecord>(step)) {
        stream_.corrupt_next_record();
        journal(EventKind::step, request, 0, "next record corrupted");
      }
      co_return true;
    }
  }

  // shutdown(SHUT_WR), drop what the peer sends until it closes or a bound passes, then close().
  // The journal says which ended it.
  net::awaitable<bool> graceful_close(const GracefulClose& g, std::uint64_t request) {
    using ops::close_graceful;
    using ops::shutdown_send;
    if constexpr (tls) co_await stream_.close_notify();
    shutdown_send(stream_);
    const Clock::time_point anchor = Clock::now();
    std::uint64_t dropped = 0;
    begin_ = end_ = 0;
    std::string how;
    while (how.empty()) {
      if (dropped >= g.max_bytes) {
        how = "byte bound (" + std::to_string(g.max_bytes) + " B) reached";
        break;
      }
      auto [ec, n, timed_out] = co_await discard_until(anchor + g.max_wait);
      dropped += n;
      if (kill_ != Kill::none) co_return end_on_error(net::error::operation_aborted, request, 0);
      if (timed_out)
        how = "time bound reached";
      else if (ec == net::error::eof)
        how = "peer closed";
      else if (ec)
        how = "peer reset";
    }
    journal(EventKind::step, request, dropped,
            "graceful_close: " + how + " after " + format_elapsed(Clock::now() - anchor) + ", " +
                std::to_string(dropped) + " B dropped",
            g.max_wait, Clock::now() - anchor);
    close_graceful(stream_);
    co_return end(Ending::graceful_close);
  }

  // One read whose bytes are dropped, or `deadline`, whichever comes first. The in-memory test
  // stream cannot cancel a read, so there the bound is not applied.
  net::awaitable<std::tuple<error_code, std::size_t, bool>> discard_until(
      Clock::time_point deadline) {
    if constexpr (std::is_same_v<Stream, tcp::socket> || tls) {
      using namespace net::experimental::awaitable_operators;
      thread_local std::array<char, initial_buffer> sink;
      timer_.expires_at(deadline);
      auto r = co_await (stream_.async_read_some(net::buffer(sink), nothrow) ||
                         timer_.async_wait(nothrow));
      if (r.index() == 1) co_return std::tuple{error_code{}, std::size_t{0}, true};
      auto [ec, n] = std::get<0>(r);
      if (!ec && n == 0) ec = net::error::eof;
      co_return std::tuple{ec, n, false};
    } else {
      auto [ec, n] = co_await discard_some();
      co_return std::tuple{ec, n, false};
    }
  }

  static std::string format_elapsed(Duration d) {
    return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + "ms";
  }

  Stream& stream_;
  net::steady_timer& timer_;
  std::shared_ptr<UpstreamState> state_;
  std::uint64_t conn_;
  const Kill& kill_;
  std::shared_ptr<const RuleSet> rules_;

  std::unique_ptr<char[]> buf_;
  std::size_t capacity_ = 0;
  std::size_t begin_ = 0, end_ = 0;
  std::uint64_t body_left_ = 0;
  std::optional<ChunkedBodyReader> chunked_;

  std::array<char, http_date_size> date_{};  // the Date value of the response being written
  std::size_t partial_write_ =
      0;  // bytes of a Write or Respond that run_now sent before it blocked
  bool implicit_read_done_ = false;     // run_now already read the request of a request script
  std::optional<std::string> foreign_;  // the run identity of a foreign request just read
  bool close_requested_ = false;
  bool ended_ = false;
  Ending ending_ = Ending::fin;
  std::string why_;
};

}  // namespace bgw::sim
