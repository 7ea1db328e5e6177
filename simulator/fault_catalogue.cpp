#include "fault_catalogue.hpp"

#include <algorithm>
#include <charconv>
#include <utility>

#include "fault_builder.hpp"
#include "tls_faults.hpp"
#include "units.hpp"

namespace bgw::sim {
namespace {

using namespace std::chrono_literals;
using namespace detail;

// The FIN a fault ends with, as its `close` parameter says.
std::variant<Step, FaultError> fin_of(const Args& a) {
  const std::string how = a.string("close");
  if (how == "close") return fin_step(FinKind::close);
  if (how == "graceful") return fin_step(FinKind::graceful);
  return error("close",
               "must be \"close\" (close(2): later writes get RST) or \"graceful\" "
               "(shutdown, drain, then close), not \"" +
                   how + "\"");
}

// `s` followed by the fault's FIN.
Result then_fin(const Args& a, Script s) {
  auto fin = fin_of(a);
  if (auto* e = std::get_if<FaultError>(&fin)) return *e;
  s.push_back(std::get<Step>(fin));
  return script(std::move(s));
}

// A fault that ends with the complete response honours the response's "Connection: close".
Result complete(const Args& a, Script s) {
  if (a.base().close) s.push_back(Close{});
  return script(std::move(s));
}

Result build_ok(const Args& a) {
  return complete(a, {ReadRequest{}, plain_response(a.base())});
}

Result build_stall_before_headers(const Args& a) {
  auto d = non_negative(a, "duration");
  if (auto* e = std::get_if<FaultError>(&d)) return *e;
  const Duration dur = std::get<Duration>(d);
  if (dur == Duration::zero()) return script({ReadRequest{}, Stall{}});
  return complete(a, {ReadRequest{}, Stall{dur}, Write{serialize(a.base()).all()}});
}

Result build_stall_after_headers(const Args& a) {
  auto d = non_negative(a, "duration");
  if (auto* e = std::get_if<FaultError>(&d)) return *e;
  const Duration dur = std::get<Duration>(d);
  const WireResponse w = serialize(a.base());
  if (dur == Duration::zero()) return script({ReadRequest{}, Write{w.head}, Stall{}});
  return complete(a, {ReadRequest{}, Write{w.head}, Stall{dur}, Write{w.body}});
}

template <class End>
Result build_mid_headers(const Args& a) {
  auto p = head_prefix(a);
  if (auto* e = std::get_if<FaultError>(&p)) return *e;
  if constexpr (std::is_same_v<End, Close>)
    return then_fin(a, {ReadRequest{}, Write{std::get<std::string>(p)}});
  else
    return script({ReadRequest{}, Write{std::get<std::string>(p)}, End{}});
}

template <class End>
Result build_mid_body(const Args& a) {
  auto split = split_body(a);
  if (auto* e = std::get_if<FaultError>(&split)) return *e;
  if constexpr (std::is_same_v<End, Close>)
    return then_fin(a, {ReadRequest{}, Write{std::get<SplitBody>(split).before}});
  else
    return script({ReadRequest{}, Write{std::get<SplitBody>(split).before}, End{}});
}

Result build_stall_mid_body(const Args& a) {
  auto split = split_body(a);
  if (auto* e = std::get_if<FaultError>(&split)) return *e;
  auto d = non_negative(a, "duration");
  if (auto* e = std::get_if<FaultError>(&d)) return *e;
  const Duration dur = std::get<Duration>(d);
  auto& s = std::get<SplitBody>(split);
  if (dur == Duration::zero()) return script({ReadRequest{}, Write{s.before}, Stall{}});
  return script({ReadRequest{}, Write{s.before}, Stall{dur}, Write{s.after}});
}

std::variant<Drip, FaultError> drip_of(const Args& a, std::string bytes) {
  const auto chunk = a.integer("chunk");
  if (chunk < 1) return error("chunk", "must be at least 1");
  const Duration interval = a.duration("interval");
  if (interval <= Duration::zero()) return error("interval", "must be greater than 0");
  return Drip{std::move(bytes), static_cast<std::size_t>(chunk), interval};
}

Result build_drip_headers(const Args& a) {
  const WireResponse w = serialize(a.base());
  auto d = drip_of(a, w.head);
  if (auto* e = std::get_if<FaultError>(&d)) return *e;
  return complete(a, {ReadRequest{}, std::get<Drip>(d), Write{w.body}});
}

Result build_drip_body(const Args& a) {
  const WireResponse w = serialize(a.base());
  auto d = drip_of(a, w.body);
  if (auto* e = std::get_if<FaultError>(&d)) return *e;
  return complete(a, {ReadRequest{}, Write{w.head}, std::get<Drip>(d)});
}

// A complete but invalid response, then FIN so read-until-close framing ends too.
Result raw_then_close(const Args& a, std::string bytes) {
  return then_fin(a, {ReadRequest{}, Write{std::move(bytes)}});
}

Result build_garbage_status(const Args& a) {
  return raw_then_close(a, "GARBAGE NOT HTTP\r\n\r\nhello");
}
Result build_http09_body(const Args& a) {
  return raw_then_close(a, a.base().body);
}
Result build_bad_status_code(const Args& a) {
  const std::string code = a.string("code");
  if (code.empty() || code.find_first_of("\r\n") != std::string::npos)
    return error("code", "must be non-empty and contain no CR or LF");
  return raw_then_close(a, "HTTP/1.1 " + code + " OK\r\nContent-Length: " +
                               std::to_string(a.base().body.size()) + "\r\n\r\n" + a.base().body);
}

Result build_header_name_space(const Args& a) {
  return raw_then_close(a, with_raw_header(a.base(), "Bad Name: x\r\n"));
}
Result build_header_name_nontoken(const Args& a) {
  return raw_then_close(a, with_raw_header(a.base(), "X-Bad(Name): x\r\n"));
}
Result build_header_space_before_colon(const Args& a) {
  return raw_then_close(a, with_raw_header(a.base(), "X-Sp : x\r\n"));
}
Result build_header_value_nul(const Args& a) {
  return raw_then_close(a, with_raw_header(a.base(), std::string_view("X-Nul: a\0b\r\n", 12)));
}
Result build_header_value_bare_cr(const Args& a) {
  return raw_then_close(a, with_raw_header(a.base(), "X-Cr: a\rb\r\n"));
}
Result build_header_obs_fold(const Args& a) {
  return raw_then_close(a, with_raw_header(a.base(), "X-Fold: a\r\n  b\r\n"));
}
Result build_header_no_colon(const Args& a) {
  return raw_then_close(a, with_raw_header(a.base(), "X-No-Colon-Here\r\n"));
}

Result build_conflicting_content_length(const Args& a) {
  return raw_then_close(
      a, with_framing(a.base(), "Content-Length: 5\r\nContent-Length: 6\r\n", "hello!"));
}
Result build_duplicate_content_length(const Args& a) {
  return raw_then_close(
      a, with_framing(a.base(), "Content-Length: 5\r\nContent-Length: 5\r\n", "hello"));
}
Result build_content_length_list(const Args& a) {
  return raw_then_close(a, with_framing(a.base(), "Content-Length: 5, 6\r\n", "hello!"));
}
Result build_content_length_nonnumeric(const Args& a) {
  return raw_then_close(a, with_framing(a.base(), "Content-Length: abc\r\n", "hello"));
}
Result build_content_length_negative(const Args& a) {
  return raw_then_close(a, with_framing(a.base(), "Content-Length: -5\r\n", "hello"));
}
Result build_content_length_with_chunked(const Args& a) {
  return raw_then_close(
      a, with_framing(a.base(), "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n",
                      "5\r\nhello\r\n0\r\n\r\n"));
}
Result build_unknown_transfer_encoding(const Args& a) {
  return raw_then_close(a, with_framing(a.base(), "Transfer-Encoding: bogus\r\n", "hello"));
}
Result build_bad_chunk_size_first(const Args& a) {
  return raw_then_close(
      a, with_framing(a.base(), "Transfer-Encoding: chunked\r\n", "zz\r\nhello\r\n0\r\n\r\n"));
}
Result build_bad_chunk_size_later(const Args& a) {
  return raw_then_close(a, with_framing(a.base(), "Transfer-Encoding: chunked\r\n",
                                        "5\r\nhello\r\nzz\r\nworld\r\n0\r\n\r\n"));
}
Result build_missing_final_chunk(const Args& a) {
  return raw_then_close(a,
                        with_framing(a.base(), "Transfer-Encoding: chunked\r\n", "5\r\nhello\r\n"));
}

Result build_headers_too_large(const Args& a) {
  const auto size = a.integer("size");
  if (size < 1 || size > 64 * 1024 * 1024) return error("size", "must be from 1 to 64MiB");
  std::string line = "X-Large: " + std::string(static_cast<std::size_t>(size), 'a') + "\r\n";
  return raw_then_close(a, with_raw_header(a.base(), line));
}

Result build_too_many_headers(const Args& a) {
  const auto count = a.integer("count");
  if (count < 1 || count > 100000) return error("count", "must be from 1 to 100000");
  std::string lines;
  for (std::int64_t i = 1; i <= count; ++i) lines += "X-Header-" + std::to_string(i) + ": v\r\n";
  return raw_then_close(a, with_raw_header(a.base(), lines));
}

Result build_status_5xx(const Args& a) {
  const auto status = a.integer("status");
  if (status < 500 || status > 599) return error("status", "must be from 500 to 599");
  Response r = a.base();
  r.status = static_cast<int>(status);
  r.reason.clear();
  r.body = "upstream says " + std::to_string(status) + "\n";
  return complete(a, {ReadRequest{}, Write{serialize(r).all()}});
}

Result build_close_after_response(const Args& a) {
  auto d = non_negative(a, "idle");
  if (auto* e = std::get_if<FaultError>(&d)) return *e;
  Response r = a.base();
  r.close = false;  // the whole point: the response promises keep-alive
  Script s{ReadRequest{}, Write{serialize(r).all()}};
  if (std::get<Duration>(d) > Duration::zero()) s.push_back(Delay{std::get<Duration>(d)});
  return then_fin(a, std::move(s));
}

Result build_close_after_requests(const Args& a) {
  const auto count = a.integer("count");
  if (count < 1) return error("count", "must be at least 1");
  return then_fin(a, {ServeRequests{static_cast<std::uint64_t>(count)}});
}

Result build_close_on_accept(const Args& a) {
  return then_fin(a, {});
}
Result build_reset_on_accept(const Args&) {
  return script({Reset{}});
}
Result build_close_after_request(const Args& a) {
  return then_fin(a, {ReadRequest{}});
}
Result build_reset_after_request(const Args&) {
  return script({ReadRequest{}, Reset{}});
}

Result build_refuse(const Args&) {
  LoweredFault f;
  f.mode = ListenerMode::refuse;
  return f;
}
Result build_blackhole(const Args&) {
  LoweredFault f;
  f.mode = ListenerMode::blackhole;
  return f;
}

using Entry = FaultEntry;

const ParamInfo p_bytes_head{"bytes", ParamType::size, "10",
                             "response head bytes sent before the fault"};
const ParamInfo p_bytes_body{"bytes", ParamType::size, "10",
                             "body bytes sent before the fault (payload bytes when chunked)"};
const ParamInfo p_length{"length", ParamType::size, "100", "declared body length"};
const ParamInfo p_chunked{"chunked", ParamType::boolean, "false",
                          "frame the body with Transfer-Encoding: chunked"};
const ParamInfo p_stall{"duration", ParamType::duration, "1s",
                        "how long to stay silent; 0s = until the peer leaves"};
// Every fault that always ends with a FIN takes this: which of the two FINs it is.
const ParamInfo p_close{"close", ParamType::string, "close",
                        "how the FIN is sent: \"close\" = close(2) at once, so later writes by "
                        "the peer get RST; \"graceful\" = shutdown(SHUT_WR), discard what the "
                        "peer sends until it closes (at most 1s or 1MiB), then close(2)"};
const ParamInfo p_chunk{"chunk", ParamType::size, "1", "bytes per write"};
const ParamInfo p_interval{"interval", ParamType::duration, "100ms", "time between writes"};

const std::vector<Entry>& entries() {
  static const std::vector<Entry> table = [] {
    std::vector<Entry> t = {
        {{"ok",
          FaultScope::request,
          "the upstream's normal response, then keep-alive",
          "the complete response; the connection stays open",
          {}},
         build_ok},
        {{"refuse",
          FaultScope::listener,
          "port bound but not listening: the kernel answers SYN with RST",
          "connect() fails with ECONNREFUSED",
          {}},
         build_refuse},
        {{"blackhole",
          FaultScope::listener,
          "listen(0) with the accept queue filled by the upstream itself: SYNs are dropped",
          "connect() hangs until the client's own deadline",
          {}},
         build_blackhole},
        {{"close_on_accept",
          FaultScope::connection,
          "accept, then close at once: FIN, no byte",
          "EOF with 0 bytes",
          {p_close}},
         build_close_on_accept},
        {{"reset_on_accept",
          FaultScope::connection,
          "accept, then SO_LINGER 0 and close: RST",
          "ECONNRESET with 0 bytes",
          {}},
         build_reset_on_accept},
        {{"close_after_request",
          FaultScope::request,
          "read the whole request, then FIN without a byte (empty reply)",
          "EOF with 0 bytes",
          {p_close}},
         build_close_after_request},
        {{"reset_after_request",
          FaultScope::request,
          "read the whole request, then RST without a byte",
          "ECONNRESET with 0 bytes",
          {}},
         build_reset_after_request},
        {{"close_mid_headers",
          FaultScope::request,
          "read the request, write the first `bytes` bytes of the response head, then FIN",
          "exactly `bytes` bytes of a head, then EOF",
          {p_bytes_head, p_close}},
         build_mid_headers<Close>},
        {{"reset_mid_headers",
          FaultScope::request,
          "read the request, write the first `bytes` bytes of the response head, then RST",
          "exactly `bytes` bytes of a head, then ECONNRESET",
          {p_bytes_head}},
         build_mid_headers<Reset>},
        {{"stall_before_headers",
          FaultScope::request,
          "read the request, stay silent for `duration`, then send the normal response",
          "no byte for `duration` (never less), then the response",
          {p_stall}},
         build_stall_before_headers},
        {{"stall_after_headers",
          FaultScope::request,
          "read the request, write the complete head, stay silent for `duration`, then the body",
          "the head at once, the body after `duration`",
          {p_stall}},
         build_stall_after_headers},
        {{"stall_mid_body",
          FaultScope::request,
          "write the head and `bytes` body bytes of a `length`-byte body, stall `duration`, then "
          "the "
          "rest",
          "head and `bytes` body bytes at once, the rest after `duration`",
          {p_bytes_body, p_length, p_chunked, p_stall}},
         build_stall_mid_body},
        {{"close_mid_body",
          FaultScope::request,
          "write the head and `bytes` body bytes of a `length`-byte body, then FIN",
          "a short body (Content-Length unmet or no final chunk), then EOF",
          {p_bytes_body, p_length, p_chunked, p_close}},
         build_mid_body<Close>},
        {{"reset_mid_body",
          FaultScope::request,
          "write the head and `bytes` body bytes of a `length`-byte body; once the peer has "
          "acknowledged them, RST",
          "a short body, then ECONNRESET",
          {p_bytes_body, p_length, p_chunked}},
         build_mid_body<Reset>},
        {{"drip_headers",
          FaultScope::request,
          "write the response head `chunk` bytes at a time, one write every `interval`, then the "
          "body",
          "the head arrives over (pieces-1) x interval",
          {p_chunk, p_interval}},
         build_drip_headers},
        {{"drip_body",
          FaultScope::request,
          "write the head, then the body `chunk` bytes at a time every `interval`",
          "the body arrives over (pieces-1) x interval",
          {p_chunk, p_interval}},
         build_drip_body},
        {{"garbage_status",
          FaultScope::request,
          "\"GARBAGE NOT HTTP\\r\\n\\r\\nhello\", then FIN",
          "those 25 bytes, then EOF",
          {p_close}},
         build_garbage_status},
        {{"http09_body",
          FaultScope::request,
          "the body with no status line or headers, then FIN",
          "the body bytes, then EOF",
          {p_close}},
         build_http09_body},
        {{"bad_status_code",
          FaultScope::request,
          "\"HTTP/1.1 <code> OK\" with a valid Content-Length and body, then FIN",
          "that response, then EOF",
          {{"code", ParamType::string, "2x0", "the status code text to send"}, p_close}},
         build_bad_status_code},
        {{"header_name_space",
          FaultScope::request,
          "a header line \"Bad Name: x\", then FIN",
          "the response with that line",
          {p_close}},
         build_header_name_space},
        {{"header_name_nontoken",
          FaultScope::request,
          "a header line \"X-Bad(Name): x\", then FIN",
          "the response with that line",
          {p_close}},
         build_header_name_nontoken},
        {{"header_space_before_colon",
          FaultScope::request,
          "a header line \"X-Sp : x\", then FIN",
          "the response with that line",
          {p_close}},
         build_header_space_before_colon},
        {{"header_value_nul",
          FaultScope::request,
          "a header line \"X-Nul: a<NUL>b\", then FIN",
          "the response with that line",
          {p_close}},
         build_header_value_nul},
        {{"header_value_bare_cr",
          FaultScope::request,
          "a header line \"X-Cr: a<CR>b\", then FIN",
          "the response with that line",
          {p_close}},
         build_header_value_bare_cr},
        {{"header_obs_fold",
          FaultScope::request,
          "a folded header \"X-Fold: a\\r\\n  b\" (obs-fold), then FIN",
          "the response with the fold",
          {p_close}},
         build_header_obs_fold},
        {{"header_no_colon",
          FaultScope::request,
          "a header line \"X-No-Colon-Here\", then FIN",
          "the response with that line",
          {p_close}},
         build_header_no_colon},
        {{"conflicting_content_length",
          FaultScope::request,
          "\"Content-Length: 5\" and \"Content-Length: 6\", body \"hello!\", then FIN",
          "that response, then EOF",
          {p_close}},
         build_conflicting_content_length},
        {{"duplicate_content_length",
          FaultScope::request,
          "two identical \"Content-Length: 5\" (allowed: a control case), body \"hello\", then FIN",
          "that response, then EOF",
          {p_close}},
         build_duplicate_content_length},
        {{"content_length_list",
          FaultScope::request,
          "\"Content-Length: 5, 6\", body \"hello!\", then FIN",
          "that response, then EOF",
          {p_close}},
         build_content_length_list},
        {{"content_length_nonnumeric",
          FaultScope::request,
          "\"Content-Length: abc\", body \"hello\", then FIN",
          "that response, then EOF",
          {p_close}},
         build_content_length_nonnumeric},
        {{"content_length_negative",
          FaultScope::request,
          "\"Content-Length: -5\", body \"hello\", then FIN",
          "that response, then EOF",
          {p_close}},
         build_content_length_negative},
        {{"content_length_with_chunked",
          FaultScope::request,
          "\"Content-Length: 3\" with \"Transfer-Encoding: chunked\", a chunked \"hello\", then "
          "FIN",
          "that response, then EOF",
          {p_close}},
         build_content_length_with_chunked},
        {{"unknown_transfer_encoding",
          FaultScope::request,
          "\"Transfer-Encoding: bogus\", body \"hello\", then FIN",
          "that response, then EOF",
          {p_close}},
         build_unknown_transfer_encoding},
        {{"bad_chunk_size_first",
          FaultScope::request,
          "chunked body whose first chunk-size line is \"zz\", then FIN",
          "that response, then EOF",
          {p_close}},
         build_bad_chunk_size_first},
        {{"bad_chunk_size_later",
          FaultScope::request,
          "chunked body: a valid 5-byte chunk, then a chunk-size line \"zz\", then FIN",
          "that response, then EOF",
          {p_close}},
         build_bad_chunk_size_later},
        {{"missing_final_chunk",
          FaultScope::request,
          "chunked body with one 5-byte chunk and no final 0-chunk, then FIN",
          "that response without the last chunk, then EOF",
          {p_close}},
         build_missing_final_chunk},
        {{"headers_too_large",
          FaultScope::request,
          "one header \"X-Large\" whose line is `size` bytes of value, then FIN",
          "that response, then EOF",
          {{"size", ParamType::size, "70KiB", "bytes of the header's value"}, p_close}},
         build_headers_too_large},
        {{"too_many_headers",
          FaultScope::request,
          "`count` extra header lines \"X-Header-N: v\", then FIN",
          "that response, then EOF",
          {{"count", ParamType::integer, "300", "number of extra header lines"}, p_close}},
         build_too_many_headers},
        {{"status_5xx",
          FaultScope::request,
          "a well-formed response with `status` (500-599), keep-alive",
          "that response; the connection stays open",
          {{"status", ParamType::integer, "503", "the status code"}}},
         build_status_5xx},
        {{"close_after_response",
          FaultScope::request,
          "a complete keep-alive response, then FIN after `idle` (the pooled-connection reuse "
          "race)",
          "the complete response, then EOF after `idle`",
          {{"idle", ParamType::duration, "0s", "time between the response and the FIN"}, p_close}},
         build_close_after_response},
        {{"close_after_requests",
          FaultScope::connection,
          "serve `count` requests normally on the connection, then FIN",
          "`count` complete responses, then EOF",
          {{"count", ParamType::integer, "1", "requests served before the close"}, p_close}},
         build_close_after_requests},
    };
    // The TLS faults (tls_faults.cpp) come last, in their own section of the docs.
    for (Entry& e : tls_fault_entries()) t.push_back(std::move(e));
    return t;
  }();
  return table;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t prev = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cur = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1)});
      prev = cur;
    }
  }
  return row[b.size()];
}

}  // namespace

const char* to_string(ParamType type) {
  switch (type) {
    case ParamType::size:
      return "size";
    case ParamType::duration:
      return "duration";
    case ParamType::integer:
      return "integer";
    case ParamType::boolean:
      return "boolean";
    case ParamType::string:
      return "string";
  }
  return "?";
}

const char* to_string(FaultScope scope) {
  switch (scope) {
    case FaultScope::listener:
      return "listener";
    case FaultScope::connection:
      return "connection";
    case FaultScope::request:
      return "request";
  }
  return "?";
}

std::span<const FaultInfo> fault_catalogue() {
  static const std::vector<FaultInfo> infos = [] {
    std::vector<FaultInfo> v;
    for (const Entry& e : entries()) v.push_back(e.info);
    return v;
  }();
  return infos;
}

const FaultInfo* find_fault(std::string_view name) {
  for (const Entry& e : entries()) {
    if (e.info.name == name) return &e.info;
  }
  return nullptr;
}

std::string suggest_fault(std::string_view name) {
  std::string best;
  std::size_t best_d = std::max<std::size_t>(3, name.size() / 3) + 1;
  for (const Entry& e : entries()) {
    const std::size_t d = edit_distance(name, e.info.name);
    if (d < best_d) {
      best_d = d;
      best = e.info.name;
    }
  }
  return best;
}

std::variant<ParamValue, FaultError> parse_param(const FaultInfo& info, std::string_view param,
                                                 std::string_view text) {
  const ParamInfo* p = nullptr;
  for (const ParamInfo& candidate : info.params) {
    if (candidate.name == param) p = &candidate;
  }
  if (p == nullptr) {
    std::string known;
    for (const ParamInfo& candidate : info.params)
      known += (known.empty() ? "" : ", ") + std::string(candidate.name);
    return error(std::string(param),
                 "fault '" + std::string(info.name) + "' takes no parameter '" +
                     std::string(param) + "'" +
                     (known.empty() ? " (it takes none)" : " (it takes " + known + ")"));
  }
  const std::string name(param);
  switch (p->type) {
    case ParamType::size:
      if (auto v = parse_size(text)) return ParamValue{static_cast<std::int64_t>(*v)};
      return error(name,
                   "expected a size such as 10, 64KiB or 2MiB, got '" + std::string(text) + "'");
    case ParamType::integer: {
      std::int64_t v = 0;
      const auto* end = text.data() + text.size();
      auto [ptr, ec] = std::from_chars(text.data(), end, v);
      if (ec == std::errc{} && ptr == end && !text.empty()) return ParamValue{v};
      return error(name, "expected an integer, got '" + std::string(text) + "'");
    }
    case ParamType::duration:
      if (auto v = parse_duration(text)) return ParamValue{*v};
      return error(name,
                   "expected a duration such as 250ms or 2s, got '" + std::string(text) + "'");
    case ParamType::boolean:
      if (text == "true") return ParamValue{true};
      if (text == "false") return ParamValue{false};
      return error(name, "expected true or false, got '" + std::string(text) + "'");
    case ParamType::string:
      return ParamValue{std::string(text)};
  }
  return error(name, "unknown parameter type");
}

std::variant<LoweredFault, FaultError> lower_fault(std::string_view name, const FaultParams& params,
                                                   const Response& base, Match match) {
  const Entry* entry = nullptr;
  for (const Entry& e : entries()) {
    if (e.info.name == name) entry = &e;
  }
  if (entry == nullptr) {
    const std::string hint = suggest_fault(name);
    return error("", "unknown fault '" + std::string(name) + "'" +
                         (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
  }
  for (const auto& [key, value] : params) {
    const ParamInfo* p = nullptr;
    for (const ParamInfo& candidate : entry->info.params) {
      if (candidate.name == key) p = &candidate;
    }
    if (p == nullptr) {
      auto e = parse_param(entry->info, key, "");
      return std::get<FaultError>(e);
    }
    const bool type_ok =
        ((p->type == ParamType::size || p->type == ParamType::integer) &&
         std::holds_alternative<std::int64_t>(value)) ||
        (p->type == ParamType::duration && std::holds_alternative<Duration>(value)) ||
        (p->type == ParamType::boolean && std::holds_alternative<bool>(value)) ||
        (p->type == ParamType::string && std::holds_alternative<std::string>(value));
    if (!type_ok) return error(key, std::string("expected a ") + to_string(p->type));
  }
  auto result = entry->build(Args(entry->info, params, base));
  if (auto* f = std::get_if<LoweredFault>(&result)) {
    f->rule.name = std::string(entry->info.name);
    f->rule.match = match;
    f->rule.scope =
        entry->info.scope == FaultScope::connection ? RuleScope::connection : RuleScope::request;
  }
  return result;
}

}  // namespace bgw::sim
