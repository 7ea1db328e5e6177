// Request framing: where a head ends, what it declares, and where a chunked body ends, so
// pipelined requests are split at exactly the right byte.
#include "simulator/request_framer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace {

using bgw::sim::ChunkedBodyReader;
using bgw::sim::find_head_end;
using bgw::sim::parse_request_head;
using bgw::sim::RequestHead;

// ---- find_head_end -----------------------------------------------------------------------------

TEST(FindHeadEnd, CrlfHead) {
  const std::string head = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
  EXPECT_EQ(find_head_end(head), head.size());
}

TEST(FindHeadEnd, StopsBeforeTheBodyAndPipelinedBytes) {
  const std::string head = "POST /x HTTP/1.1\r\nContent-Length: 4\r\n\r\n";
  EXPECT_EQ(find_head_end(head + "BODYGET / HTTP/1.1\r\n\r\n"), head.size());
}

TEST(FindHeadEnd, RequestLineOnly) {
  EXPECT_EQ(find_head_end("GET / HTTP/1.1\r\n\r\n"), 18u);
}

TEST(FindHeadEnd, BareLfHead) {
  const std::string head = "GET / HTTP/1.1\nHost: a\n\n";
  EXPECT_EQ(find_head_end(head), head.size());
  EXPECT_EQ(find_head_end(head + "next"), head.size());
}

TEST(FindHeadEnd, MixedLineEndings) {
  const std::string head = "GET / HTTP/1.1\r\nHost: a\n\r\n";
  EXPECT_EQ(find_head_end(head), head.size());
}

TEST(FindHeadEnd, IncompleteHeadIsZero) {
  for (const char* partial : {"", "G", "GET / HTTP/1.1", "GET / HTTP/1.1\r\n",
                              "GET / HTTP/1.1\r\n\r", "GET / HTTP/1.1\r\nHost: a\r\n",
                              "GET / HTTP/1.1\nHost: a\n", "GET / HTTP/1.1\r\nHost: a\r\n\r"}) {
    EXPECT_EQ(find_head_end(partial), 0u) << "'" << partial << "'";
  }
}

TEST(FindHeadEnd, GrowsByteByByteToTheRightSize) {
  const std::string head = "GET /a HTTP/1.1\r\nHost: a\r\nX: y\r\n\r\n";
  for (std::size_t n = 0; n < head.size(); ++n)
    EXPECT_EQ(find_head_end(std::string_view(head).substr(0, n)), 0u) << n;
  EXPECT_EQ(find_head_end(head), head.size());
}

// ---- parse_request_head ------------------------------------------------------------------------

TEST(ParseRequestHead, MethodTargetAndRequestLine) {
  const RequestHead r = parse_request_head("GET /path?q=1 HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_TRUE(r.valid);
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.target, "/path?q=1");
  EXPECT_EQ(r.request_line, "GET /path?q=1 HTTP/1.1");
  EXPECT_EQ(r.content_length, 0u);
  EXPECT_FALSE(r.chunked);
}

TEST(ParseRequestHead, BareLfHead) {
  const RequestHead r = parse_request_head("PUT /x HTTP/1.1\ncontent-length: 7\n\n");
  EXPECT_TRUE(r.valid);
  EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(r.request_line, "PUT /x HTTP/1.1");
  EXPECT_EQ(r.content_length, 7u);
}

TEST(ParseRequestHead, ContentLengthCaseInsensitiveAndTrimmed) {
  const RequestHead r = parse_request_head("POST / HTTP/1.1\r\nCONTENT-LENGTH:\t 12 \r\n\r\n");
  EXPECT_TRUE(r.valid);
  EXPECT_EQ(r.content_length, 12u);
}

TEST(ParseRequestHead, IdenticalContentLengthsAreFine) {
  const RequestHead r =
      parse_request_head("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n");
  EXPECT_TRUE(r.valid);
  EXPECT_EQ(r.content_length, 3u);
}

TEST(ParseRequestHead, ConflictingContentLengthsAreInvalid) {
  const RequestHead r =
      parse_request_head("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n");
  EXPECT_FALSE(r.valid);
  EXPECT_STREQ(r.error, "conflicting Content-Length");
}

TEST(ParseRequestHead, NonNumericOrEmptyContentLengthIsInvalid) {
  const RequestHead abc = parse_request_head("POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n");
  EXPECT_FALSE(abc.valid);
  EXPECT_STREQ(abc.error, "invalid Content-Length");
  const RequestHead neg = parse_request_head("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n");
  EXPECT_FALSE(neg.valid);
  const RequestHead empty = parse_request_head("POST / HTTP/1.1\r\nContent-Length:\r\n\r\n");
  EXPECT_FALSE(empty.valid);
  EXPECT_STREQ(empty.error, "empty Content-Length");
  const RequestHead huge =
      parse_request_head("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n");
  EXPECT_FALSE(huge.valid);
}

TEST(ParseRequestHead, ChunkedOverridesContentLength) {
  const RequestHead r = parse_request_head(
      "POST / HTTP/1.1\r\nContent-Length: 10\r\nTransfer-Encoding: chunked\r\n\r\n");
  EXPECT_TRUE(r.valid);
  EXPECT_TRUE(r.chunked);
  EXPECT_EQ(r.content_length, 0u);
}

TEST(ParseRequestHead, ChunkedMustBeTheLastCoding) {
  EXPECT_TRUE(
      parse_request_head("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n").chunked);
  EXPECT_FALSE(
      parse_request_head("POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n").chunked);
  EXPECT_FALSE(
      parse_request_head("POST / HTTP/1.1\r\nTransfer-Encoding: identity\r\n\r\n").chunked);
}

TEST(ParseRequestHead, GarbageIsInvalid) {
  const RequestHead one_word = parse_request_head("GARBAGE\r\n\r\n");
  EXPECT_FALSE(one_word.valid);
  EXPECT_STREQ(one_word.error, "malformed request line");
  const RequestHead two_words = parse_request_head("GET /\r\n\r\n");
  EXPECT_FALSE(two_words.valid);
  const RequestHead no_line = parse_request_head("no line ending at all");
  EXPECT_FALSE(no_line.valid);
  EXPECT_STREQ(no_line.error, "no request line");
  const RequestHead binary = parse_request_head(std::string_view("\x16\x03\x01\x00\n\n", 6));
  EXPECT_FALSE(binary.valid);
}

TEST(ParseRequestHead, HeaderLinesWithoutColonAreIgnored) {
  const RequestHead r =
      parse_request_head("GET / HTTP/1.1\r\njunk line\r\nContent-Length: 2\r\n\r\n");
  EXPECT_TRUE(r.valid);
  EXPECT_EQ(r.content_length, 2u);
}

TEST(ParseRequestHead, ConnectionCloseAndHttp10AskToClose) {
  EXPECT_FALSE(parse_request_head("GET / HTTP/1.1\r\nHost: a\r\n\r\n").close);
  EXPECT_TRUE(parse_request_head("GET / HTTP/1.1\r\nConnection: close\r\n\r\n").close);
  EXPECT_TRUE(parse_request_head("GET / HTTP/1.1\r\nconnection: Keep-Alive, CLOSE\r\n\r\n").close);
  EXPECT_TRUE(parse_request_head("GET / HTTP/1.0\r\n\r\n").close);
  EXPECT_FALSE(parse_request_head("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").close);
  EXPECT_FALSE(parse_request_head("GET / HTTP/1.1\r\nConnection: closed\r\n\r\n").close);
}

// ---- ChunkedBodyReader -------------------------------------------------------------------------

TEST(ChunkedBodyReader, OneFeed) {
  const std::string body = "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
  ChunkedBodyReader r;
  EXPECT_EQ(r.feed(body), body.size());
  EXPECT_TRUE(r.done());
  EXPECT_FALSE(r.failed());
  EXPECT_EQ(r.payload(), 11u);
}

TEST(ChunkedBodyReader, ByteByByte) {
  const std::string body = "5\r\nhello\r\nA\r\n0123456789\r\n0\r\n\r\n";
  ChunkedBodyReader r;
  for (std::size_t i = 0; i < body.size(); ++i) {
    ASSERT_FALSE(r.done()) << "done early at byte " << i;
    ASSERT_EQ(r.feed(std::string_view(body).substr(i, 1)), 1u) << "byte " << i;
  }
  EXPECT_TRUE(r.done());
  EXPECT_EQ(r.payload(), 15u);
  EXPECT_EQ(r.feed("more"), 0u) << "nothing is consumed after the end";
}

TEST(ChunkedBodyReader, HexSizesInBothCases) {
  ChunkedBodyReader r;
  const std::string body = "a\r\n0123456789\r\nB\r\n0123456789x\r\n0\r\n\r\n";
  EXPECT_EQ(r.feed(body), body.size());
  EXPECT_TRUE(r.done());
  EXPECT_EQ(r.payload(), 21u);
}

TEST(ChunkedBodyReader, ChunkExtensionsAreSkipped) {
  const std::string body = "5;name=value\r\nhello\r\n3 ; x=\"y\"\r\nabc\r\n0;last\r\n\r\n";
  ChunkedBodyReader r;
  EXPECT_EQ(r.feed(body), body.size());
  EXPECT_TRUE(r.done());
  EXPECT_EQ(r.payload(), 8u);
}

TEST(ChunkedBodyReader, TrailersAreConsumed) {
  const std::string body = "5\r\nhello\r\n0\r\nX-Trailer: v\r\nX-Other: w\r\n\r\n";
  ChunkedBodyReader r;
  EXPECT_EQ(r.feed(body), body.size());
  EXPECT_TRUE(r.done());
  EXPECT_EQ(r.payload(), 5u);
}

TEST(ChunkedBodyReader, TrailersByteByByte) {
  const std::string body = "1\r\nx\r\n0\r\nT: v\r\n\r\n";
  ChunkedBodyReader r;
  std::size_t used = 0;
  for (const char c : body) used += r.feed(std::string_view(&c, 1));
  EXPECT_EQ(used, body.size());
  EXPECT_TRUE(r.done());
}

TEST(ChunkedBodyReader, BareLfFraming) {
  const std::string body = "5\nhello\n0\n\n";
  ChunkedBodyReader r;
  EXPECT_EQ(r.feed(body), body.size());
  EXPECT_TRUE(r.done());
  EXPECT_EQ(r.payload(), 5u);
}

TEST(ChunkedBodyReader, StopsExactlyAtTheEndLeavingPipelinedBytes) {
  const std::string body = "5\r\nhello\r\n0\r\n\r\n";
  const std::string next = "GET /next HTTP/1.1\r\n\r\n";
  ChunkedBodyReader r;
  EXPECT_EQ(r.feed(body + next), body.size());
  EXPECT_TRUE(r.done());
}

TEST(ChunkedBodyReader, StopsExactlyAtTheEndAcrossFeeds) {
  const std::string all = "5\r\nhello\r\n0\r\n\r\nGET / HTTP/1.1\r\n\r\n";
  ChunkedBodyReader r;
  std::size_t used = r.feed(std::string_view(all).substr(0, 7));
  EXPECT_EQ(used, 7u);
  used += r.feed(std::string_view(all).substr(used));
  EXPECT_EQ(used, 15u);
  EXPECT_TRUE(r.done());
}

TEST(ChunkedBodyReader, BadSizeFails) {
  ChunkedBodyReader r;
  EXPECT_EQ(r.feed("zz\r\nhello\r\n0\r\n\r\n"), 0u);
  EXPECT_TRUE(r.failed());
  EXPECT_FALSE(r.done());
}

TEST(ChunkedBodyReader, EmptySizeLineFails) {
  ChunkedBodyReader r;
  EXPECT_EQ(r.feed("\r\n"), 0u);
  EXPECT_TRUE(r.failed());
}

TEST(ChunkedBodyReader, MissingCrlfAfterDataFails) {
  ChunkedBodyReader r;
  EXPECT_EQ(r.feed("5\r\nhelloX\r\n"), 8u);
  EXPECT_TRUE(r.failed());
}

TEST(ChunkedBodyReader, CrWithoutLfAfterSizeFails) {
  ChunkedBodyReader r;
  EXPECT_EQ(r.feed("5\rhello"), 2u);
  EXPECT_TRUE(r.failed());
}

TEST(ChunkedBodyReader, OverflowingSizeFails) {
  ChunkedBodyReader r;
  r.feed("fffffffffffffffff\r\n");
  EXPECT_TRUE(r.failed());
}

TEST(ChunkedBodyReader, LaterBadSizeFailsAfterTheGoodChunk) {
  ChunkedBodyReader r;
  const std::string good = "5\r\nhello\r\n";
  EXPECT_EQ(r.feed(good + "zz\r\n"), good.size());
  EXPECT_TRUE(r.failed());
  EXPECT_EQ(r.payload(), 5u);
}

TEST(ChunkedBodyReader, EmptyFeedConsumesNothing) {
  ChunkedBodyReader r;
  EXPECT_EQ(r.feed(""), 0u);
  EXPECT_FALSE(r.done());
  EXPECT_FALSE(r.failed());
}

}  // namespace
