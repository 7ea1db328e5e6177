// The load generator's response framing: where a response ends, whether the connection
// persists, and that garbage is `invalid` (never a crash), whichever way the bytes are split.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "harness/load/response_framer.hpp"

namespace {

using bgw::load::ResponseFramer;
using State = ResponseFramer::State;

struct Framed {
  State state = State::need_more;
  std::size_t used = 0;  ///< bytes that belonged to the response
  int status = 0;
  bool keep_alive = false;
};

// Feeds `bytes` in pieces of `piece` (0: all at once) the way the generator does: an
// unconsumed tail is kept and offered again with the next piece. `eof`: then the peer closes.
Framed frame(const std::string& bytes, std::size_t piece = 0, bool eof = false, bool head = false) {
  ResponseFramer f;
  f.start(head);
  std::string pending;
  std::size_t used = 0;
  std::size_t at = 0;
  while (at < bytes.size() && f.state() == State::need_more) {
    const std::size_t n = piece == 0 ? bytes.size() - at : std::min(piece, bytes.size() - at);
    pending.append(bytes, at, n);
    at += n;
    const std::size_t took = f.feed(pending.data(), pending.size());
    used += took;
    pending.erase(0, took);
  }
  if (eof && f.state() == State::need_more) f.finish_at_eof();
  return {f.state(), used, f.status(), f.keep_alive()};
}

const std::string kOk = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

TEST(LoadResponseFramer, ContentLengthEndsTheResponseAndLeavesTheRest) {
  const Framed r = frame(kOk + "HTTP/1.1 204");
  EXPECT_EQ(r.state, State::complete);
  EXPECT_EQ(r.used, kOk.size());
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.keep_alive);
}

TEST(LoadResponseFramer, SameAnswerForEverySplit) {
  const std::vector<std::string> responses = {
      kOk,
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
      "2;name=value\r\nhe\r\n3 \r\nllo\r\n0\r\nTrailer: x\r\nMore: y\r\n\r\n",
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok",
      "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 503 Service Unavailable\nContent-Length: 3\n\nbad",  // bare LF line ends
      "\r\nHTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n",   // a stray CRLF first
  };
  for (const std::string& resp : responses) {
    SCOPED_TRACE(resp);
    const Framed whole = frame(resp);
    ASSERT_EQ(whole.state, State::complete);
    EXPECT_EQ(whole.used, resp.size());
    for (std::size_t piece = 1; piece <= resp.size(); ++piece) {
      const Framed split = frame(resp, piece);
      ASSERT_EQ(split.state, State::complete) << piece;
      EXPECT_EQ(split.used, resp.size()) << piece;
      EXPECT_EQ(split.status, whole.status) << piece;
      EXPECT_EQ(split.keep_alive, whole.keep_alive) << piece;
    }
  }
}

TEST(LoadResponseFramer, ConnectionPersistence) {
  EXPECT_TRUE(frame(kOk).keep_alive);
  EXPECT_FALSE(
      frame("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").keep_alive);
  EXPECT_FALSE(
      frame("HTTP/1.1 200 OK\r\nconnection: Keep-Alive, CLOSE\r\nContent-Length: 0\r\n\r\n")
          .keep_alive);
  EXPECT_FALSE(frame("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").keep_alive);
  EXPECT_TRUE(
      frame("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n").keep_alive);
  // Both framings: Transfer-Encoding wins, and the connection is not trusted afterwards.
  const Framed both = frame(
      "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"
      "0\r\n\r\n");
  EXPECT_EQ(both.state, State::complete);
  EXPECT_FALSE(both.keep_alive);
}

TEST(LoadResponseFramer, ReadUntilCloseCompletesAtEof) {
  const std::string resp = "HTTP/1.1 200 OK\r\n\r\nhello, all of it";
  EXPECT_EQ(frame(resp).state, State::need_more);
  const Framed r = frame(resp, 3, /*eof=*/true);
  EXPECT_EQ(r.state, State::complete);
  EXPECT_FALSE(r.keep_alive);
  EXPECT_EQ(frame("HTTP/1.1 200 OK\r\nTransfer-Encoding: bogus\r\n\r\nhello", 0, true).state,
            State::complete);
}

TEST(LoadResponseFramer, TruncatedResponsesAreNotCompleteAtEof) {
  EXPECT_EQ(frame("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello", 0, true).state,
            State::need_more);
  EXPECT_EQ(frame("HTTP/1.1 200 OK\r\nContent-Le", 0, true).state, State::need_more);
  EXPECT_EQ(
      frame("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", 0, true).state,
      State::need_more);
  EXPECT_EQ(frame("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello", 0, true).status, 200)
      << "the status of a cut response is still known";
}

TEST(LoadResponseFramer, ResponsesWithoutBody) {
  EXPECT_EQ(frame("HTTP/1.1 204 No Content\r\n\r\n").state, State::complete);
  EXPECT_EQ(frame("HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n").state,
            State::complete);
  const Framed head = frame("HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", 0, false, true);
  EXPECT_EQ(head.state, State::complete);
  EXPECT_TRUE(head.keep_alive);
  const Framed upgrade = frame("HTTP/1.1 101 Switching Protocols\r\n\r\n");
  EXPECT_EQ(upgrade.state, State::complete);
  EXPECT_FALSE(upgrade.keep_alive);
}

TEST(LoadResponseFramer, ContentLengthLists) {
  EXPECT_EQ(frame("HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhello").state, State::complete);
  EXPECT_EQ(frame("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello").state,
            State::complete);
}

TEST(LoadResponseFramer, GarbageIsInvalid) {
  const std::vector<std::string> garbage = {
      "GARBAGE NOT HTTP\r\n\r\nhello",
      "hello",  // HTTP/0.9: a body with no status line
      "HTTP/2 200\r\n\r\n",
      "HTTP/1.1 2000 OK\r\n\r\n",
      "HTTP/1.1 20 OK\r\n\r\n",
      "HTTP/1.1 099 OK\r\n\r\n",
      "HTTP/1.1 200OK\r\n\r\n",
      "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
      "HTTP/1.1 200 OK\r\nX-Sp : x\r\n\r\n",
      "HTTP/1.1 200 OK\r\nX-No-Colon-Here\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
      "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello!",
      "HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\nhello",
      "HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\nhello",
      "HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\nhello",
      "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloX\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n",
  };
  for (const std::string& g : garbage) {
    SCOPED_TRACE(g);
    EXPECT_EQ(frame(g).state, State::invalid);
    for (std::size_t piece = 1; piece < g.size(); ++piece)
      ASSERT_EQ(frame(g, piece, true).state, State::invalid) << piece;
  }
}

TEST(LoadResponseFramer, GarbageIsSeenBeforeAnyLineEnd) {
  ResponseFramer f;
  f.start();
  const std::string g = "<html>";
  EXPECT_EQ(f.feed(g.data(), g.size()), 0u);
  EXPECT_EQ(f.state(), State::invalid);
}

TEST(LoadResponseFramer, OverlongLinesAreInvalid) {
  const std::string line(ResponseFramer::max_line + 10, 'a');
  EXPECT_EQ(frame("HTTP/1.1 200 OK\r\nX-Large: " + line + "\r\n\r\n").state, State::invalid);
  EXPECT_EQ(frame("HTTP/1.1 200 OK\r\nX-Large: " + line).state, State::invalid)
      << "without a line end in sight";
  std::string many = "HTTP/1.1 200 OK\r\n";
  while (many.size() < ResponseFramer::max_head + 100) many += "X-Header: value\r\n";
  EXPECT_EQ(frame(many + "\r\n").state, State::invalid);
}

TEST(LoadResponseFramer, RandomBytesNeverCrash) {
  std::mt19937_64 rng(1234);
  const std::string alphabet = "HTP/1.0 2\r\n:;abcdef-Content-Length: chunked Transfer-Encoding";
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<std::size_t> len(0, 300);
  std::uniform_int_distribution<std::size_t> cut(1, 40);
  for (int i = 0; i < 5000; ++i) {
    std::string s = i % 2 ? "HTTP/1.1 200 OK\r\n" : "";
    const std::size_t n = len(rng);
    for (std::size_t k = 0; k < n; ++k)
      s += i % 3 ? alphabet[pick(rng)] : static_cast<char>(byte(rng));
    const Framed r = frame(s, cut(rng), true);
    EXPECT_LE(r.used, s.size());
  }
}

}  // namespace
