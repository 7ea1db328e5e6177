// The tolerant response parser on its own, no sockets: every framing, every way a response can be
// cut short, garbage where a status line should be, header irregularities recorded as data,
// interim 1xx, HEAD/204/304, pipelined bytes left unconsumed; and the same result however the
// bytes are split.
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "harness/client/response_reader.hpp"

// Readable enum values in gtest failure messages.
namespace bgw::client {
inline void PrintTo(Ending e, std::ostream* os) {
  *os << to_string(e);
}
inline void PrintTo(Framing f, std::ostream* os) {
  *os << to_string(f);
}
inline void PrintTo(BodyState s, std::ostream* os) {
  *os << to_string(s);
}
inline void PrintTo(HeaderProblemKind k, std::ostream* os) {
  *os << to_string(k);
}
}  // namespace bgw::client

namespace {

using namespace std::string_literals;
using bgw::client::BodyState;
using bgw::client::Ending;
using bgw::client::Framing;
using bgw::client::HeaderProblemKind;
using bgw::client::ParsedResponse;
using bgw::client::ResponseReader;

struct Parsed {
  ParsedResponse r;
  std::size_t consumed = 0;
  bool complete_before_finish = false;
};

// Feed `bytes` in pieces of `step` bytes (0: one piece), then finish with `ending` (when set).
Parsed parse(std::string_view bytes, std::optional<Ending> ending = Ending::eof,
             bool head_request = false, std::size_t step = 0) {
  ResponseReader reader(ResponseReader::Options{.head_request = head_request});
  Parsed p;
  if (step == 0) step = bytes.size() == 0 ? 1 : bytes.size();
  for (std::size_t at = 0; at < bytes.size(); at += step)
    p.consumed += reader.feed(bytes.substr(at, step));
  p.complete_before_finish = reader.complete();
  if (ending) reader.finish(*ending);
  p.r = std::move(reader).take();
  return p;
}

std::string esc(std::string_view s) {
  return bgw::client::escape_bytes(s, 400);
}

// Every field, printable: two results are equal when their dumps are.
std::string dump(const Parsed& p) {
  const ParsedResponse& r = p.r;
  std::string out = "consumed=" + std::to_string(p.consumed) +
                    " complete_before_finish=" + std::to_string(p.complete_before_finish);
  out += "\nstatus=" + (r.status ? std::to_string(*r.status) : "none"s);
  out += " line=\"" + esc(r.status_line) + "\" version=" + r.version + " reason=\"" +
         esc(r.reason) + "\" error=\"" + r.status_error + "\"";
  out += "\nhttp09=" + std::to_string(r.http09) +
         " head_complete=" + std::to_string(r.head_complete) +
         " close=" + std::to_string(r.connection_close);
  for (const auto& i : r.interim) {
    out += "\ninterim " + std::to_string(i.status) + " \"" + esc(i.status_line) +
           "\" headers=" + std::to_string(i.headers.size()) +
           " problems=" + std::to_string(i.header_problems.size());
  }
  for (const auto& [n, v] : r.headers) out += "\nheader \"" + esc(n) + "\" = \"" + esc(v) + "\"";
  for (const auto& pr : r.header_problems) {
    out += "\nproblem " + std::string(to_string(pr.kind)) + " line " + std::to_string(pr.line) +
           " \"" + esc(pr.raw) + "\"";
  }
  out += "\nframing=" + std::string(to_string(r.framing)) +
         " length=" + (r.content_length ? std::to_string(*r.content_length) : "none"s) +
         " body=\"" + esc(r.body) + "\" state=" + to_string(r.body_state) +
         " complete=" + std::to_string(r.response_complete);
  out += "\nchunked final=" + std::to_string(r.chunked.final_chunk) +
         " malformed=" + std::to_string(r.chunked.malformed) + " error=\"" + r.chunked.error +
         "\" chunks=" + std::to_string(r.chunked.chunks) + " payload=\"" + esc(r.chunked.payload) +
         "\" trailers=" + std::to_string(r.chunked.trailers.size());
  out += "\nextra=\"" + esc(r.extra) + "\"";
  return out;
}

// ---- splitting does not matter ---------------------------------------------------------------

struct SplitCase {
  std::string bytes;
  Ending ending = Ending::eof;
  bool head = false;
};

const std::vector<SplitCase>& split_cases() {
  static const std::vector<SplitCase> cases = {
      {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 204 No Content\r\n\r\n"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789", Ending::reset},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n6\r\n world\r\n"
       "0\r\nX-T: 1\r\n\r\nextra"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\nworld\r\n"},
      {"HTTP/1.1 200 OK\r\n\r\nuntil close"},
      {"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", Ending::eof, true},
      {"GARBAGE NOT HTTP\r\n\r\nhello"},
      {"hello"},
      {"HTTP/1.1 2x0 OK\r\nContent-Length: 5\r\n\r\nhello"},
      {"HTTP/1.1 200 OK\r\nContent-Le", Ending::eof},
      {"HTTP/1.1 20", Ending::reset},
      {"HTTP/1.1 200 OK\nBad Name: x\nX-Fold: a\n  b\nX-Nul: a\0b\nX-No-Colon\n\nhi"s},
      {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"},
  };
  return cases;
}

TEST(ResponseReaderSplit, ByteByByteEqualsOneShotEqualsEveryTwoPieceSplit) {
  for (const SplitCase& c : split_cases()) {
    SCOPED_TRACE(esc(c.bytes));
    const std::string whole = dump(parse(c.bytes, c.ending, c.head));
    EXPECT_EQ(dump(parse(c.bytes, c.ending, c.head, 1)), whole);
    EXPECT_EQ(dump(parse(c.bytes, c.ending, c.head, 3)), whole);
    for (std::size_t cut = 1; cut < c.bytes.size(); ++cut) {
      ResponseReader reader(ResponseReader::Options{.head_request = c.head});
      Parsed p;
      p.consumed = reader.feed(std::string_view(c.bytes).substr(0, cut));
      p.consumed += reader.feed(std::string_view(c.bytes).substr(cut));
      p.complete_before_finish = reader.complete();
      reader.finish(c.ending);
      p.r = std::move(reader).take();
      EXPECT_EQ(dump(p), whole) << "split at " << cut;
    }
  }
}

// ---- framings --------------------------------------------------------------------------------

TEST(ResponseReader, ContentLengthCompleteIsKnownBeforeTheConnectionEnds) {
  const Parsed p = parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\n\r\nhello", {});
  EXPECT_TRUE(p.complete_before_finish);
  EXPECT_EQ(p.r.status, 200);
  EXPECT_EQ(p.r.status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(p.r.version, "HTTP/1.1");
  EXPECT_EQ(p.r.reason, "OK");
  EXPECT_TRUE(p.r.head_complete);
  EXPECT_FALSE(p.r.http09);
  EXPECT_EQ(p.r.framing, Framing::content_length);
  EXPECT_EQ(p.r.content_length, 5u);
  EXPECT_EQ(p.r.body, "hello");
  EXPECT_EQ(p.r.payload(), "hello");
  EXPECT_EQ(p.r.body_state, BodyState::complete);
  EXPECT_TRUE(p.r.response_complete);
  EXPECT_TRUE(p.r.header_problems.empty());
  EXPECT_EQ(p.r.header("x-a"), "1");
  EXPECT_EQ(p.r.header("content-length"), "5");
  EXPECT_EQ(p.r.header("missing"), std::nullopt);
  ASSERT_EQ(p.r.headers.size(), 2u);
  EXPECT_EQ(p.r.headers[0].first, "Content-Length");
  EXPECT_FALSE(p.r.connection_close);
}

TEST(ResponseReader, ContentLengthZeroIsCompleteWithoutBody) {
  const Parsed p = parse("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n", {});
  EXPECT_TRUE(p.complete_before_finish);
  EXPECT_EQ(p.r.status, 502);
  EXPECT_EQ(p.r.reason, "Bad Gateway");
  EXPECT_EQ(p.r.framing, Framing::content_length);
  EXPECT_EQ(p.r.body_state, BodyState::absent);
  EXPECT_TRUE(p.r.response_complete);
}

TEST(ResponseReader, ChunkedDecodesPayloadExtensionsAndTrailers) {
  const std::string body = "5;name=v\r\nhello\r\n6 \r\n world\r\n0\r\nX-Trailer: t\r\n\r\n";
  const Parsed p =
      parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body, std::nullopt);
  EXPECT_TRUE(p.complete_before_finish);
  EXPECT_EQ(p.r.framing, Framing::chunked);
  EXPECT_EQ(p.r.body, body);
  EXPECT_EQ(p.r.chunked.payload, "hello world");
  EXPECT_EQ(p.r.payload(), "hello world");
  EXPECT_EQ(p.r.chunked.chunks, 2u);
  EXPECT_TRUE(p.r.chunked.final_chunk);
  EXPECT_FALSE(p.r.chunked.malformed);
  ASSERT_EQ(p.r.chunked.trailers.size(), 1u);
  EXPECT_EQ(p.r.chunked.trailers[0].first, "X-Trailer");
  EXPECT_EQ(p.r.chunked.trailers[0].second, "t");
  EXPECT_EQ(p.r.body_state, BodyState::complete);
  EXPECT_TRUE(p.r.response_complete);
}

TEST(ResponseReader, ChunkedWithBareLfAndUpperCaseHexIsAccepted) {
  const Parsed p =
      parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\nA\n0123456789\n0\n\n", {});
  EXPECT_TRUE(p.complete_before_finish);
  EXPECT_EQ(p.r.framing, Framing::chunked);
  EXPECT_EQ(p.r.chunked.payload, "0123456789");
}

TEST(ResponseReader, UntilCloseEndedByEofIsUnframedComplete) {
  const Parsed open = parse("HTTP/1.1 200 OK\r\nServer: x\r\n\r\nsome body", std::nullopt);
  EXPECT_FALSE(open.complete_before_finish);
  const Parsed p = parse("HTTP/1.1 200 OK\r\nServer: x\r\n\r\nsome body", Ending::eof);
  EXPECT_EQ(p.r.framing, Framing::until_close);
  EXPECT_EQ(p.r.body, "some body");
  EXPECT_EQ(p.r.body_state, BodyState::unframed_complete);
  EXPECT_TRUE(p.r.response_complete);
}

TEST(ResponseReader, UntilCloseWithNoBodyAtEofIsAbsent) {
  const Parsed p = parse("HTTP/1.1 200 OK\r\n\r\n", Ending::eof);
  EXPECT_EQ(p.r.framing, Framing::until_close);
  EXPECT_EQ(p.r.body_state, BodyState::absent);
  EXPECT_TRUE(p.r.response_complete);
}

TEST(ResponseReader, NoBodyResponsesCompleteAtTheEndOfTheHead) {
  for (const std::string status : {"204 No Content", "304 Not Modified"}) {
    SCOPED_TRACE(status);
    const Parsed p = parse("HTTP/1.1 " + status + "\r\nContent-Length: 5\r\n\r\nhello", {});
    EXPECT_TRUE(p.complete_before_finish);
    EXPECT_EQ(p.r.framing, Framing::none);
    EXPECT_EQ(p.r.content_length, std::nullopt);
    EXPECT_EQ(p.r.body, "");
    EXPECT_EQ(p.r.body_state, BodyState::absent);
    EXPECT_TRUE(p.r.response_complete);
    EXPECT_EQ(p.r.extra, "hello") << "bytes after a body-less response are not its body";
  }
}

TEST(ResponseReader, HeadResponseHasNoBodyWhateverItsHeadersSay) {
  const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
  const Parsed p = parse(head, std::nullopt, /*head_request=*/true);
  EXPECT_TRUE(p.complete_before_finish);
  EXPECT_EQ(p.consumed, head.size());
  EXPECT_EQ(p.r.framing, Framing::none);
  EXPECT_EQ(p.r.header("Content-Length"), "5");
  EXPECT_EQ(p.r.body_state, BodyState::absent);
  EXPECT_TRUE(p.r.response_complete);
  const Parsed chunked =
      parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", std::nullopt, true);
  EXPECT_TRUE(chunked.complete_before_finish);
  // The same bytes to a GET wait for a body.
  EXPECT_FALSE(parse(head, std::nullopt, false).complete_before_finish);
  // A body sent anyway is extra.
  EXPECT_EQ(parse(head + "hello", Ending::eof, true).r.extra, "hello");
}

TEST(ResponseReader, SwitchingProtocolsIsFinalAndWhatFollowsIsExtra) {
  const Parsed p = parse("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n\x81\x05", {});
  EXPECT_TRUE(p.complete_before_finish);
  EXPECT_EQ(p.r.status, 101);
  EXPECT_TRUE(p.r.interim.empty());
  EXPECT_EQ(p.r.extra, "\x81\x05");
}

// ---- truncation ------------------------------------------------------------------------------

TEST(ResponseReader, ContentLengthShortIsTruncatedWhateverTheEnding) {
  for (const Ending e : {Ending::eof, Ending::reset, Ending::open, Ending::error}) {
    SCOPED_TRACE(to_string(e));
    const Parsed p = parse("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789", e);
    EXPECT_FALSE(p.complete_before_finish);
    EXPECT_EQ(p.r.framing, Framing::content_length);
    EXPECT_EQ(p.r.content_length, 100u);
    EXPECT_EQ(p.r.body, "0123456789");
    EXPECT_EQ(p.r.body_state, BodyState::truncated);
    EXPECT_FALSE(p.r.response_complete);
  }
}

TEST(ResponseReader, ChunkedWithoutFinalChunkIsTruncated) {
  const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  struct Cut {
    std::string body;
    std::string payload;
    bool final_chunk;
  };
  const std::vector<Cut> cuts = {
      {"", "", false},
      {"a\r\n0123456789\r\n", "0123456789", false},      // between chunks
      {"a\r\n01234", "01234", false},                    // inside a chunk
      {"a\r\n0123456789\r\n0\r\n", "0123456789", true},  // the final CRLF never came
  };
  for (const Cut& c : cuts) {
    SCOPED_TRACE(esc(c.body));
    const Parsed p = parse(head + c.body, Ending::eof);
    EXPECT_EQ(p.r.framing, Framing::chunked);
    EXPECT_EQ(p.r.body, c.body);
    EXPECT_EQ(p.r.chunked.payload, c.payload);
    EXPECT_EQ(p.r.chunked.final_chunk, c.final_chunk);
    EXPECT_EQ(p.r.body_state, BodyState::truncated);
    EXPECT_FALSE(p.r.response_complete);
  }
}

TEST(ResponseReader, ChunkedEndedEarlyWithACleanZeroChunkLooksComplete) {
  // A proxy's silent truncation (T!): fewer bytes, framing complete. Only the length differs.
  const Parsed p = parse(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n0\r\n\r\n", {});
  EXPECT_TRUE(p.complete_before_finish);
  EXPECT_EQ(p.r.body_state, BodyState::complete);
  EXPECT_EQ(p.r.chunked.payload, "0123456789");
}

TEST(ResponseReader, MalformedChunkSizeKeepsTheRestUndecodedAndTruncated) {
  const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  const Parsed first = parse(head + "zz\r\nhello\r\n0\r\n\r\n", Ending::eof);
  EXPECT_TRUE(first.r.chunked.malformed);
  EXPECT_NE(first.r.chunked.error.find("'z'"), std::string::npos) << first.r.chunked.error;
  EXPECT_EQ(first.r.chunked.payload, "");
  EXPECT_EQ(first.r.body, "zz\r\nhello\r\n0\r\n\r\n");
  EXPECT_EQ(first.r.body_state, BodyState::truncated);
  EXPECT_FALSE(first.r.response_complete);

  const Parsed later = parse(head + "5\r\nhello\r\nzz\r\nworld\r\n0\r\n\r\n", Ending::eof);
  EXPECT_TRUE(later.r.chunked.malformed);
  EXPECT_EQ(later.r.chunked.payload, "hello");
  EXPECT_EQ(later.r.chunked.chunks, 1u);
  EXPECT_EQ(later.r.body_state, BodyState::truncated);

  const Parsed no_crlf = parse(head + "5\r\nhelloX\r\n0\r\n\r\n", Ending::eof);
  EXPECT_TRUE(no_crlf.r.chunked.malformed);
  EXPECT_EQ(no_crlf.r.chunked.payload, "hello");
}

TEST(ResponseReader, UntilCloseCutByResetOrDeadlineIsTruncated) {
  for (const Ending e : {Ending::reset, Ending::open}) {
    const Parsed p = parse("HTTP/1.1 200 OK\r\n\r\npartial", e);
    EXPECT_EQ(p.r.body_state, BodyState::truncated) << to_string(e);
    EXPECT_FALSE(p.r.response_complete);
  }
}

TEST(ResponseReader, HeadCutInsideTheHeaderSectionKeepsStatusAndCompleteLines) {
  const Parsed p = parse("HTTP/1.1 200 OK\r\nX-A: 1\r\nContent-Le", Ending::eof);
  EXPECT_EQ(p.r.status, 200);
  EXPECT_FALSE(p.r.head_complete);
  ASSERT_EQ(p.r.headers.size(), 1u);
  EXPECT_EQ(p.r.headers[0].first, "X-A");
  EXPECT_EQ(p.r.framing, Framing::none);
  EXPECT_EQ(p.r.body_state, BodyState::absent);
  EXPECT_FALSE(p.r.response_complete);
  EXPECT_FALSE(p.r.http09);
}

TEST(ResponseReader, HeadCutInsideTheStatusLineIsNeitherStatusNorHttp09) {
  const Parsed p = parse("HTTP/1.1 20", Ending::reset);
  EXPECT_EQ(p.r.status, std::nullopt);
  EXPECT_FALSE(p.r.http09);
  EXPECT_EQ(p.r.status_line, "HTTP/1.1 20");
  EXPECT_NE(p.r.status_error.find("ended inside the status line"), std::string::npos);
  EXPECT_FALSE(p.r.response_complete);
  // Even a whole status line is not one without its line ending.
  EXPECT_EQ(parse("HTTP/1.1 200 OK", Ending::eof).r.status, std::nullopt);
}

TEST(ResponseReader, NothingAtAll) {
  const Parsed p = parse("", Ending::eof);
  EXPECT_EQ(p.r.status, std::nullopt);
  EXPECT_FALSE(p.r.http09);
  EXPECT_EQ(p.r.status_line, "");
  EXPECT_EQ(p.r.status_error, "");
  EXPECT_EQ(p.r.body_state, BodyState::absent);
  EXPECT_FALSE(p.r.response_complete);
}

// ---- no status line --------------------------------------------------------------------------

TEST(ResponseReader, GarbageStatusLineIsHttp09WithEveryByteAsBody) {
  const std::string bytes = "GARBAGE NOT HTTP\r\n\r\nhello";
  const Parsed p = parse(bytes, Ending::eof);
  EXPECT_TRUE(p.r.http09);
  EXPECT_EQ(p.r.status, std::nullopt);
  EXPECT_EQ(p.r.status_line, "GARBAGE NOT HTTP");
  EXPECT_EQ(p.r.status_error, "not an HTTP/1.x status line");
  EXPECT_EQ(p.r.body, bytes);
  EXPECT_EQ(p.r.framing, Framing::until_close);
  EXPECT_EQ(p.r.body_state, BodyState::unframed_complete);
  EXPECT_FALSE(p.r.response_complete) << "no HTTP/1.x response at all";
  EXPECT_TRUE(p.r.headers.empty());
  EXPECT_EQ(parse(bytes, Ending::reset).r.body_state, BodyState::truncated);
}

TEST(ResponseReader, Http09BodyWithoutLineEndIsItsOwnStatusLine) {
  const Parsed p = parse("hello", Ending::eof);
  EXPECT_TRUE(p.r.http09);
  EXPECT_EQ(p.r.body, "hello");
  EXPECT_EQ(p.r.status_line, "hello");
  EXPECT_EQ(p.r.body_state, BodyState::unframed_complete);
}

TEST(ResponseReader, BadStatusCodeKeepsTheRawLineAndNoStatus) {
  const std::string bytes = "HTTP/1.1 2x0 OK\r\nContent-Length: 5\r\n\r\nhello";
  const Parsed p = parse(bytes, Ending::eof);
  EXPECT_EQ(p.r.status, std::nullopt);
  EXPECT_EQ(p.r.status_line, "HTTP/1.1 2x0 OK");
  EXPECT_EQ(p.r.status_error, "status code '2x0' is not three digits");
  EXPECT_TRUE(p.r.http09) << "a client can only take it as HTTP/0.9";
  EXPECT_EQ(p.r.body, bytes);
}

TEST(ResponseReader, InvalidStatusLines) {
  struct Case {
    std::string line;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"HTTP/2 200 OK", "version 'HTTP/2' is not HTTP/1.x"},
      {"HTTP/1.1 20 OK", "status code '20' is not three digits"},
      {"HTTP/1.1 2000 OK", "status code '2000' is not three digits"},
      {"HTTP/1.1", "no status code"},
      {"", "not an HTTP/1.x status line"},
      {"http/1.1 200 OK", "not an HTTP/1.x status line"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.line);
    const Parsed p = parse(c.line + "\r\n\r\n", Ending::eof);
    EXPECT_EQ(p.r.status, std::nullopt);
    EXPECT_TRUE(p.r.http09);
    EXPECT_EQ(p.r.status_line, c.line);
    EXPECT_EQ(p.r.status_error, c.error);
  }
}

// RFC 9110 §15: a code outside 100..599 is invalid, but a client SHOULD treat the response as a
// 5xx, so its head and framing still count: the message ends where its Content-Length says.
TEST(ResponseReader, OutOfRangeCodeIsFramedButHasNoStatus) {
  for (const std::string code : {"600", "099"}) {
    SCOPED_TRACE(code);
    const Parsed p = parse("HTTP/1.1 " + code + " Odd\r\nContent-Length: 5\r\n\r\nhello", {});
    EXPECT_EQ(p.r.status, std::nullopt);
    EXPECT_FALSE(p.r.http09);
    EXPECT_EQ(p.r.status_line, "HTTP/1.1 " + code + " Odd");
    EXPECT_EQ(p.r.status_error, "status code " + code + " is outside 100..599");
    EXPECT_TRUE(p.r.head_complete);
    EXPECT_EQ(p.r.body, "hello");
    EXPECT_EQ(p.r.body_state, BodyState::complete);
    EXPECT_TRUE(p.complete_before_finish) << "framed by its Content-Length, not by the close";
  }
}

TEST(ResponseReader, StatusLineWithoutReasonOrWithBareLf) {
  const Parsed bare = parse("HTTP/1.0 200\r\nContent-Length: 0\r\n\r\n", {});
  EXPECT_EQ(bare.r.status, 200);
  EXPECT_EQ(bare.r.reason, "");
  EXPECT_TRUE(bare.r.connection_close) << "HTTP/1.0 without keep-alive";
  const Parsed lf = parse("HTTP/1.1 404 Not Found\nContent-Length: 0\n\n", {});
  EXPECT_EQ(lf.r.status, 404);
  EXPECT_TRUE(lf.complete_before_finish);
  ASSERT_EQ(lf.r.header_problems.size(), 2u);
  EXPECT_EQ(lf.r.header_problems[0].kind, HeaderProblemKind::bare_lf);
  EXPECT_EQ(lf.r.header_problems[0].line, 1u);
  EXPECT_EQ(lf.r.header_problems[1].line, 2u);
}

// ---- header problems -------------------------------------------------------------------------

struct ProblemCase {
  std::string line;  ///< inserted before the blank line of a valid 200
  HeaderProblemKind kind;
};

TEST(ResponseReader, HeaderProblemsAreRecordedAndTheResponseStillParses) {
  const std::vector<ProblemCase> cases = {
      {"Bad Name: x", HeaderProblemKind::invalid_name},
      {"X-Bad(Name): x", HeaderProblemKind::invalid_name},
      {": empty name", HeaderProblemKind::invalid_name},
      {"X-Sp : x", HeaderProblemKind::space_before_colon},
      {"X-Nul: a\0b"s, HeaderProblemKind::nul_in_value},
      {"X-Cr: a\rb", HeaderProblemKind::cr_in_value},
      {"X-Ctl: a\x01z", HeaderProblemKind::ctl_in_value},
      {"X-Del: a\x7fz", HeaderProblemKind::ctl_in_value},
      {"X-No-Colon-Here", HeaderProblemKind::no_colon},
  };
  for (const ProblemCase& c : cases) {
    SCOPED_TRACE(esc(c.line));
    const Parsed p =
        parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n" + c.line + "\r\n\r\nhello", {});
    EXPECT_TRUE(p.complete_before_finish);
    EXPECT_EQ(p.r.body, "hello");
    ASSERT_EQ(p.r.header_problems.size(), 1u) << dump(p);
    EXPECT_EQ(p.r.header_problems[0].kind, c.kind);
    EXPECT_EQ(p.r.header_problems[0].line, 3u);
    EXPECT_EQ(p.r.header_problems[0].raw, c.line);
    EXPECT_TRUE(p.r.has_problem(c.kind));
  }
}

TEST(ResponseReader, HeaderNamesAndValuesAreKeptRaw) {
  const Parsed p = parse(
      "HTTP/1.1 200 OK\r\nX-Sp : x\r\nX-Nul: a\0b\r\nX-Ws:  \t padded \t\r\nX-No-Colon\r\n"
      "x-dup: 1\r\nX-Dup: 2\r\nContent-Length: 0\r\n\r\n"s,
      {});
  ASSERT_EQ(p.r.headers.size(), 6u) << dump(p);
  EXPECT_EQ(p.r.headers[0].first, "X-Sp ");
  EXPECT_EQ(p.r.headers[1].second, "a\0b"s);
  EXPECT_EQ(p.r.headers[2].second, "padded");
  EXPECT_EQ(p.r.header("X-SP"), std::nullopt) << "the name is not X-Sp";
  const auto dups = p.r.header_values("X-DUP");
  ASSERT_EQ(dups.size(), 2u);
  EXPECT_EQ(dups[0], "1");
  EXPECT_EQ(dups[1], "2");
}

TEST(ResponseReader, ObsFoldIsJoinedWithASpaceAndRecorded) {
  const Parsed p =
      parse("HTTP/1.1 200 OK\r\nX-Fold: a\r\n  b\r\n\tc\r\nContent-Length: 0\r\n\r\n", {});
  EXPECT_EQ(p.r.header("X-Fold"), "a b c");
  ASSERT_EQ(p.r.header_problems.size(), 2u);
  EXPECT_EQ(p.r.header_problems[0].kind, HeaderProblemKind::obs_fold);
  EXPECT_EQ(p.r.header_problems[0].line, 3u);
  EXPECT_EQ(p.r.header_problems[1].line, 4u);
}

TEST(ResponseReader, DuplicateContentLengthWithOneValueIsUsed) {
  for (const std::string framing :
       {"Content-Length: 5\r\nContent-Length: 5\r\n", "Content-Length: 5, 5\r\n"}) {
    SCOPED_TRACE(esc(framing));
    const Parsed p = parse("HTTP/1.1 200 OK\r\n" + framing + "\r\nhello", {});
    EXPECT_TRUE(p.complete_before_finish);
    EXPECT_EQ(p.r.framing, Framing::content_length);
    EXPECT_EQ(p.r.content_length, 5u);
    EXPECT_TRUE(p.r.has_problem(HeaderProblemKind::duplicate_content_length));
  }
}

TEST(ResponseReader, ConflictingOrInvalidContentLengthIsReadUntilClose) {
  struct Case {
    std::string framing;
    HeaderProblemKind kind;
  };
  const std::vector<Case> cases = {
      {"Content-Length: 5\r\nContent-Length: 6\r\n", HeaderProblemKind::conflicting_content_length},
      {"Content-Length: 5, 6\r\n", HeaderProblemKind::conflicting_content_length},
      {"Content-Length: abc\r\n", HeaderProblemKind::invalid_content_length},
      {"Content-Length: -5\r\n", HeaderProblemKind::invalid_content_length},
      {"Content-Length: +5\r\n", HeaderProblemKind::invalid_content_length},
      {"Content-Length:\r\n", HeaderProblemKind::invalid_content_length},
      {"Content-Length: 99999999999999999999999\r\n", HeaderProblemKind::invalid_content_length},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(esc(c.framing));
    const Parsed p = parse("HTTP/1.1 200 OK\r\n" + c.framing + "\r\nhello!", Ending::eof);
    EXPECT_FALSE(p.complete_before_finish);
    EXPECT_EQ(p.r.framing, Framing::until_close);
    EXPECT_EQ(p.r.content_length, std::nullopt);
    EXPECT_EQ(p.r.body, "hello!");
    EXPECT_EQ(p.r.body_state, BodyState::unframed_complete);
    ASSERT_EQ(p.r.header_problems.size(), 1u) << dump(p);
    EXPECT_EQ(p.r.header_problems[0].kind, c.kind);
  }
}

TEST(ResponseReader, TransferEncodingDecidesOverContentLength) {
  const Parsed p = parse(
      "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n0\r\n\r\n",
      {});
  EXPECT_TRUE(p.complete_before_finish);
  EXPECT_EQ(p.r.framing, Framing::chunked);
  EXPECT_EQ(p.r.chunked.payload, "hello");
  EXPECT_TRUE(p.r.has_problem(HeaderProblemKind::content_length_with_chunked));

  const Parsed bogus = parse(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: bogus\r\nContent-Length: 2\r\n\r\nhello", Ending::eof);
  EXPECT_EQ(bogus.r.framing, Framing::until_close);
  EXPECT_EQ(bogus.r.body, "hello");
  EXPECT_TRUE(bogus.r.has_problem(HeaderProblemKind::unknown_transfer_encoding));
}

TEST(ResponseReader, ConnectionCloseIsNoticed) {
  EXPECT_TRUE(
      parse("HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 0\r\n\r\n", {})
          .r.connection_close);
  EXPECT_FALSE(parse("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", {})
                   .r.connection_close);
}

// ---- interim responses -----------------------------------------------------------------------

TEST(ResponseReader, InterimResponsesAreSkippedAndRecorded) {
  const Parsed p = parse(
      "HTTP/1.1 100 Continue\r\n\r\n"
      "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
      {});
  EXPECT_TRUE(p.complete_before_finish);
  EXPECT_EQ(p.r.status, 200);
  EXPECT_EQ(p.r.status_line, "HTTP/1.1 200 OK");
  ASSERT_EQ(p.r.interim.size(), 2u);
  EXPECT_EQ(p.r.interim[0].status, 100);
  EXPECT_EQ(p.r.interim[0].status_line, "HTTP/1.1 100 Continue");
  EXPECT_EQ(p.r.interim[1].status, 103);
  ASSERT_EQ(p.r.interim[1].headers.size(), 1u);
  EXPECT_EQ(p.r.interim[1].headers[0].second, "</a.css>");
  ASSERT_EQ(p.r.headers.size(), 1u) << "only the final response's headers";
  EXPECT_EQ(p.r.body, "ok");
}

TEST(ResponseReader, InterimThenNothing) {
  const Parsed p = parse("HTTP/1.1 100 Continue\r\n\r\n", Ending::eof);
  EXPECT_EQ(p.r.status, std::nullopt);
  EXPECT_FALSE(p.r.http09);
  ASSERT_EQ(p.r.interim.size(), 1u);
  EXPECT_FALSE(p.r.response_complete);
}

TEST(ResponseReader, InterimThenGarbageIsHttp09) {
  const Parsed p = parse("HTTP/1.1 100 Continue\r\n\r\nnonsense", Ending::eof);
  EXPECT_TRUE(p.r.http09);
  EXPECT_EQ(p.r.body, "nonsense");
  EXPECT_EQ(p.r.interim.size(), 1u);
}

// ---- what follows the response ---------------------------------------------------------------

TEST(ResponseReader, PipelinedSecondResponseIsLeftUnconsumed) {
  const std::string first = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
  const std::string second = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nbye";
  ResponseReader reader;
  EXPECT_EQ(reader.feed(first + second), first.size());
  EXPECT_TRUE(reader.complete());
  EXPECT_EQ(reader.response().extra, second);
  EXPECT_EQ(reader.feed("more"), 0u);
  EXPECT_EQ(reader.response().extra, second + "more");
  EXPECT_EQ(reader.response().body, "hello");
  EXPECT_EQ(reader.bytes_seen(), first.size() + second.size() + 4);
  // The extra bytes parse on their own as the next response.
  ResponseReader next;
  EXPECT_EQ(next.feed(second), second.size());
  EXPECT_TRUE(next.complete());
  EXPECT_EQ(next.response().body, "bye");
}

TEST(ResponseReader, FinishIsIdempotentAndFeedAfterItIsIgnored) {
  ResponseReader reader;
  reader.feed("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc");
  reader.finish(Ending::reset);
  EXPECT_TRUE(reader.finished());
  EXPECT_EQ(reader.response().body_state, BodyState::truncated);
  reader.finish(Ending::eof);
  EXPECT_EQ(reader.feed("defghi"), 0u);
  EXPECT_EQ(reader.response().body, "abc");
  EXPECT_EQ(reader.response().body_state, BodyState::truncated);
}

TEST(ResponseReader, LargeHeadAndBodyInOddPieces) {
  std::string head = "HTTP/1.1 200 OK\r\nX-Large: " + std::string(70000, 'a') + "\r\n";
  for (int i = 0; i < 300; ++i) head += "X-H-" + std::to_string(i) + ": v\r\n";
  const std::string body(100000, 'b');
  const std::string bytes = head + "Content-Length: 100000\r\n\r\n" + body;
  const Parsed p = parse(bytes, {}, false, 997);
  EXPECT_TRUE(p.complete_before_finish);
  EXPECT_EQ(p.r.headers.size(), 302u);
  EXPECT_EQ(p.r.header("x-large")->size(), 70000u);
  EXPECT_EQ(p.r.body, body);
}

}  // namespace
