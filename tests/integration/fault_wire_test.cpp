// Every catalogue fault observed by the raw client on loopback: the exact bytes that arrive, how
// the connection ends (EOF, RST, still open, refused, connect timeout), and when the bytes arrive
// for the timed faults. One table row per fault (and per interesting parameter); a test checks
// that the table names every fault in the catalogue, so a new fault without a row fails.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>

#include <gtest/gtest.h>

#include "support/fault_fixture.hpp"

namespace {

using namespace std::chrono_literals;
using namespace std::string_literals;
using bgw::client::Ending;
using bgw::client::RawResult;
using bgw::sim::Duration;
using bgw::sim::FaultParams;
using namespace bgw::test;

using Check = std::function<void(const RawResult&)>;

struct WireCase {
  std::string label;  ///< test name suffix
  std::string fault;  ///< catalogue name
  FaultParams params = {};
  std::string bytes = {};  ///< exactly what the client must receive
  Ending ending = Ending::eof;
  std::string request = kGet;
  std::chrono::nanoseconds deadline = 2s;
  std::chrono::nanoseconds connect_timeout = 1s;
  Check timing = {};  ///< extra timing assertions
};

void PrintTo(const WireCase& c, std::ostream* os) {
  *os << c.label;
}

// ---- timing checks ---------------------------------------------------------------------------

// No byte before `d`, and the first one within the bound.
Check first_byte_after(Duration d) {
  return [d](const RawResult& r) {
    EXPECT_GE(r.first_byte, d) << "first byte early: " << describe(r);
    EXPECT_LE(r.first_byte, upper_bound(d)) << "first byte late: " << describe(r);
  };
}

// The bytes before `offset` at once (well before `d`); the byte at `offset` after `d`.
Check stalled_at(std::size_t offset, Duration d) {
  return [offset, d](const RawResult& r) {
    const auto before = arrival_of(r, 0);
    const auto after = arrival_of(r, offset);
    EXPECT_GE(before, 0ns) << describe(r);
    EXPECT_LT(before, d / 2) << "the bytes before the stall were late: " << describe(r);
    EXPECT_GE(after, d) << "byte " << offset << " arrived early: " << describe(r);
    EXPECT_LE(after, upper_bound(d)) << "byte " << offset << " arrived late: " << describe(r);
  };
}

// Drip: the last piece never before (pieces-1) x interval, counted from the request (the
// schedule's anchor comes after the request arrived; a late first piece may shrink the spread
// between arrivals, so that is not the bound), and the arrivals spread over not much more
// (absolute schedule).
Check dripped(std::size_t bytes, std::size_t chunk, Duration interval) {
  return [=](const RawResult& r) {
    const std::size_t pieces = (bytes + chunk - 1) / chunk;
    const Duration requested = interval * static_cast<long>(pieces - 1);
    ASSERT_FALSE(r.arrivals.empty()) << describe(r);
    EXPECT_GE(r.arrivals.back().at, requested) << "last piece early: " << describe(r);
    EXPECT_LE(arrival_spread(r), upper_bound(requested)) << pieces << " pieces: " << describe(r);
  };
}

// Open at the deadline: the client gave up, not the upstream.
Check open_until(Duration deadline) {
  return [deadline](const RawResult& r) { EXPECT_GE(r.total, deadline) << describe(r); };
}

// ---- goldens ---------------------------------------------------------------------------------

const std::string kBody20 = "0123456789abcdefghij";
const std::string kHead20 = "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n";
const std::string kHead100 = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n";
const std::string kHeadChunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
// length 20, bytes 10: the first half of the body as whole chunks, then the rest and 0-chunk.
const std::string kChunkedBefore = kHeadChunked + "a\r\n0123456789\r\n";
const std::string kChunkedAfter = "a\r\nabcdefghij\r\n0\r\n\r\n";

// The catalogue's position-dependent body ("0123456789abc...z0123..."), first `n` bytes.
std::string pattern(std::size_t n) {
  static constexpr std::string_view alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) out += alphabet[i % alphabet.size()];
  return out;
}

FaultParams mid_body(bool chunked, std::int64_t length = 20, std::int64_t bytes = 10) {
  return {{"chunked", chunked}, {"length", length}, {"bytes", bytes}};
}

// The default response with one raw header line before the blank line, then "hello".
std::string with_line(const std::string& line) {
  return "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n" + line + "\r\nhello";
}

const std::vector<WireCase>& cases() {
  static const std::vector<WireCase> table = {
      // Normal keep-alive response: complete, and the connection stays open.
      {.label = "ok",
       .fault = "ok",
       .bytes = kOk,
       .ending = Ending::open,
       .deadline = 300ms,
       .timing = open_until(300ms)},

      // Listener faults.
      {.label = "refuse", .fault = "refuse", .ending = Ending::refused},
      {.label = "blackhole",
       .fault = "blackhole",
       .ending = Ending::connect_timeout,
       .connect_timeout = 300ms},

      // Connection endings without a byte.
      {.label = "close_on_accept", .fault = "close_on_accept", .ending = Ending::eof},
      {.label = "reset_on_accept", .fault = "reset_on_accept", .ending = Ending::reset},
      {.label = "close_after_request", .fault = "close_after_request", .ending = Ending::eof},
      {.label = "reset_after_request", .fault = "reset_after_request", .ending = Ending::reset},

      // Cut inside the head (the default head is 38 bytes; 37 leaves only its last LF out).
      {.label = "close_mid_headers_1",
       .fault = "close_mid_headers",
       .params = {{"bytes", 1L}},
       .bytes = "H",
       .ending = Ending::eof},
      {.label = "close_mid_headers_default",
       .fault = "close_mid_headers",
       .bytes = "HTTP/1.1 2",
       .ending = Ending::eof},
      {.label = "close_mid_headers_37",
       .fault = "close_mid_headers",
       .params = {{"bytes", 37L}},
       .bytes = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r",
       .ending = Ending::eof},
      {.label = "reset_mid_headers_1",
       .fault = "reset_mid_headers",
       .params = {{"bytes", 1L}},
       .bytes = "H",
       .ending = Ending::reset},
      {.label = "reset_mid_headers_default",
       .fault = "reset_mid_headers",
       .bytes = "HTTP/1.1 2",
       .ending = Ending::reset},
      {.label = "reset_mid_headers_30",
       .fault = "reset_mid_headers",
       .params = {{"bytes", 30L}},
       .bytes = "HTTP/1.1 200 OK\r\nContent-Lengt",
       .ending = Ending::reset},

      // Stalls (keep-alive afterwards, so the client deadline ends them: open).
      {.label = "stall_before_headers_200ms",
       .fault = "stall_before_headers",
       .params = {{"duration", Duration(200ms)}},
       .bytes = kOk,
       .ending = Ending::open,
       .deadline = 500ms,
       .timing = first_byte_after(200ms)},
      {.label = "stall_before_headers_forever",
       .fault = "stall_before_headers",
       .params = {{"duration", Duration(0)}},
       .bytes = "",
       .ending = Ending::open,
       .deadline = 300ms,
       .timing = open_until(300ms)},
      {.label = "stall_after_headers_200ms",
       .fault = "stall_after_headers",
       .params = {{"duration", Duration(200ms)}},
       .bytes = kOk,
       .ending = Ending::open,
       .deadline = 500ms,
       .timing = stalled_at(kOkHead.size(), 200ms)},
      {.label = "stall_after_headers_forever",
       .fault = "stall_after_headers",
       .params = {{"duration", Duration(0)}},
       .bytes = kOkHead,
       .ending = Ending::open,
       .deadline = 300ms,
       .timing = open_until(300ms)},
      {.label = "stall_mid_body_200ms",
       .fault = "stall_mid_body",
       .params =
           [] {
             auto p = mid_body(false);
             p["duration"] = Duration(200ms);
             return p;
           }(),
       .bytes = kHead20 + kBody20,
       .ending = Ending::open,
       .deadline = 500ms,
       .timing = stalled_at(kHead20.size() + 10, 200ms)},
      {.label = "stall_mid_body_chunked_200ms",
       .fault = "stall_mid_body",
       .params =
           [] {
             auto p = mid_body(true);
             p["duration"] = Duration(200ms);
             return p;
           }(),
       .bytes = kChunkedBefore + kChunkedAfter,
       .ending = Ending::open,
       .deadline = 500ms,
       .timing = stalled_at(kChunkedBefore.size(), 200ms)},
      {.label = "stall_mid_body_forever",
       .fault = "stall_mid_body",
       .params =
           [] {
             auto p = mid_body(false);
             p["duration"] = Duration(0);
             return p;
           }(),
       .bytes = kHead20 + "0123456789",
       .ending = Ending::open,
       .deadline = 300ms,
       .timing = open_until(300ms)},

      // Cut inside the body.
      {.label = "close_mid_body_default",
       .fault = "close_mid_body",
       .bytes = kHead100 + "0123456789",
       .ending = Ending::eof},
      {.label = "close_mid_body",
       .fault = "close_mid_body",
       .params = mid_body(false),
       .bytes = kHead20 + "0123456789",
       .ending = Ending::eof},
      {.label = "close_mid_body_chunked",
       .fault = "close_mid_body",
       .params = mid_body(true),
       .bytes = kChunkedBefore,
       .ending = Ending::eof},
      {.label = "close_mid_body_graceful",
       .fault = "close_mid_body",
       .params = {{"close", "graceful"s}, {"length", 20L}, {"bytes", 10L}},
       .bytes = kHead20 + "0123456789",
       .ending = Ending::eof},
      {.label = "close_mid_body_chunked_0",
       .fault = "close_mid_body",
       .params = mid_body(true, 20, 0),
       .bytes = kHeadChunked,
       .ending = Ending::eof},
      {.label = "reset_mid_body",
       .fault = "reset_mid_body",
       .params = mid_body(false),
       .bytes = kHead20 + "0123456789",
       .ending = Ending::reset},
      {.label = "reset_mid_body_chunked",
       .fault = "reset_mid_body",
       .params = mid_body(true),
       .bytes = kChunkedBefore,
       .ending = Ending::reset},
      // Large prefixes: more than the socket buffers hold, so the upstream must wait until the
      // prefix has left before its close (for the RST, SO_LINGER 0 discards what is unsent).
      {.label = "close_mid_body_large",
       .fault = "close_mid_body",
       .params = mid_body(false, 1'000'000, 500'000),
       .bytes = "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n" + pattern(500'000),
       .ending = Ending::eof},
      {.label = "reset_mid_body_large",
       .fault = "reset_mid_body",
       .params = mid_body(false, 1'000'000, 500'000),
       .bytes = "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n" + pattern(500'000),
       .ending = Ending::reset},

      // Drips: everything arrives, spread over (pieces-1) x interval.
      {.label = "drip_headers",
       .fault = "drip_headers",
       .params = {{"chunk", 5L}, {"interval", Duration(20ms)}},
       .bytes = kOk,
       .ending = Ending::open,
       .deadline = 500ms,
       .timing = dripped(kOkHead.size(), 5, 20ms)},
      {.label = "drip_body",
       .fault = "drip_body",
       .params = {{"chunk", 1L}, {"interval", Duration(20ms)}},
       .bytes = kOk,
       .ending = Ending::open,
       .deadline = 500ms,
       .timing = dripped(5, 1, 20ms)},

      // Malformed responses, each followed by FIN.
      {.label = "garbage_status",
       .fault = "garbage_status",
       .bytes = "GARBAGE NOT HTTP\r\n\r\nhello"},
      {.label = "http09_body", .fault = "http09_body", .bytes = "hello"},
      {.label = "garbage_status_graceful",
       .fault = "garbage_status",
       .params = {{"close", "graceful"s}},
       .bytes = "GARBAGE NOT HTTP\r\n\r\nhello"},
      {.label = "bad_status_code",
       .fault = "bad_status_code",
       .bytes = "HTTP/1.1 2x0 OK\r\nContent-Length: 5\r\n\r\nhello"},
      {.label = "bad_status_code_9999",
       .fault = "bad_status_code",
       .params = {{"code", "9999"s}},
       .bytes = "HTTP/1.1 9999 OK\r\nContent-Length: 5\r\n\r\nhello"},
      {.label = "header_name_space",
       .fault = "header_name_space",
       .bytes = with_line("Bad Name: x\r\n")},
      {.label = "header_name_nontoken",
       .fault = "header_name_nontoken",
       .bytes = with_line("X-Bad(Name): x\r\n")},
      {.label = "header_space_before_colon",
       .fault = "header_space_before_colon",
       .bytes = with_line("X-Sp : x\r\n")},
      {.label = "header_value_nul",
       .fault = "header_value_nul",
       .bytes = with_line("X-Nul: a\0b\r\n"s)},
      {.label = "header_value_bare_cr",
       .fault = "header_value_bare_cr",
       .bytes = with_line("X-Cr: a\rb\r\n")},
      {.label = "header_obs_fold",
       .fault = "header_obs_fold",
       .bytes = with_line("X-Fold: a\r\n  b\r\n")},
      {.label = "header_no_colon",
       .fault = "header_no_colon",
       .bytes = with_line("X-No-Colon-Here\r\n")},
      {.label = "conflicting_content_length",
       .fault = "conflicting_content_length",
       .bytes = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"},
      {.label = "duplicate_content_length",
       .fault = "duplicate_content_length",
       .bytes = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello"},
      {.label = "content_length_list",
       .fault = "content_length_list",
       .bytes = "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello!"},
      {.label = "content_length_nonnumeric",
       .fault = "content_length_nonnumeric",
       .bytes = "HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\nhello"},
      {.label = "content_length_negative",
       .fault = "content_length_negative",
       .bytes = "HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\nhello"},
      {.label = "content_length_with_chunked",
       .fault = "content_length_with_chunked",
       .bytes = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
                "5\r\nhello\r\n0\r\n\r\n"},
      {.label = "unknown_transfer_encoding",
       .fault = "unknown_transfer_encoding",
       .bytes = "HTTP/1.1 200 OK\r\nTransfer-Encoding: bogus\r\n\r\nhello"},
      {.label = "bad_chunk_size_first",
       .fault = "bad_chunk_size_first",
       .bytes = kHeadChunked + "zz\r\nhello\r\n0\r\n\r\n"},
      {.label = "bad_chunk_size_later",
       .fault = "bad_chunk_size_later",
       .bytes = kHeadChunked + "5\r\nhello\r\nzz\r\nworld\r\n0\r\n\r\n"},
      {.label = "missing_final_chunk",
       .fault = "missing_final_chunk",
       .bytes = kHeadChunked + "5\r\nhello\r\n"},
      {.label = "headers_too_large_16",
       .fault = "headers_too_large",
       .params = {{"size", 16L}},
       .bytes = with_line("X-Large: aaaaaaaaaaaaaaaa\r\n")},
      {.label = "headers_too_large_default",
       .fault = "headers_too_large",
       .bytes = with_line("X-Large: " + std::string(70 * 1024, 'a') + "\r\n")},
      {.label = "too_many_headers_5",
       .fault = "too_many_headers",
       .params = {{"count", 5L}},
       .bytes = with_line("X-Header-1: v\r\nX-Header-2: v\r\nX-Header-3: v\r\nX-Header-4: v\r\n"
                          "X-Header-5: v\r\n")},

      // Well-formed errors, keep-alive.
      {.label = "status_5xx_default",
       .fault = "status_5xx",
       .bytes = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 18\r\n\r\nupstream says 503\n",
       .ending = Ending::open,
       .deadline = 300ms},
      {.label = "status_5xx_502",
       .fault = "status_5xx",
       .params = {{"status", 502L}},
       .bytes = "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 18\r\n\r\nupstream says 502\n",
       .ending = Ending::open,
       .deadline = 300ms},
      {.label = "status_5xx_504",
       .fault = "status_5xx",
       .params = {{"status", 504L}},
       .bytes = "HTTP/1.1 504 Gateway Timeout\r\nContent-Length: 18\r\n\r\nupstream says 504\n",
       .ending = Ending::open,
       .deadline = 300ms},

      // Keep-alive promised, then FIN.
      {.label = "close_after_response", .fault = "close_after_response", .bytes = kOk},
      {.label = "close_after_requests_default", .fault = "close_after_requests", .bytes = kOk},
      {.label = "close_after_requests_2_pipelined",
       .fault = "close_after_requests",
       .params = {{"count", 2L}},
       .bytes = kOk + kOk,
       .request = kGet + kGet},
  };
  return table;
}

// Where two byte strings differ, printably.
testing::AssertionResult same_bytes(const std::string& actual, const std::string& expected) {
  if (actual == expected) return testing::AssertionSuccess();
  std::size_t at = 0;
  while (at < actual.size() && at < expected.size() && actual[at] == expected[at]) ++at;
  const std::size_t from = at > 40 ? at - 40 : 0;
  return testing::AssertionFailure()
         << "received " << actual.size() << " bytes, expected " << expected.size()
         << "; first difference at offset " << at << "\n  received: \""
         << bgw::client::escape_bytes(std::string_view(actual).substr(from), 120)
         << "\"\n  expected: \""
         << bgw::client::escape_bytes(std::string_view(expected).substr(from), 120) << "\"";
}

class FaultWire : public UpstreamTest, public testing::WithParamInterface<WireCase> {};

TEST_P(FaultWire, RawClientSeesExactBytesAndEnding) {
  const WireCase& c = GetParam();
  const bgw::sim::LoweredFault fault = lower(c.fault, c.params);
  auto& up = make(fault, c.label);
  const RawResult r = exchange(io_, up.port(), c.request, c.deadline, c.connect_timeout);

  EXPECT_TRUE(same_bytes(r.received, c.bytes)) << describe(r);
  EXPECT_STREQ(bgw::client::to_string(r.ending), bgw::client::to_string(c.ending)) << describe(r);
  const bool listener_fault = fault.mode.has_value();
  EXPECT_EQ(r.connected, !listener_fault) << describe(r);
  if (c.ending == Ending::connect_timeout) {
    EXPECT_GE(r.connect_time, c.connect_timeout) << describe(r);
  }
  if (c.timing) c.timing(r);
  // The upstream saw exactly the one connection the client made (none for listener faults).
  EXPECT_EQ(up.journal().connections(), listener_fault ? 0u : 1u);
}

INSTANTIATE_TEST_SUITE_P(Catalogue, FaultWire, testing::ValuesIn(cases()),
                         [](const testing::TestParamInfo<WireCase>& p) { return p.param.label; });

// ---- the two FINs ------------------------------------------------------------------------------

// What a client that writes after the upstream's FIN sees: it reads the response up to EOF,
// writes again (as a proxy does that sends a request on a connection whose close it has not
// noticed yet), shuts its own side, and waits for the connection to be gone in both directions
// (POLLHUP: our FIN acknowledged, or a RST). SO_ERROR then tells the two FINs apart.
struct AfterFin {
  std::string received;
  bool hung_up = false;
  int so_error = 0;
};

AfterFin write_after_fin(std::uint16_t port, const std::string& request) {
  AfterFin out;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{2, 0};  // every blocking call below is bounded
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return out;
  }
  if (!request.empty()) ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;  // 0: the upstream's FIN
    out.received.append(buf, static_cast<std::size_t>(n));
  }
  ::send(fd, kGet.data(), kGet.size(), MSG_NOSIGNAL);
  ::shutdown(fd, SHUT_WR);
  // events = 0: only POLLHUP and POLLERR are reported, and a socket that has read a FIN is
  // always readable, so this waits for the end of the connection itself.
  pollfd p{fd, 0, 0};
  if (::poll(&p, 1, 2000) == 1) out.hung_up = (p.revents & POLLHUP) != 0;
  socklen_t len = sizeof out.so_error;
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &out.so_error, &len);
  ::close(fd);
  return out;
}

struct FinCase {
  std::string label;
  std::string fault;
  std::string request;  ///< sent first; empty for close_on_accept (its FIN comes first)
  std::string bytes;    ///< the response before the FIN
};

class TwoFins : public UpstreamTest,
                public testing::WithParamInterface<std::tuple<FinCase, std::string>> {
 protected:
  // The blocking client needs the upstream running meanwhile: on a thread of its own.
  AfterFin run(std::uint16_t port, const std::string& request) {
    auto guard = boost::asio::make_work_guard(io_);
    std::thread loop([this] { io_.run(); });
    AfterFin r = write_after_fin(port, request);
    io_.stop();
    loop.join();
    io_.restart();
    return r;
  }
};

TEST_P(TwoFins, WritesAfterTheFinGetRstOnlyAfterClose) {
  const auto& [c, how] = GetParam();
  auto& up = make(lower(c.fault, {{"close", how}}), c.label);
  const AfterFin r = run(up.port(), c.request);
  EXPECT_TRUE(same_bytes(r.received, c.bytes));
  EXPECT_TRUE(r.hung_up) << "the connection did not end within 2s";
  if (how == "close") {
    // close(2): the upstream's socket no longer reads, and its kernel answers data with RST.
    EXPECT_TRUE(r.so_error == ECONNRESET || r.so_error == EPIPE)
        << "expected a RST, SO_ERROR " << r.so_error;
  } else {
    // shutdown + drain: the bytes are read and dropped, the close is clean.
    EXPECT_EQ(r.so_error, 0) << "expected no RST";
  }
  ASSERT_TRUE(drain());
  EXPECT_EQ(closed_detail(up.journal(), 1), how == "close" ? "fin" : "graceful_close");
  if (how == "graceful") {
    const auto steps = events_of(up.journal(), bgw::sim::EventKind::step);
    ASSERT_FALSE(steps.empty());
    EXPECT_NE(steps.back().detail.find("graceful_close: peer closed"), std::string::npos)
        << steps.back().detail;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Catalogue, TwoFins,
    testing::Combine(
        testing::Values(FinCase{"close_on_accept", "close_on_accept", "", ""},
                        FinCase{"close_after_request", "close_after_request", kGet, ""},
                        FinCase{"close_mid_headers", "close_mid_headers", kGet, "HTTP/1.1 2"},
                        FinCase{"header_obs_fold", "header_obs_fold", kGet,
                                with_line("X-Fold: a\r\n  b\r\n")},
                        FinCase{"close_after_response", "close_after_response", kGet, kOk}),
        testing::Values("close", "graceful")),
    [](const auto& p) { return std::get<0>(p.param).label + "_" + std::get<1>(p.param); });

TEST(FaultWireTable, CoversEveryCatalogueFault) {
  std::set<std::string, std::less<>> covered;
  for (const WireCase& c : cases()) covered.insert(c.fault);
  for (const bgw::sim::FaultInfo& info : bgw::sim::fault_catalogue()) {
    if (bgw::sim::needs_tls(info)) continue;  // tls_wire_test.cpp, with a real TLS client
    EXPECT_TRUE(covered.contains(info.name))
        << "fault '" << info.name << "' has no row in fault_wire_test.cpp";
  }
  for (const std::string& name : covered) {
    EXPECT_NE(bgw::sim::find_fault(name), nullptr) << "row for unknown fault '" << name << "'";
  }
}

TEST(FaultWireTable, LabelsAreUnique) {
  std::set<std::string> labels;
  for (const WireCase& c : cases()) {
    EXPECT_TRUE(labels.insert(c.label).second) << "duplicate label " << c.label;
  }
}

}  // namespace
