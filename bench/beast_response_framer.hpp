// The load generator's response framer rebuilt on Beast's parser, behind the same interface as
// harness/load/ResponseFramer, so the two can be measured side by side (response_framer_bench.cpp
// and `badgateway load` with BGW_LOAD_FRAMER=beast is not offered: the candidate lives here only).
// A basic_parser whose callbacks keep nothing: no field is stored, body bytes are counted and
// discarded. Kept in bench/ as the measured alternative; see docs/performance.md.
#pragma once

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>

#include "harness/load/response_framer.hpp"

namespace bgw::bench {

class BeastResponseFramer {
 public:
  using State = load::ResponseFramer::State;
  static constexpr std::size_t max_head = load::ResponseFramer::max_head;

  void start(bool head_request = false) noexcept {
    head_request_ = head_request;
    state_ = State::need_more;
    status_ = 0;
    keep_alive_ = false;
    head_bytes_ = 0;
    reset_parser();
  }

  // Beast parses a head only once it is whole: until then nothing is consumed, and the caller
  // keeps the partial head (up to max_head) in its buffer.
  std::size_t feed(const char* data, std::size_t size) noexcept {
    std::size_t pos = 0;
    while (state_ == State::need_more && pos < size) {
      if (!parser_->got_some() && !prefix_ok(data + pos, size - pos)) return fail(pos);
      boost::beast::error_code ec;
      const std::size_t n = parser_->put(boost::asio::const_buffer(data + pos, size - pos), ec);
      pos += n;
      if (!parser_->is_header_done()) head_bytes_ += n;
      if (ec == boost::beast::http::error::need_more) {
        if (size - pos > max_head) return fail(pos);
        return pos;
      }
      if (ec) return fail(pos);
      if (parser_->is_done()) {
        status_ = parser_->status;
        if (status_ < 200 && status_ != 101) {  // interim: the final response follows
          reset_parser();
          continue;
        }
        keep_alive_ = status_ != 101 && parser_->keep_alive();
        state_ = State::complete;
      }
    }
    return pos;
  }

  bool finish_at_eof() noexcept {
    if (state_ == State::need_more && parser_->is_header_done()) {
      boost::beast::error_code ec;
      parser_->put_eof(ec);
      if (!ec && parser_->is_done()) {
        state_ = State::complete;
        keep_alive_ = false;
        return true;
      }
    }
    return state_ == State::complete;
  }

  State state() const noexcept { return state_; }
  int status() const noexcept { return parser_ && parser_->status ? parser_->status : status_; }
  bool keep_alive() const noexcept { return keep_alive_; }

 private:
  // Keeps the status, drops fields, counts and discards the body.
  struct Parser final : boost::beast::http::basic_parser<false> {
    // User-provided: clang does not see a nested class with member initialisers as default-
    // constructible until the enclosing class is complete, which optional::emplace asks.
    Parser() noexcept {}
    int status = 0;
    using error_code = boost::beast::error_code;
    using string_view = boost::beast::string_view;
    void on_request_impl(boost::beast::http::verb, string_view, string_view, int,
                         error_code&) override {}
    void on_response_impl(int code, string_view, int, error_code&) override { status = code; }
    void on_field_impl(boost::beast::http::field, string_view, string_view, error_code&) override {}
    void on_header_impl(error_code&) override {}
    void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}
    std::size_t on_body_impl(string_view body, error_code&) override { return body.size(); }
    void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
    std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code&) override {
      return body.size();
    }
    void on_finish_impl(error_code&) override {}
  };

  // Garbage shows in the first bytes; do not wait for a head end that may never come.
  static bool prefix_ok(const char* p, std::size_t n) noexcept {
    while (n > 0 && (*p == '\r' || *p == '\n')) ++p, --n;
    return std::memcmp(p, "HTTP/", n < 5 ? n : 5) == 0;
  }

  void reset_parser() noexcept {
    parser_.emplace();
    parser_->eager(true);
    parser_->skip(head_request_);
    parser_->header_limit(static_cast<std::uint32_t>(max_head));
    parser_->body_limit(boost::none);
  }

  std::size_t fail(std::size_t pos) noexcept {
    state_ = State::invalid;
    keep_alive_ = false;
    return pos;
  }

  std::optional<Parser> parser_;
  State state_ = State::need_more;
  bool head_request_ = false;
  bool keep_alive_ = false;
  int status_ = 0;
  std::size_t head_bytes_ = 0;
};

}  // namespace bgw::bench
