// The proxy: one io_context on one thread, one coroutine per client connection, a new upstream
// connection per request. HTTP is parsed and written by Beast (the request parser for clients,
// a response parser that keeps nothing but what is forwarded for upstreams, the serializer and
// chunk encoder for both directions), so this reference shares no parsing code with the simulator
// or the harness client it is used to check. Every wait has a deadline (beast::tcp_stream
// expiry), every peer failure is a value, and a failure after the response head went out is made
// visible to the client by closing its connection with the body's framing unfinished
// (RFC 9112 §8), never by a clean end.
#include <signal.h>

#include <algorithm>
#include <boost/asio/signal_set.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cctype>
#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include "mini_proxy.hpp"
#include "simulator/net.hpp"
#include "simulator/socket_ops.hpp"

namespace bgw::mini {
namespace {

namespace net = sim::net;
namespace beast = boost::beast;
namespace http = beast::http;
using sim::error_code;
using sim::nothrow;
using sim::tcp;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxHead = 64 * 1024;               // request and response heads
constexpr std::size_t kMaxFields = 100;                   // header lines per head
constexpr std::size_t kMaxRequestBody = 8 * 1024 * 1024;  // request bodies are buffered whole
constexpr std::size_t kReadSize = 16 * 1024;

// ---- small helpers ---------------------------------------------------------------------------

bool is_timeout(const error_code& ec) {
  return ec == beast::error::timeout || ec == net::error::timed_out;
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

// Calls f(element) for each non-empty element of a comma-separated list (a field value that
// Beast has already delimited; the list syntax is all that is split here).
template <class F>
void for_each_element(std::string_view list, F&& f) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    if (const auto e = trim_ows(list.substr(0, comma)); !e.empty()) f(e);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

using Fields = std::vector<std::pair<std::string, std::string>>;

// Hop-by-hop fields (RFC 9110 §7.6.1) and the framing fields we regenerate ourselves.
template <class Range>
std::vector<std::string> connection_options(const Range& fields) {
  std::vector<std::string> out;
  for (const auto& [name, value] : fields) {
    if (beast::iequals(name, "Connection"))
      for_each_element(value, [&](std::string_view v) { out.push_back(lower(v)); });
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

// The statuses the proxy generates itself.
const char* reason_of(int status) {
  return status == 400   ? "Bad Request"
         : status == 413 ? "Content Too Large"
         : status == 431 ? "Request Header Fields Too Large"
         : status == 502 ? "Bad Gateway"
                         : "Gateway Timeout";
}

// Persistence said explicitly: HTTP/1.0 clients assume close unless told keep-alive.
template <class Message>
void set_connection(Message& m, bool keep, bool http10) {
  if (!keep)
    m.set(http::field::connection, "close");
  else if (http10)
    m.set(http::field::connection, "keep-alive");
}

// A small, complete error response. No body for HEAD (RFC 9110 §9.3.2), the length still says
// what a GET would have received.
http::response<http::string_body> error_response(int status, const std::string& why, bool keep,
                                                 bool http10, bool head_method) {
  http::response<http::string_body> res;
  res.version(11);
  res.result(static_cast<unsigned>(status));
  res.reason(reason_of(status));
  const std::string body = std::to_string(status) + " " + reason_of(status) + ": " + why + "\n";
  res.set(http::field::content_length, std::to_string(body.size()));
  res.set(http::field::content_type, "text/plain");
  set_connection(res, keep, http10);
  if (!head_method) res.body() = body;
  return res;
}

// ---- the upstream response parser --------------------------------------------------------------

// Beast's parser with callbacks that keep what a relay needs: the status, the fields to forward,
// and the decoded body bytes that arrived (taken by the relay as it goes). Chunk extensions and
// trailers are dropped: we re-chunk for the client and forward no trailers.
class UpstreamParser final : public http::basic_parser<false> {
 public:
  int status = 0;
  int version = 11;
  std::string reason;
  Fields fields;
  bool other_coding = false;  ///< a Transfer-Encoding other than exactly "chunked"
  std::string body;

 private:
  void on_request_impl(http::verb, beast::string_view, beast::string_view, int,
                       error_code&) override {}
  void on_response_impl(int code, beast::string_view why, int v, error_code&) override {
    status = code;
    reason = std::string(why);
    version = v;
  }
  void on_field_impl(http::field f, beast::string_view name, beast::string_view value,
                     error_code& ec) override {
    if (fields.size() == kMaxFields) {
      ec = http::error::header_limit;
      return;
    }
    if (f == http::field::transfer_encoding && !beast::iequals(value, "chunked"))
      other_coding = true;
    fields.emplace_back(std::string(name), std::string(value));
  }
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}
  std::size_t on_body_impl(beast::string_view b, error_code&) override {
    body.append(b.data(), b.size());
    return b.size();
  }
  void on_chunk_header_impl(std::uint64_t, beast::string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view b, error_code&) override {
    body.append(b.data(), b.size());
    return b.size();
  }
  void on_finish_impl(error_code&) override {}
};

// RFC 9112 §5.1: a proxy MUST remove whitespace between a response field name and its colon;
// Beast refuses such a head outright. Rewrites `head` (a complete head) without it and says
// whether anything changed. A name with whitespace inside stays invalid.
bool remove_space_before_colon(std::string& head) {
  bool changed = false;
  std::string out;
  out.reserve(head.size());
  std::size_t pos = 0;
  bool first = true;
  while (pos < head.size()) {
    auto eol = head.find('\n', pos);
    eol = eol == std::string::npos ? head.size() : eol + 1;
    std::string_view line(head.data() + pos, eol - pos);
    pos = eol;
    const auto colon = line.find(':');
    if (!first && colon != std::string_view::npos) {
      std::string_view name = line.substr(0, colon);
      const std::size_t full = name.size();
      while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
      if (name.size() != full && !name.empty() &&
          name.find_first_of(" \t") == std::string_view::npos) {
        out.append(name).append(line.substr(colon));
        changed = true;
        continue;
      }
    }
    first = false;
    out.append(line);
    if (line == "\r\n" || line == "\n") break;
  }
  out.append(head, pos, std::string::npos);
  if (changed) head = std::move(out);
  return changed;
}

// ---- the proxy -------------------------------------------------------------------------------

struct Proxy {
  const Config& cfg;
  std::ofstream* log;  ///< null without `log =`
};

struct Request {
  http::request<http::string_body> msg;  ///< the body de-chunked
  std::string line;                      ///< "GET / HTTP/1.1", for the log
  bool http10 = false;
  bool keep_alive = false;   ///< the client did not ask to close (RFC 9112 §9.6)
  bool framed_body = false;  ///< the client sent Content-Length or chunked: send a length
  bool head_method() const { return msg.method() == http::verb::head; }
};

enum class Read : std::uint8_t { ok, gone, rejected };

struct Failure {
  int status = 502;
  std::string why;
  bool retryable = false;
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
  *p.log << peer << " \"" << rq.line << "\" " << o.status << " " << o.body_bytes
         << " upstream=" << o.upstream << " " << ms.count() << "ms " << o.result << std::endl;
}

net::awaitable<Read> reject(beast::tcp_stream& client, int status, const std::string& why) {
  auto res = error_response(status, why, false, false, false);
  client.expires_after(std::chrono::seconds(1));
  co_await http::async_write(client, res, nothrow);
  co_return Read::rejected;
}

// A client read that failed: the client is gone, or what it sent is refused with a status.
net::awaitable<Read> refuse(beast::tcp_stream& client, const error_code& ec) {
  if (ec == http::error::header_limit)
    co_return co_await reject(client, 431, "request head too large");
  if (ec == http::error::body_limit)
    co_return co_await reject(client, 413, "request body too large");
  if (ec.category() == http::make_error_code(http::error::bad_method).category() &&
      ec != http::error::end_of_stream && ec != http::error::partial_message)
    co_return co_await reject(client, 400, ec.message());
  co_return Read::gone;  // EOF, reset, idle timeout, or cut mid-request
}

net::awaitable<Read> read_request(Proxy& p, beast::tcp_stream& client, beast::flat_buffer& in,
                                  Request& rq) {
  // RFC 9112 §2.2: ignore empty lines before a request line (those already received).
  {
    const auto* data = static_cast<const char*>(in.data().data());
    std::size_t n = 0;
    while (n < in.size() && (data[n] == '\r' || data[n] == '\n')) ++n;
    in.consume(n);
  }
  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(kMaxHead));
  parser.body_limit(kMaxRequestBody);
  client.expires_after(p.cfg.client_timeout);
  if (auto [ec, n] = co_await http::async_read_header(client, in, parser, nothrow); ec)
    co_return co_await refuse(client, ec);

  const auto& h = parser.get();
  rq.http10 = h.version() == 10;
  rq.line = std::string(h.method_string()) + " " + std::string(h.target()) + " HTTP/" +
            std::to_string(h.version() / 10) + "." + std::to_string(h.version() % 10);
  if (h.version() != 11 && !rq.http10)
    co_return co_await reject(client, 400, "invalid request line");
  const auto hosts = std::count_if(h.begin(), h.end(),
                                   [](const auto& f) { return f.name() == http::field::host; });
  if (hosts > 1 || (hosts == 0 && !rq.http10))  // RFC 9112 §3.2
    co_return co_await reject(client, 400, "missing or repeated Host");
  for (const auto& f : h) {
    // chunked is the only transfer coding we undo (RFC 9112 §6.1: otherwise 501; 400 as before).
    if (f.name() == http::field::transfer_encoding && !beast::iequals(f.value(), "chunked"))
      co_return co_await reject(client, 400, "unsupported Transfer-Encoding");
  }
  rq.framed_body = parser.content_length().has_value() || parser.chunked();
  rq.keep_alive = parser.keep_alive();

  // The body is buffered whole, so a retry can resend it. A client that sent Expect:
  // 100-continue waits for our go-ahead; we answer it ourselves and drop the field upstream.
  if (!parser.is_done()) {
    const auto expect = h.find(http::field::expect);
    if (expect != h.end() && beast::iequals(expect->value(), "100-continue") && in.size() == 0) {
      http::response<http::empty_body> cont{http::status::continue_, 11};
      client.expires_after(p.cfg.client_timeout);
      if (auto [ec, n] = co_await http::async_write(client, cont, nothrow); ec)
        co_return Read::gone;
    }
    client.expires_after(p.cfg.client_timeout);
    if (auto [ec, n] = co_await http::async_read(client, in, parser, nothrow); ec)
      co_return co_await refuse(client, ec);
  }
  rq.msg = parser.release();
  co_return Read::ok;
}

http::request<http::string_body> upstream_request(const Request& rq, const Server& s) {
  http::request<http::string_body> out;
  out.method_string(rq.msg.method_string());
  out.target(rq.msg.target());
  out.version(11);
  std::vector<std::pair<std::string_view, std::string_view>> fields;
  for (const auto& f : rq.msg) fields.emplace_back(f.name_string(), f.value());
  const auto options = connection_options(fields);
  bool host = false;
  for (const auto& [name, value] : fields) {
    host = host || beast::iequals(name, "Host");
    if (dropped(name, options) || beast::iequals(name, "Expect")) continue;
    out.insert(name, value);
  }
  if (!host) out.set(http::field::host, s.text);       // an HTTP/1.0 client may omit it
  out.insert(http::field::via, "1.1 bgw-mini-proxy");  // RFC 9110 §7.6.3: a gateway MUST add it
  if (rq.framed_body) out.content_length(rq.msg.body().size());
  out.set(http::field::connection, "close");  // one upstream connection per request: no pooling
  out.body() = rq.msg.body();
  return out;
}

bool idempotent(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "TRACE" ||
         method == "PUT" || method == "DELETE";
}

// A response head from the upstream, with the parser that continues into its body.
struct UpstreamResponse {
  std::optional<UpstreamParser> parser;
  beast::flat_buffer buf;  ///< bytes after the head not parsed yet
};

std::optional<UpstreamParser>& fresh(std::optional<UpstreamParser>& p, bool head_method) {
  p.emplace();
  p->header_limit(static_cast<std::uint32_t>(kMaxHead));
  p->body_limit(boost::none);
  p->skip(head_method);
  return p;
}

// Connect, send the request, read a valid final response head. Failures before any response
// byte are retryable: always for a connect failure (the server never saw the request), and for
// idempotent methods only once the request may have reached it (RFC 9110 §9.2.2).
net::awaitable<std::variant<Failure, bool>> fetch_head(Proxy& p, beast::tcp_stream& up,
                                                       const Server& s, const Request& rq,
                                                       UpstreamResponse& r) {
  const bool may_retry = idempotent(rq.msg.method_string());
  error_code ec;
  const auto addr = net::ip::make_address(s.address, ec);  // validated by load_config
  up.expires_after(p.cfg.connect_timeout);
  auto [cec] = co_await up.async_connect(tcp::endpoint(addr, s.port), nothrow);
  if (is_timeout(cec)) co_return Failure{504, "connect timeout", true};
  if (cec) co_return Failure{502, "connect: " + cec.message(), true};
  sim::ops::set_no_delay(up.socket());
  auto request = upstream_request(rq, s);
  up.expires_after(p.cfg.read_timeout);
  if (auto [wec, n] = co_await http::async_write(up, request, nothrow); wec)
    co_return Failure{is_timeout(wec) ? 504 : 502, "send: " + wec.message(), may_retry};

  // read_timeout bounds the whole head, counted from the end of the send (as nginx does in
  // practice): an upstream dripping one byte per interval cannot hold the request forever.
  up.expires_after(p.cfg.read_timeout);
  auto& buf = r.buf;
  bool any_byte = false;
  bool repaired = false;
  fresh(r.parser, rq.head_method());
  for (;;) {
    error_code pec = http::error::need_more;
    std::size_t used = 0;
    if (buf.size() > 0) used = r.parser->put(buf.data(), pec);
    if (pec == http::error::need_more) {
      auto [rec, n] = co_await up.async_read_some(buf.prepare(kReadSize), nothrow);
      buf.commit(n);
      if (n > 0) continue;
      const bool nothing = !any_byte && buf.size() == 0;
      const std::string where = nothing ? "before any response byte" : "inside the response head";
      if (is_timeout(rec)) co_return Failure{504, "read timeout " + where, nothing && may_retry};
      const std::string what = rec ? rec.message() : "closed the connection";
      co_return Failure{502, "upstream " + what + " " + where, nothing && may_retry};
    }
    if (pec == http::error::bad_field && !repaired) {
      // Beast has consumed nothing of an unparsed head: repair it in the buffer and parse again.
      std::string bytes(static_cast<const char*>(buf.data().data()), buf.size());
      if (remove_space_before_colon(bytes)) {
        repaired = true;
        buf.consume(buf.size());
        net::buffer_copy(buf.prepare(bytes.size()), net::buffer(bytes));
        buf.commit(bytes.size());
        fresh(r.parser, rq.head_method());
        continue;
      }
    }
    if (pec) co_return Failure{502, "invalid response head: " + pec.message()};
    // Beast unfolds obs-fold; RFC 9112 §5.2 lets a proxy answer 502 instead, which we do.
    const std::string_view head(static_cast<const char*>(buf.data().data()), used);
    if (head.find("\n ") != std::string_view::npos || head.find("\n\t") != std::string_view::npos)
      co_return Failure{502, "invalid response head: obs-fold"};
    buf.consume(used);
    any_byte = true;
    UpstreamParser& h = *r.parser;
    if (h.status < 100 || h.status > 599) co_return Failure{502, "invalid status line"};
    if (h.status == 101)
      co_return Failure{502, "101 Switching Protocols (upgrades are not forwarded)"};
    if (h.status < 200) {  // interim response: the final one follows (RFC 9110 §15.2)
      fresh(r.parser, rq.head_method());
      continue;
    }
    if (h.other_coding) co_return Failure{502, "unsupported Transfer-Encoding"};
    if (h.version == 10 && h.chunked())  // RFC 9112 §6.1: faulty framing
      co_return Failure{502, "Transfer-Encoding in an HTTP/1.0 response"};
    co_return true;
  }
}

// Sends the response head and relays the body. On an upstream failure mid-body it returns with
// keep = false and the framing unfinished (no last chunk, Content-Length short): the caller
// closes the client connection, so the truncation is detectable.
net::awaitable<Outcome> relay(Proxy& p, beast::tcp_stream& client, beast::tcp_stream& up,
                              const Request& rq, UpstreamResponse& r) {
  enum class Out : std::uint8_t { none, length, chunked, until_close };
  UpstreamParser& u = *r.parser;
  const auto length = u.content_length();
  const bool no_body = rq.head_method() || u.status == 204 || u.status == 304;
  const Out out = no_body      ? Out::none
                  : length     ? Out::length
                  : !rq.http10 ? Out::chunked       // upstream chunked or close-delimited
                               : Out::until_close;  // HTTP/1.0 clients cannot take chunked
  Outcome o;
  o.status = u.status;
  o.keep = rq.keep_alive && out != Out::until_close;

  http::response<http::empty_body> res;
  res.version(11);
  res.result(static_cast<unsigned>(u.status));
  res.reason(u.reason);
  const auto options = connection_options(u.fields);
  for (const auto& [name, value] : u.fields) {
    if (!dropped(name, options)) res.insert(name, value);
  }
  if (length && u.status != 204) res.set(http::field::content_length, std::to_string(*length));
  if (out == Out::chunked) res.set(http::field::transfer_encoding, "chunked");
  set_connection(res, o.keep, rq.http10);
  const auto fail = [&](std::string why) {
    o.keep = false;
    o.result = "truncated: " + why;
    return o;
  };
  http::response_serializer<http::empty_body> head(res);
  client.expires_after(p.cfg.client_timeout);
  if (auto [ec, n] = co_await http::async_write_header(client, head, nothrow); ec)
    co_return fail("client write failed");
  if (out == Out::none) co_return o;

  u.eager(true);
  for (;;) {
    error_code pec;
    if (r.buf.size() > 0 && !u.is_done()) r.buf.consume(u.put(r.buf.data(), pec));
    if (pec && pec != http::error::need_more) {
      co_return fail(u.chunked() ? "invalid chunk framing from upstream"
                                 : "invalid body from upstream: " + pec.message());
    }
    if (!u.body.empty()) {
      client.expires_after(p.cfg.client_timeout);
      // Named, not a temporary inside the co_await: GCC 12 mis-destroys such temporaries in
      // coroutine frames (ASan: free of a pointer into the frame).
      const auto piece = net::buffer(u.body);
      error_code ec;
      if (out == Out::chunked) {
        const auto chunk = http::make_chunk(piece);
        std::tie(ec, std::ignore) = co_await net::async_write(client, chunk, nothrow);
      } else {
        std::tie(ec, std::ignore) = co_await net::async_write(client, piece, nothrow);
      }
      if (ec) co_return fail("client write failed");
      o.body_bytes += u.body.size();
      u.body.clear();
    }
    if (u.is_done()) break;
    up.expires_after(p.cfg.read_timeout);
    auto [rec, n] = co_await up.async_read_some(r.buf.prepare(kReadSize), nothrow);
    r.buf.commit(n);
    if (n == 0) {
      // A close-delimited body ends cleanly at FIN (RFC 9112 §6.3 item 8); anything else is
      // a truncation, and so is a FIN before the last chunk.
      error_code eof_ec;
      if (rec == net::error::eof) u.put_eof(eof_ec);
      if (rec == net::error::eof && !eof_ec && u.is_done()) break;
      if (length)
        co_return fail("upstream " + rec.message() + " with " +
                       std::to_string(*length - o.body_bytes) + " body bytes missing");
      co_return fail("upstream " + rec.message() + " mid-body");
    }
  }
  if (out == Out::chunked) {
    client.expires_after(p.cfg.client_timeout);
    const auto last = http::make_chunk_last();
    if (auto [ec, n] = co_await net::async_write(client, last, nothrow); ec)
      co_return fail("client write failed");
  }
  co_return o;
}

net::awaitable<Outcome> forward(Proxy& p, beast::tcp_stream& client, const Request& rq) {
  std::size_t attempts = p.cfg.servers.size();
  if (p.cfg.retries) attempts = std::min(attempts, *p.cfg.retries + 1);
  Failure failure;
  std::string tried;
  for (std::size_t i = 0; i < attempts; ++i) {
    const Server& s = p.cfg.servers[i];
    tried += (tried.empty() ? "" : ",") + s.text;
    beast::tcp_stream up(client.get_executor());
    UpstreamResponse r;
    auto result = co_await fetch_head(p, up, s, rq, r);
    if (std::holds_alternative<bool>(result)) {
      Outcome o = co_await relay(p, client, up, rq, r);
      sim::ops::close_graceful(up.socket());
      o.upstream = tried;
      co_return o;
    }
    failure = std::get<Failure>(std::move(result));
    sim::ops::close_graceful(up.socket());
    if (!failure.retryable) break;
  }
  Outcome o;
  o.status = failure.status;
  o.upstream = tried;
  o.result = failure.why;
  o.keep = rq.keep_alive;
  auto response = error_response(failure.status, failure.why, o.keep, rq.http10, rq.head_method());
  client.expires_after(p.cfg.client_timeout);
  if (auto [ec, n] = co_await http::async_write(client, response, nothrow); ec) o.keep = false;
  co_return o;
}

net::awaitable<void> serve_client(Proxy& p, tcp::socket socket) {
  sim::ops::set_no_delay(socket);
  error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  const std::string peer =
      ec ? "-" : remote.address().to_string() + ":" + std::to_string(remote.port());
  beast::tcp_stream client(std::move(socket));
  beast::flat_buffer in;  // client bytes not consumed yet (pipelined requests stay here)
  for (bool keep = true; keep;) {
    Request rq;
    if (co_await read_request(p, client, in, rq) != Read::ok) break;
    const auto start = Clock::now();
    const Outcome o = co_await forward(p, client, rq);
    write_log(p, peer, rq, o, start);
    keep = o.keep;
  }
  sim::ops::close_graceful(client.socket());
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
