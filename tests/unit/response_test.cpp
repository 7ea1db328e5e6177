// Well-formed responses on the wire, byte for byte: framing, header order, chunking, close.
#include "simulator/response.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using bgw::sim::encode_chunked;
using bgw::sim::pattern_body;
using bgw::sim::Response;
using bgw::sim::serialize;
using bgw::sim::WireResponse;

TEST(Serialize, DefaultResponseUsesContentLength) {
  const WireResponse w = serialize(Response{});
  EXPECT_EQ(w.head, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
  EXPECT_EQ(w.body, "hello");
  EXPECT_EQ(w.all(), "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
}

TEST(Serialize, HeadersFollowTheFramingInOrder) {
  Response r;
  r.status = 404;
  r.headers = {{"Server", "bgw"}, {"X-B", "2"}, {"X-A", "1"}};
  r.body = "";
  EXPECT_EQ(
      serialize(r).all(),
      "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nServer: bgw\r\nX-B: 2\r\nX-A: 1\r\n\r\n");
}

TEST(Serialize, CustomReasonReplacesTheStandardPhrase) {
  Response r;
  r.status = 502;
  r.reason = "Upstream Sulking";
  EXPECT_EQ(serialize(r).head, "HTTP/1.1 502 Upstream Sulking\r\nContent-Length: 5\r\n\r\n");
}

TEST(Serialize, ChunkedInOneChunk) {
  Response r;
  r.chunked = true;
  const WireResponse w = serialize(r);
  EXPECT_EQ(w.head, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
  EXPECT_EQ(w.body, "5\r\nhello\r\n0\r\n\r\n");
}

TEST(Serialize, ChunkedWithChunkSize) {
  Response r;
  r.chunked = true;
  r.chunk_size = 2;
  EXPECT_EQ(serialize(r).body, "2\r\nhe\r\n2\r\nll\r\n1\r\no\r\n0\r\n\r\n");
}

TEST(Serialize, ChunkedEmptyBodyIsOnlyTheLastChunk) {
  Response r;
  r.chunked = true;
  r.body = "";
  EXPECT_EQ(serialize(r).body, "0\r\n\r\n");
}

TEST(Serialize, ExplicitContentLengthReplacesTheAutomaticOne) {
  Response r;
  r.headers = {{"Content-Length", "99"}};
  EXPECT_EQ(serialize(r).all(), "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\nhello");
}

TEST(Serialize, ExplicitFramingIsCaseInsensitive) {
  Response r;
  r.headers = {{"transfer-encoding", "gzip"}};
  EXPECT_EQ(serialize(r).all(), "HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\n\r\nhello");
}

TEST(Serialize, ExplicitFramingKeepsChunkedBodyEncoding) {
  Response r;
  r.chunked = true;
  r.headers = {{"Content-Length", "3"}};
  EXPECT_EQ(serialize(r).all(),
            "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
}

TEST(Serialize, CloseAddsConnectionCloseAfterTheHeaders) {
  Response r;
  r.close = true;
  r.headers = {{"Server", "bgw"}};
  EXPECT_EQ(serialize(r).head,
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: bgw\r\nConnection: close\r\n\r\n");
}

TEST(ReasonPhrase, KnownAndUnknownCodes) {
  EXPECT_STREQ(bgw::sim::reason_phrase(200), "OK");
  EXPECT_STREQ(bgw::sim::reason_phrase(502), "Bad Gateway");
  EXPECT_STREQ(bgw::sim::reason_phrase(503), "Service Unavailable");
  EXPECT_STREQ(bgw::sim::reason_phrase(504), "Gateway Timeout");
  EXPECT_STREQ(bgw::sim::reason_phrase(599), "Unknown");
  EXPECT_STREQ(bgw::sim::reason_phrase(0), "Unknown");
}

TEST(EncodeChunked, SizesAreLowercaseHex) {
  EXPECT_EQ(encode_chunked(std::string(26, 'x'), 0),
            "1a\r\n" + std::string(26, 'x') + "\r\n0\r\n\r\n");
  EXPECT_EQ(
      encode_chunked(std::string(300, 'y'), 256),
      "100\r\n" + std::string(256, 'y') + "\r\n2c\r\n" + std::string(44, 'y') + "\r\n0\r\n\r\n");
}

TEST(EncodeChunked, WithoutTheLastChunk) {
  EXPECT_EQ(encode_chunked("hello", 3, false), "3\r\nhel\r\n2\r\nlo\r\n");
  EXPECT_EQ(encode_chunked("", 0, false), "");
  EXPECT_EQ(encode_chunked("", 0), "0\r\n\r\n");
}

TEST(EncodeChunked, ChunkSizeLargerThanTheBody) {
  EXPECT_EQ(encode_chunked("abc", 100), "3\r\nabc\r\n0\r\n\r\n");
}

TEST(PatternBody, IsPositionDependentAndWraps) {
  EXPECT_EQ(pattern_body(0), "");
  EXPECT_EQ(pattern_body(10), "0123456789");
  EXPECT_EQ(pattern_body(40), "0123456789abcdefghijklmnopqrstuvwxyz0123");
  const std::string big = pattern_body(1000);
  EXPECT_EQ(big.size(), 1000u);
  EXPECT_EQ(big.substr(0, 100), pattern_body(100)) << "a shorter body is a prefix of a longer";
  EXPECT_EQ(big.substr(360, 36), big.substr(0, 36));
}

}  // namespace
