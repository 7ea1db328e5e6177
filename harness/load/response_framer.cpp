#include "response_framer.hpp"

#include <array>
#include <cstring>
#include <string_view>

namespace bgw::load {
namespace {

constexpr std::string_view kPrefix = "HTTP/";
// Larger declared lengths are treated as garbage rather than risking overflow in arithmetic.
constexpr std::uint64_t kMaxLength = std::uint64_t{1} << 60;

constexpr bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

constexpr char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c;
}

// `canonical` is how servers almost always spell it ("Content-Length"): one memcmp then.
bool iequals(std::string_view a, std::string_view lower_b, std::string_view canonical = {}) {
  if (a.size() != lower_b.size()) return false;
  if (!canonical.empty() && std::memcmp(a.data(), canonical.data(), a.size()) == 0) return true;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower_b[i]) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A Content-Length value: one number, or a list of identical numbers ("5, 5"), which RFC 9110
// lets a recipient accept. Anything else (empty, sign, letters, differing values) is invalid.
bool parse_length(std::string_view v, std::uint64_t& out) {
  bool any = false;
  std::uint64_t first = 0;
  while (true) {
    v = trim(v);
    std::uint64_t n = 0;
    std::size_t digits = 0;
    while (digits < v.size() && is_digit(v[digits])) {
      n = n * 10 + static_cast<std::uint64_t>(v[digits] - '0');
      if (n > kMaxLength) return false;
      ++digits;
    }
    if (digits == 0) return false;
    if (any && n != first) return false;
    first = n;
    any = true;
    v = trim(v.substr(digits));
    if (v.empty()) break;
    if (v.front() != ',') return false;
    v.remove_prefix(1);
  }
  out = first;
  return true;
}

// Calls f(token) for each comma-separated, trimmed, non-empty token.
template <class F>
void for_each_token(std::string_view v, F&& f) {
  while (!v.empty()) {
    const std::size_t comma = v.find(',');
    const std::string_view token = trim(v.substr(0, comma));
    if (!token.empty()) f(token);
    if (comma == std::string_view::npos) break;
    v.remove_prefix(comma + 1);
  }
}

// Bytes that may appear in a header name: anything but whitespace, control bytes and the
// colon. Whitespace before the colon makes a response invalid, as RFC 9112 requires of a
// recipient; the stricter token rule is not checked (browsers do not either).
constexpr std::array<bool, 256> kNameByte = [] {
  std::array<bool, 256> t{};
  for (int c = 0x21; c < 0x7f; ++c) t[static_cast<std::size_t>(c)] = c != ':';
  for (int c = 0x80; c < 0x100; ++c) t[static_cast<std::size_t>(c)] = true;
  return t;
}();

}  // namespace

void ResponseFramer::start(bool head_request) noexcept {
  // Field by field: the chunked decoder is set up only when a chunked body starts (assigning a
  // whole fresh framer measured ~12 ns more per response).
  state_ = State::need_more;
  phase_ = Phase::status_line;
  head_request_ = head_request;
  http11_ = true;
  keep_alive_ = false;
  has_length_ = false;
  has_te_ = false;
  chunked_ = false;
  close_token_ = false;
  keep_alive_token_ = false;
  status_ = 0;
  length_ = 0;
  head_bytes_ = 0;
}

void ResponseFramer::fail() noexcept {
  state_ = State::invalid;
  keep_alive_ = false;
}

std::size_t ResponseFramer::feed(const char* data, std::size_t size) noexcept {
  std::size_t pos = 0;
  while (pos < size && state_ == State::need_more) {
    switch (phase_) {
      case Phase::status_line:
      case Phase::fields: {
        const char* at = data + pos;
        const std::size_t avail = size - pos;
        if (phase_ == Phase::status_line && at[0] != '\r' && at[0] != '\n') {
          // Garbage shows in the first bytes; do not wait for a line end that may never come.
          const std::size_t n = avail < kPrefix.size() ? avail : kPrefix.size();
          if (std::memcmp(at, kPrefix.data(), n) != 0) {
            fail();
            return pos;
          }
        }
        const void* nl = std::memchr(at, '\n', avail);
        if (nl == nullptr) {
          if (avail >= max_line || head_bytes_ + avail > max_head) fail();
          return pos;
        }
        const std::size_t line_len = static_cast<std::size_t>(static_cast<const char*>(nl) - at);
        pos += line_len + 1;
        head_bytes_ += line_len + 1;
        if (line_len >= max_line || head_bytes_ > max_head) {
          fail();
          return pos;
        }
        const std::size_t n = line_len > 0 && at[line_len - 1] == '\r' ? line_len - 1 : line_len;
        if (phase_ == Phase::status_line) {
          if (n == 0) continue;  // stray empty lines before a status line are tolerated
          if (!on_status_line(at, n)) {
            fail();
            return pos;
          }
          phase_ = Phase::fields;
        } else if (n == 0) {
          on_end_of_head();
        } else if (!on_field(at, n)) {
          fail();
          return pos;
        }
        break;
      }
      case Phase::body_length: {
        const std::size_t avail = size - pos;
        const std::size_t n = length_ < avail ? static_cast<std::size_t>(length_) : avail;
        pos += n;
        length_ -= n;
        if (length_ == 0) {
          phase_ = Phase::done;
          state_ = State::complete;
        }
        break;
      }
      case Phase::until_close:
        pos = size;
        break;
      case Phase::done:
        state_ = State::complete;
        break;
      case Phase::chunked: {
        pos += chunks_.feed(std::string_view(data + pos, size - pos));
        if (chunks_.failed()) {
          fail();
        } else if (chunks_.done()) {
          phase_ = Phase::done;
          state_ = State::complete;
        }
        break;
      }
    }
  }
  return pos;
}

bool ResponseFramer::on_status_line(const char* p, std::size_t n) noexcept {
  // HTTP/1.x SP 3DIGIT [SP reason]
  if (n < 12 || std::memcmp(p, "HTTP/1.", 7) != 0 || !is_digit(p[7]) || p[8] != ' ') return false;
  if (!is_digit(p[9]) || !is_digit(p[10]) || !is_digit(p[11])) return false;
  if (n > 12 && p[12] != ' ') return false;
  const int code = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
  if (code < 100) return false;
  http11_ = p[7] != '0';
  status_ = code;
  return true;
}

bool ResponseFramer::on_field(const char* p, std::size_t n) noexcept {
  if (p[0] == ' ' || p[0] == '\t') return true;  // obs-fold: a continuation
  // One pass finds the colon and checks the name; only the three framing headers go further.
  std::size_t colon = 0;
  while (colon < n && kNameByte[static_cast<unsigned char>(p[colon])]) ++colon;
  if (colon == 0 || colon == n || p[colon] != ':') return false;
  const std::string_view name(p, colon);
  const auto value = [&] { return trim(std::string_view(p + colon + 1, n - colon - 1)); };
  switch (colon) {
    case 14:
      if (iequals(name, "content-length", "Content-Length")) {
        std::uint64_t v = 0;
        if (!parse_length(value(), v)) return false;
        if (has_length_ && v != length_) return false;
        has_length_ = true;
        length_ = v;
      }
      break;
    case 17:
      if (iequals(name, "transfer-encoding", "Transfer-Encoding")) {
        // The last coding decides: chunked frames the body, anything else runs until close.
        has_te_ = true;
        chunked_ = false;
        for_each_token(value(),
                       [&](std::string_view t) { chunked_ = iequals(t, "chunked", "chunked"); });
      }
      break;
    case 10:
      if (iequals(name, "connection", "Connection")) {
        for_each_token(value(), [&](std::string_view t) {
          if (iequals(t, "close", "close")) close_token_ = true;
          if (iequals(t, "keep-alive", "keep-alive")) keep_alive_token_ = true;
        });
      }
      break;
    default:
      break;
  }
  return true;
}

void ResponseFramer::on_end_of_head() noexcept {
  if (status_ < 200 && status_ != 101) {
    // Interim response (100 Continue, 103 Early Hints): the final one follows.
    const bool head = head_request_;
    const std::size_t seen = head_bytes_;
    start(head);
    head_bytes_ = seen;
    return;
  }
  keep_alive_ = http11_ ? !close_token_ : keep_alive_token_ && !close_token_;
  if (status_ == 101) {
    // Switching protocols: the rest is not HTTP/1; the response ends here and so does reuse.
    keep_alive_ = false;
    phase_ = Phase::done;
  } else if (head_request_ || status_ == 204 || status_ == 304) {
    phase_ = Phase::done;
  } else if (has_te_) {
    // Transfer-Encoding overrides Content-Length (RFC 9112 6.3); such a connection is not
    // reused, since the two framings disagreeing is how response splitting starts.
    if (has_length_) keep_alive_ = false;
    if (chunked_) {
      phase_ = Phase::chunked;
      // The line limits the header section has, and no size arithmetic can overflow.
      chunks_ = wire::ChunkedDecoder({kMaxLength, max_line - 1});
    } else {
      phase_ = Phase::until_close;
      keep_alive_ = false;
    }
  } else if (has_length_) {
    phase_ = length_ == 0 ? Phase::done : Phase::body_length;
  } else {
    phase_ = Phase::until_close;
    keep_alive_ = false;
  }
  if (phase_ == Phase::done) state_ = State::complete;
}

bool ResponseFramer::finish_at_eof() noexcept {
  if (state_ == State::need_more && phase_ == Phase::until_close) {
    phase_ = Phase::done;
    state_ = State::complete;
    return true;
  }
  return state_ == State::complete;
}

}  // namespace bgw::load
