// The proxy: one io_context on one thread, one coroutine per client connection, a new upstream
// connection per request. Every wait has a deadline (before()), every peer failure is a value,
// and a failure after the response head went out is made visible to the client by closing its
// connection with the body's framing unfinished (RFC 9112 §8), never by a clean end.
#include <signal.h>

#include <algorithm>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/signal_set.hpp>
#include <cctype>
#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>
#include <tuple>
#include <variant>
#include <vector>

#include "mini_proxy.hpp"
#include "simulator/net.hpp"
#include "simulator/request_framer.hpp"
#include "simulator/socket_ops.hpp"

namespace bgw::mini {
namespace {

namespace net = sim::net;
using sim::error_code;
using sim::nothrow;
using sim::tcp;
using Clock = std::chrono::steady_clock;
using namespace net::experimental::awaitable_operators;

constexpr std::size_t kMaxHead = 64 * 1024;               // request and response heads
constexpr std::size_t kMaxFields = 100;                   // header lines per head
constexpr std::size_t kMaxRequestBody = 8 * 1024 * 1024;  // request bodies are buffered whole
constexpr std::size_t kReadSize = 16 * 1024;

// ---- I/O with deadlines ----------------------------------------------------------------------

// Races `op` against a timer; on expiry the operation is cancelled and reported as timed_out.
// The parallel group waits for the cancelled operation to finish, so buffers are free again.
template <class... T>
net::awaitable<std::tuple<error_code, T...>> before(
    Clock::time_point deadline, net::awaitable<std::tuple<error_code, T...>> op) {
  net::steady_timer timer(co_await net::this_coro::executor, deadline);
  auto r = co_await (std::move(op) || timer.async_wait(nothrow));
  if (r.index() == 0) co_return std::get<0>(std::move(r));
  co_return std::tuple<error_code, T...>{net::error::timed_out, T{}...};
}

// Appends the next read to `buf`. An error (eof, reset, timed_out) only when no byte came.
net::awaitable<error_code> read_more(tcp::socket& s, std::string& buf, Clock::time_point deadline) {
  const std::size_t old = buf.size();
  buf.resize(old + kReadSize);
  auto [ec, n] = co_await before(
      deadline, s.async_read_some(net::buffer(buf.data() + old, kReadSize), nothrow));
  buf.resize(old + n);
  if (n > 0) co_return error_code{};
  co_return ec ? ec : error_code(net::error::eof);
}

net::awaitable<error_code> write_all(tcp::socket& s, std::string_view data,
                                     Clock::time_point deadline) {
  auto [ec, n] = co_await before(deadline, net::async_write(s, net::buffer(data), nothrow));
  co_return ec;
}

// ---- HTTP/1.1 syntax (pure) ------------------------------------------------------------------

bool iequal(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// RFC 9110 §5.6.2 token.
bool is_token(std::string_view s) {
  constexpr std::string_view specials = "!#$%&'*+-.^_`|~";
  return !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           specials.find(c) != std::string_view::npos;
  });
}

// Calls f(element) for each non-empty element of a comma-separated list.
template <class F>
void for_each_element(std::string_view list, F&& f) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    if (const auto e = trim_ows(list.substr(0, comma)); !e.empty()) f(e);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

struct Field {
  std::string_view name, value;
};

struct Head {
  std::string_view start;  ///< request line or status line, without its line ending
  std::vector<Field> fields;
  const char* error = nullptr;
};

// Strict parse of a complete head (as delimited by find_head_end). Rejects what RFC 9110 §5.5
// and RFC 9112 §2.2, §5 call invalid: NUL, bare CR, obs-fold, a line without a colon, a name
// that is not a token. Whitespace before the colon is removed in responses (RFC 9112 §5.1: a
// proxy MUST) and rejected in requests (a server MUST). Bare LF line endings are accepted.
Head parse_head(std::string_view head, bool response) {
  Head h;
  bool first = true;
  for (std::size_t pos = 0; pos < head.size();) {
    auto eol = head.find('\n', pos);
    if (eol == std::string_view::npos) eol = head.size();
    std::string_view line = head.substr(pos, eol - pos);
    pos = eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find('\r') != std::string_view::npos) return h.error = "bare CR", h;
    if (line.find('\0') != std::string_view::npos) return h.error = "NUL byte", h;
    if (first) {
      h.start = line;
      first = false;
      continue;
    }
    if (line.empty()) break;
    if (line.front() == ' ' || line.front() == '\t') return h.error = "obs-fold", h;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return h.error = "header line without a colon", h;
    std::string_view name = line.substr(0, colon);
    if (response) {
      while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    }
    if (!is_token(name)) return h.error = "invalid header name", h;
    if (h.fields.size() == kMaxFields) return h.error = "more than 100 header lines", h;
    h.fields.push_back({name, trim_ows(line.substr(colon + 1))});
  }
  return h;
}

struct Framing {
  bool has_length = false;
  std::uint64_t length = 0;
  bool chunked = false;
  const char* error = nullptr;
};

// RFC 9112 §6.3: every Content-Length value (repeated fields or a list) must be the same valid
// number; chunked is the only transfer coding we undo; CL together with TE is refused, as the
// safe reading of "ought to be handled as an error" (a request smuggling vector).
Framing framing_of(const std::vector<Field>& fields) {
  Framing f;
  bool te = false;
  int chunked = 0, other = 0;
  for (const Field& field : fields) {
    if (iequal(field.name, "Content-Length")) {
      bool any = false;
      for_each_element(field.value, [&](std::string_view v) {
        any = true;
        std::uint64_t n = 0;
        const bool digits = v.size() <= 18 && std::all_of(v.begin(), v.end(), [](char c) {
                              return c >= '0' && c <= '9';
                            });
        for (const char c : v) n = n * 10 + static_cast<std::uint64_t>(c - '0');
        if (!digits)
          f.error = "invalid Content-Length";
        else if (f.has_length && n != f.length)
          f.error = "conflicting Content-Length";
        f.has_length = true;
        f.length = n;
      });
      if (!any) f.error = "empty Content-Length";
    } else if (iequal(field.name, "Transfer-Encoding")) {
      te = true;
      for_each_element(field.value,
                       [&](std::string_view v) { (iequal(v, "chunked") ? chunked : other) += 1; });
    }
  }
  if (f.error) return f;
  if (te && (chunked != 1 || other != 0))
    f.error = "unsupported Transfer-Encoding";
  else if (te && f.has_length)
    f.error = "Content-Length together with Transfer-Encoding";
  f.chunked = te;
  return f;
}

// "HTTP/1.x SP 3DIGIT [SP reason]" with a code in 100..599 (RFC 9112 §4, RFC 9110 §15).
// Returns 0 when the line is invalid.
int parse_status_line(std::string_view line, std::string_view& reason, bool& http10) {
  const auto digit = [&](std::size_t i) { return line[i] >= '0' && line[i] <= '9'; };
  if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." || !digit(7) || line[8] != ' ' ||
      !digit(9) || !digit(10) || !digit(11) || (line.size() > 12 && line[12] != ' '))
    return 0;
  const int code = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  if (code < 100 || code > 599) return 0;
  reason = line.size() > 12 ? line.substr(13) : std::string_view{};
  http10 = line[7] == '0';
  return code;
}

// Hop-by-hop fields (RFC 9110 §7.6.1) and the framing fields we regenerate ourselves.
std::vector<std::string> connection_options(const std::vector<Field>& fields) {
  std::vector<std::string> out;
  for (const Field& f : fields) {
    if (iequal(f.name, "Connection"))
      for_each_element(f.value, [&](std::string_view v) { out.push_back(lower(v)); });
  }
  return out;
}

bool dropped(std::string_view name, const std::vector<std::string>& options) {
  static constexpr std::string_view always[] = {"connection",        "keep-alive", "te",
                                                "transfer-encoding", "upgrade",    "trailer",
                                                "content-length"};
  const std::string n = lower(name);
  return std::find(std::begin(always), std::end(always), n) != std::end(always) ||
         n.starts_with("proxy-") || std::find(options.begin(), options.end(), n) != options.end();
}

// Decodes a chunked body incrementally, appending the payload to `out`. Chunk extensions and
// trailers are dropped: we re-chunk for the client and forward no trailers. (The simulator's
// ChunkedBodyReader only counts payload bytes; we need them.)
class ChunkDecoder {
 public:
  std::size_t feed(std::string_view in, std::string& out) {
    std::size_t i = 0;
    while (i < in.size() && state_ != State::done && state_ != State::failed) {
      const char c = in[i];
      switch (state_) {
        case State::size:
          if (const int d = hex(c); d >= 0) {
            if (++digits_ > 15) return fail(i);  // RFC 9112 §7.1: no conversion overflow
            remaining_ = remaining_ * 16 + static_cast<std::uint64_t>(d);
          } else if (digits_ == 0) {
            return fail(i);
          } else if (c == ';' || c == ' ' || c == '\t') {
            state_ = State::ext;
          } else if (c == '\r') {
            state_ = State::size_lf;
          } else if (c == '\n') {
            end_size_line();
          } else {
            return fail(i);
          }
          ++i;
          break;
        case State::ext:
          if (c == '\r') state_ = State::size_lf;
          if (c == '\n') end_size_line();
          ++i;
          break;
        case State::size_lf:
          if (c != '\n') return fail(i);
          end_size_line();
          ++i;
          break;
        case State::data: {
          const auto n =
              static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, in.size() - i));
          out.append(in.data() + i, n);
          remaining_ -= n;
          i += n;
          if (remaining_ == 0) state_ = State::data_cr;
          break;
        }
        case State::data_cr:
          if (c != '\r' && c != '\n') return fail(i);
          state_ = c == '\r' ? State::data_lf : State::size;
          digits_ = 0;
          ++i;
          break;
        case State::data_lf:
          if (c != '\n') return fail(i);
          state_ = State::size;
          ++i;
          break;
        case State::trailer:
          if (++trailer_bytes_ > kMaxHead) return fail(i);
          if (c == '\n') {
            if (line_ == 0) state_ = State::done;
            line_ = 0;
          } else if (c != '\r') {
            ++line_;
          }
          ++i;
          break;
        case State::done:
        case State::failed:
          break;
      }
    }
    return i;
  }
  bool done() const { return state_ == State::done; }
  bool failed() const { return state_ == State::failed; }

 private:
  enum class State : std::uint8_t {
    size,
    ext,
    size_lf,
    data,
    data_cr,
    data_lf,
    trailer,
    done,
    failed
  };
  static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
  std::size_t fail(std::size_t at) {
    state_ = State::failed;
    return at;
  }
  void end_size_line() { state_ = remaining_ == 0 ? State::trailer : State::data; }

  State state_ = State::size;
  std::uint64_t remaining_ = 0;
  int digits_ = 0;
  std::size_t line_ = 0;
  std::size_t trailer_bytes_ = 0;
};

std::string chunk(std::string_view payload) {
  char size[20];
  std::snprintf(size, sizeof size, "%zx\r\n", payload.size());
  return std::string(size) + std::string(payload) + "\r\n";
}

// The statuses the proxy generates itself.
const char* reason_of(int status) {
  return status == 400   ? "Bad Request"
         : status == 413 ? "Content Too Large"
         : status == 431 ? "Request Header Fields Too Large"
         : status == 502 ? "Bad Gateway"
                         : "Gateway Timeout";
}

// Persistence said explicitly: HTTP/1.0 clients assume close unless told keep-alive.
std::string connection_field(bool keep, bool http10) {
  return !keep ? "Connection: close\r\n" : http10 ? "Connection: keep-alive\r\n" : "";
}

// A small, complete error response. No body for HEAD (RFC 9110 §9.3.2), the length still says
// what a GET would have received.
std::string error_response(int status, const std::string& why, const std::string& connection,
                           bool head_method) {
  const std::string body = std::to_string(status) + " " + reason_of(status) + ": " + why + "\n";
  return "HTTP/1.1 " + std::to_string(status) + " " + reason_of(status) +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nContent-Type: text/plain\r\n" +
         connection + "\r\n" + (head_method ? "" : body);
}

// ---- the proxy -------------------------------------------------------------------------------

struct Proxy {
  const Config& cfg;
  std::ofstream* log;  ///< null without `log =`
};

// Views in `line` and `parsed` point into `head`: a Request is filled in place, never moved.
struct Request {
  std::string head;
  sim::RequestHead line;
  Head parsed;
  bool http10 = false;
  bool framed_body = false;  ///< the client sent Content-Length or chunked: send a length
  std::string body;          ///< de-chunked
};

enum class Read : std::uint8_t { ok, gone, rejected };

struct Failure {
  int status = 502;
  std::string why;
  bool retryable = false;
};

struct UpstreamResponse {
  int status = 0;
  std::string reason;
  std::string fields;  ///< the forwarded field lines, CRLF-terminated
  Framing framing;
  bool no_body = false;
  std::string buf;  ///< body bytes that arrived with the head
};

struct Outcome {
  int status = 0;
  std::uint64_t body_bytes = 0;
  std::string result = "ok";
  std::string upstream = "-";
  bool keep = false;  ///< the client connection may serve another request
};

void write_log(Proxy& p, const std::string& peer, const Request& rq, const Outcome& o,
               Clock::time_point start) {
  if (p.log == nullptr) return;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  *p.log << peer << " \"" << rq.line.request_line << "\" " << o.status << " " << o.body_bytes
         << " upstream=" << o.upstream << " " << ms.count() << "ms " << o.result << std::endl;
}

net::awaitable<Read> reject(tcp::socket& client, int status, const std::string& why) {
  co_await write_all(client, error_response(status, why, connection_field(false, false), false),
                     Clock::now() + std::chrono::seconds(1));
  co_return Read::rejected;
}

net::awaitable<Read> read_request(Proxy& p, tcp::socket& client, std::string& in, Request& rq) {
  const auto idle_deadline = Clock::now() + p.cfg.client_timeout;
  std::size_t end = 0;
  for (;;) {
    // RFC 9112 §2.2: ignore empty lines before a request line.
    in.erase(0, std::min(in.find_first_not_of("\r\n"), in.size()));
    if ((end = sim::find_head_end(in)) != 0) break;
    if (in.size() > kMaxHead) co_return co_await reject(client, 431, "request head too large");
    if (co_await read_more(client, in, idle_deadline)) co_return Read::gone;
  }
  if (end > kMaxHead) co_return co_await reject(client, 431, "request head too large");
  rq.head = in.substr(0, end);
  in.erase(0, end);
  rq.line = sim::parse_request_head(rq.head);
  rq.parsed = parse_head(rq.head, false);
  const std::string_view rl = rq.line.request_line;
  const std::string_view version = rl.substr(rl.rfind(' ') + 1);
  rq.http10 = version == "HTTP/1.0";
  if (rq.parsed.error) co_return co_await reject(client, 400, rq.parsed.error);
  if (!rq.line.valid || std::count(rl.begin(), rl.end(), ' ') != 2 || !is_token(rq.line.method) ||
      rq.line.target.empty() || (version != "HTTP/1.1" && !rq.http10))
    co_return co_await reject(client, 400, "invalid request line");
  const auto hosts = std::count_if(rq.parsed.fields.begin(), rq.parsed.fields.end(),
                                   [](const Field& f) { return iequal(f.name, "Host"); });
  if (hosts > 1 || (hosts == 0 && !rq.http10))  // RFC 9112 §3.2
    co_return co_await reject(client, 400, "missing or repeated Host");
  const Framing f = framing_of(rq.parsed.fields);
  if (f.error) co_return co_await reject(client, 400, f.error);
  rq.framed_body = f.has_length || f.chunked;
  if (!rq.framed_body) co_return Read::ok;

  // The body is buffered whole, so a retry can resend it. A client that sent Expect:
  // 100-continue waits for our go-ahead; we answer it ourselves and drop the field upstream.
  bool expect = std::any_of(rq.parsed.fields.begin(), rq.parsed.fields.end(), [](const Field& x) {
    return iequal(x.name, "Expect") && iequal(x.value, "100-continue");
  });
  if (f.has_length && f.length > kMaxRequestBody)
    co_return co_await reject(client, 413, "request body too large");
  ChunkDecoder dec;
  for (;;) {
    if (f.chunked) {
      in.erase(0, dec.feed(in, rq.body));
      if (dec.failed()) co_return co_await reject(client, 400, "invalid chunked request body");
      if (dec.done()) break;
      if (rq.body.size() > kMaxRequestBody)
        co_return co_await reject(client, 413, "request body too large");
    } else if (in.size() >= f.length) {
      rq.body = in.substr(0, f.length);
      in.erase(0, f.length);
      break;
    }
    if (std::exchange(expect, false) && in.empty()) {
      const auto deadline = Clock::now() + p.cfg.client_timeout;
      if (co_await write_all(client, "HTTP/1.1 100 Continue\r\n\r\n", deadline))
        co_return Read::gone;
    }
    if (co_await read_more(client, in, Clock::now() + p.cfg.client_timeout)) co_return Read::gone;
  }
  co_return Read::ok;
}

std::string upstream_request(const Request& rq, const Server& s) {
  std::string out;
  out.reserve(rq.head.size() + 128 + rq.body.size());
  out.append(rq.line.method).append(" ").append(rq.line.target).append(" HTTP/1.1\r\n");
  const auto options = connection_options(rq.parsed.fields);
  bool host = false;
  for (const Field& f : rq.parsed.fields) {
    host = host || iequal(f.name, "Host");
    if (dropped(f.name, options) || iequal(f.name, "Expect")) continue;
    out.append(f.name).append(": ").append(f.value).append("\r\n");
  }
  if (!host) out += "Host: " + s.text + "\r\n";  // an HTTP/1.0 client may omit it
  out += "Via: 1.1 bgw-mini-proxy\r\n";          // RFC 9110 §7.6.3: a gateway MUST add it
  if (rq.framed_body) out += "Content-Length: " + std::to_string(rq.body.size()) + "\r\n";
  out += "Connection: close\r\n\r\n";  // one upstream connection per request: no pooling
  return out + rq.body;
}

bool idempotent(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "TRACE" ||
         method == "PUT" || method == "DELETE";
}

// Connect, send the request, read a valid final response head. Failures before any response
// byte are retryable: always for a connect failure (the server never saw the request), and for
// idempotent methods only once the request may have reached it (RFC 9110 §9.2.2).
net::awaitable<std::variant<UpstreamResponse, Failure>> fetch_head(Proxy& p, tcp::socket& up,
                                                                   const Server& s,
                                                                   const Request& rq) {
  const bool may_retry = idempotent(rq.line.method);
  error_code ec;
  const auto addr = net::ip::make_address(s.address, ec);  // validated by load_config
  up.open(addr.is_v6() ? tcp::v6() : tcp::v4(), ec);
  if (ec) co_return Failure{502, "socket: " + ec.message(), true};
  auto [cec] = co_await before(Clock::now() + p.cfg.connect_timeout,
                               up.async_connect(tcp::endpoint(addr, s.port), nothrow));
  if (cec == net::error::timed_out) co_return Failure{504, "connect timeout", true};
  if (cec) co_return Failure{502, "connect: " + cec.message(), true};
  sim::ops::set_no_delay(up);
  const std::string request = upstream_request(rq, s);
  if (auto wec = co_await write_all(up, request, Clock::now() + p.cfg.read_timeout))
    co_return Failure{wec == net::error::timed_out ? 504 : 502, "send: " + wec.message(),
                      may_retry};

  // read_timeout bounds the whole head, counted from the end of the send (as nginx does in
  // practice): an upstream dripping one byte per interval cannot hold the request forever.
  const auto deadline = Clock::now() + p.cfg.read_timeout;
  std::string buf;
  bool any_byte = false;
  for (;;) {
    std::size_t end = 0;
    while ((end = sim::find_head_end(buf)) == 0) {
      if (buf.size() > kMaxHead) co_return Failure{502, "response head larger than 64 KiB"};
      if (auto rec = co_await read_more(up, buf, deadline)) {
        const bool nothing = !any_byte && buf.empty();
        const std::string where = nothing ? "before any response byte" : "inside the response head";
        if (rec == net::error::timed_out)
          co_return Failure{504, "read timeout " + where, nothing && may_retry};
        co_return Failure{502, "upstream " + rec.message() + " " + where, nothing && may_retry};
      }
    }
    any_byte = true;
    if (end > kMaxHead) co_return Failure{502, "response head larger than 64 KiB"};
    const Head h = parse_head(std::string_view(buf).substr(0, end), true);
    if (h.error) co_return Failure{502, std::string("invalid response head: ") + h.error};
    std::string_view reason;
    bool http10 = false;
    const int status = parse_status_line(h.start, reason, http10);
    if (status == 0) co_return Failure{502, "invalid status line"};
    if (status == 101)
      co_return Failure{502, "101 Switching Protocols (upgrades are not forwarded)"};
    if (status < 200) {  // interim response: the final one follows (RFC 9110 §15.2)
      buf.erase(0, end);
      continue;
    }
    UpstreamResponse r;
    r.framing = framing_of(h.fields);
    if (r.framing.error) co_return Failure{502, r.framing.error};
    if (http10 && r.framing.chunked)  // RFC 9112 §6.1: faulty framing
      co_return Failure{502, "Transfer-Encoding in an HTTP/1.0 response"};
    r.status = status;
    r.reason = std::string(reason);
    const auto options = connection_options(h.fields);
    for (const Field& f : h.fields) {
      if (!dropped(f.name, options))
        r.fields.append(f.name).append(": ").append(f.value).append("\r\n");
    }
    r.no_body = rq.line.method == "HEAD" || status == 204 || status == 304;
    r.buf = buf.substr(end);
    co_return r;
  }
}

// Sends the response head and relays the body. On an upstream failure mid-body it returns with
// keep = false and the framing unfinished (no last chunk, Content-Length short): the caller
// closes the client connection, so the truncation is detectable.
net::awaitable<Outcome> relay(Proxy& p, tcp::socket& client, tcp::socket& up, const Request& rq,
                              UpstreamResponse& r) {
  enum class Out : std::uint8_t { none, length, chunked, until_close };
  const Framing& f = r.framing;
  const Out out = r.no_body      ? Out::none
                  : f.has_length ? Out::length
                  : !rq.http10   ? Out::chunked     // upstream chunked or close-delimited
                                 : Out::until_close;  // HTTP/1.0 clients cannot take chunked
  Outcome o;
  o.status = r.status;
  o.keep = !rq.line.close && out != Out::until_close;
  std::string head = "HTTP/1.1 " + std::to_string(r.status) + " " + r.reason + "\r\n" + r.fields;
  if (f.has_length && r.status != 204)
    head += "Content-Length: " + std::to_string(f.length) + "\r\n";
  if (out == Out::chunked) head += "Transfer-Encoding: chunked\r\n";
  head += connection_field(o.keep, rq.http10);
  head += "\r\n";
  const auto client_deadline = [&] { return Clock::now() + p.cfg.client_timeout; };
  const auto fail = [&](std::string why) {
    o.keep = false;
    o.result = "truncated: " + why;
    return o;
  };
  if (co_await write_all(client, head, client_deadline())) co_return fail("client write failed");
  if (out == Out::none) co_return o;

  std::string& buf = r.buf;
  if (out == Out::length) {
    std::uint64_t left = f.length;
    for (;;) {
      const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(left, buf.size()));
      if (take > 0) {
        if (co_await write_all(client, std::string_view(buf).substr(0, take), client_deadline()))
          co_return fail("client write failed");
      }
      left -= take;
      o.body_bytes += take;
      buf.clear();  // bytes past the Content-Length are not part of this response
      if (left == 0) co_return o;
      if (auto ec = co_await read_more(up, buf, Clock::now() + p.cfg.read_timeout))
        co_return fail("upstream " + ec.message() + " with " + std::to_string(left) +
                       " body bytes missing");
    }
  }

  ChunkDecoder dec;
  std::string payload;
  for (;;) {
    bool finished = false;
    if (f.chunked) {
      buf.erase(0, dec.feed(buf, payload));
      if (dec.failed()) co_return fail("invalid chunk framing from upstream");
      finished = dec.done();
    } else {
      payload += buf;
      buf.clear();
    }
    if (!payload.empty()) {
      // Named, not a ?: temporary inside the co_await: GCC 12 mis-destroys such temporaries in
      // coroutine frames (ASan: free of a pointer into the frame).
      const std::string piece = out == Out::chunked ? chunk(payload) : payload;
      if (co_await write_all(client, piece, client_deadline()))
        co_return fail("client write failed");
      o.body_bytes += payload.size();
      payload.clear();
    }
    if (finished) break;
    if (auto ec = co_await read_more(up, buf, Clock::now() + p.cfg.read_timeout)) {
      // A close-delimited body ends cleanly at FIN (RFC 9112 §6.3 item 8); anything else is
      // a truncation, and so is a FIN before the last chunk.
      if (!f.chunked && ec == net::error::eof) break;
      co_return fail("upstream " + ec.message() + " mid-body");
    }
  }
  if (out == Out::chunked) {
    if (co_await write_all(client, "0\r\n\r\n", client_deadline()))
      co_return fail("client write failed");
  }
  co_return o;
}

net::awaitable<Outcome> forward(Proxy& p, tcp::socket& client, const Request& rq) {
  std::size_t attempts = p.cfg.servers.size();
  if (p.cfg.retries) attempts = std::min(attempts, *p.cfg.retries + 1);
  Failure failure;
  std::string tried;
  for (std::size_t i = 0; i < attempts; ++i) {
    const Server& s = p.cfg.servers[i];
    tried += (tried.empty() ? "" : ",") + s.text;
    tcp::socket up(client.get_executor());
    auto r = co_await fetch_head(p, up, s, rq);
    if (auto* resp = std::get_if<UpstreamResponse>(&r)) {
      Outcome o = co_await relay(p, client, up, rq, *resp);
      sim::ops::close_graceful(up);
      o.upstream = tried;
      co_return o;
    }
    failure = std::get<Failure>(std::move(r));
    sim::ops::close_graceful(up);
    if (!failure.retryable) break;
  }
  Outcome o;
  o.status = failure.status;
  o.upstream = tried;
  o.result = failure.why;
  o.keep = !rq.line.close;
  const auto response = error_response(
      failure.status, failure.why, connection_field(o.keep, rq.http10), rq.line.method == "HEAD");
  if (co_await write_all(client, response, Clock::now() + p.cfg.client_timeout)) o.keep = false;
  co_return o;
}

net::awaitable<void> serve_client(Proxy& p, tcp::socket client) {
  sim::ops::set_no_delay(client);
  error_code ec;
  const auto remote = client.remote_endpoint(ec);
  const std::string peer =
      ec ? "-" : remote.address().to_string() + ":" + std::to_string(remote.port());
  std::string in;  // client bytes not consumed yet (pipelined requests stay here)
  for (bool keep = true; keep;) {
    Request rq;
    if (co_await read_request(p, client, in, rq) != Read::ok) break;
    const auto start = Clock::now();
    const Outcome o = co_await forward(p, client, rq);
    write_log(p, peer, rq, o, start);
    keep = o.keep;
  }
  sim::ops::close_graceful(client);
}

// No coroutine is detached: an exception escaping one is a bug, and it gets printed.
auto report(const char* what) {
  return [what](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      std::cerr << "bgw-mini-proxy: internal error in " << what << ": " << x.what() << std::endl;
    } catch (...) {
      std::cerr << "bgw-mini-proxy: internal error in " << what << std::endl;
    }
  };
}

net::awaitable<void> accept_loop(Proxy& p, tcp::acceptor& acceptor) {
  const auto ex = co_await net::this_coro::executor;
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(nothrow);
    if (!acceptor.is_open()) co_return;
    if (ec) {
      // EMFILE and friends: back off a little instead of spinning on the error.
      std::cerr << "bgw-mini-proxy: accept: " << ec.message() << std::endl;
      net::steady_timer backoff(ex, std::chrono::milliseconds(50));
      co_await backoff.async_wait(nothrow);
      continue;
    }
    net::co_spawn(ex, serve_client(p, std::move(socket)), report("a client connection"));
  }
}

}  // namespace

int run(const Config& cfg) {
  ::signal(SIGPIPE, SIG_IGN);  // a client that left is a write error, not our death
  std::ofstream log;
  if (!cfg.log_path.empty()) {
    log.open(cfg.log_path, std::ios::app);
    if (!log) {
      std::cerr << "bgw-mini-proxy: cannot open log file " << cfg.log_path << std::endl;
      return 2;
    }
  }
  Proxy proxy{cfg, cfg.log_path.empty() ? nullptr : &log};
  net::io_context io(1);
  tcp::acceptor acceptor(io);
  error_code ec;
  const tcp::endpoint ep(net::ip::make_address(cfg.listen_address, ec), cfg.listen_port);
  if (!ec) acceptor.open(ep.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(ep, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    std::cerr << "bgw-mini-proxy: listen " << cfg.listen_address << ":" << cfg.listen_port << ": "
              << ec.message() << std::endl;
    return 1;
  }
  // Stop promptly: close the listener and abandon whatever is in flight (the frames are
  // destroyed with the io_context, which closes their sockets).
  net::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](const error_code& e, int) {
    if (e) return;
    error_code ignored;
    acceptor.close(ignored);
    io.stop();
  });
  net::co_spawn(io, accept_loop(proxy, acceptor), report("the accept loop"));
  std::cout << "ready" << std::endl;
  io.run();
  return 0;
}

}  // namespace bgw::mini
