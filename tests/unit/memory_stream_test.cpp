// The in-memory stream that stands in for a socket in session tests: it must behave like one
// (posted completions, eof, aborted reads after close) or the session tests prove nothing.
#include "support/memory_stream.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <optional>
#include <string>

#include <boost/asio/write.hpp>

namespace {

namespace net = boost::asio;
using bgw::test::EndedBy;
using bgw::test::MemoryStream;
using boost::system::error_code;
using testing::ElementsAre;

struct Result {
  error_code ec;
  std::size_t n = 0;
};

class MemoryStreamTest : public testing::Test {
 protected:
  // The result lives in the fixture: a read left pending may complete later in the test.
  std::optional<Result> read(std::size_t size = 64) {
    read_result_.reset();
    buffer_.assign(size, '\0');
    stream_.async_read_some(net::buffer(buffer_), [this](error_code ec, std::size_t n) {
      read_result_ = Result{ec, n};
    });
    io_.restart();
    io_.poll();
    return read_result_;
  }
  Result write(const std::string& bytes) {
    std::optional<Result> r;
    stream_.async_write_some(net::buffer(bytes), [&r](error_code ec, std::size_t n) {
      r = Result{ec, n};
    });
    io_.restart();
    io_.poll();
    EXPECT_TRUE(r.has_value()) << "writes always complete";
    return r.value_or(Result{});
  }
  std::string got(const Result& r) const { return buffer_.substr(0, r.n); }

  net::io_context io_;
  MemoryStream stream_{io_};
  std::string buffer_;
  std::optional<Result> read_result_;
};

TEST_F(MemoryStreamTest, CompletionsArePostedNeverInline) {
  stream_.push_input("abc");
  bool called = false;
  std::array<char, 8> buf{};
  stream_.async_read_some(net::buffer(buf), [&](error_code, std::size_t) { called = true; });
  EXPECT_FALSE(called);
  io_.poll();
  EXPECT_TRUE(called);
  called = false;
  stream_.async_write_some(net::buffer(std::string("x")),
                           [&](error_code, std::size_t) { called = true; });
  EXPECT_FALSE(called);
  io_.restart();
  io_.poll();
  EXPECT_TRUE(called);
}

TEST_F(MemoryStreamTest, ReadsReturnOneSegmentAtATime) {
  stream_.push_input("abc");
  stream_.push_input("defgh");
  auto r = read(4);
  ASSERT_TRUE(r);
  EXPECT_EQ(got(*r), "abc");
  r = read(4);
  EXPECT_EQ(got(*r), "defg");
  r = read(4);
  EXPECT_EQ(got(*r), "h");
  EXPECT_EQ(stream_.input_left(), 0u);
}

TEST_F(MemoryStreamTest, ReadStaysPendingUntilInputArrives) {
  EXPECT_FALSE(read().has_value());
  EXPECT_TRUE(stream_.read_pending());
}

TEST_F(MemoryStreamTest, PendingReadCompletesWhenInputArrives) {
  std::optional<Result> r;
  std::array<char, 8> buf{};
  stream_.async_read_some(net::buffer(buf), [&](error_code ec, std::size_t n) { r = {ec, n}; });
  io_.poll();
  EXPECT_FALSE(r);
  stream_.push_input("hi");
  io_.restart();
  io_.poll();
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->ec);
  EXPECT_EQ(r->n, 2u);
  EXPECT_EQ(std::string(buf.data(), 2), "hi");
}

TEST_F(MemoryStreamTest, EofOnlyAfterTheInputIsExhausted) {
  stream_.push_input("ab");
  stream_.peer_close();
  auto r = read();
  EXPECT_EQ(got(*r), "ab");
  r = read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->ec, net::error::eof);
  r = read();
  EXPECT_EQ(r->ec, net::error::eof);
}

TEST_F(MemoryStreamTest, PeerResetDropsInputAndFailsReadsAndWrites) {
  stream_.push_input("lost");
  stream_.peer_reset();
  auto r = read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->ec, net::error::connection_reset);
  EXPECT_EQ(write("x").ec, net::error::connection_reset);
}

TEST_F(MemoryStreamTest, WritesAppendAndAreRecorded) {
  EXPECT_EQ(write("abc").n, 3u);
  EXPECT_EQ(write("de").n, 2u);
  EXPECT_EQ(stream_.output(), "abcde");
  ASSERT_EQ(stream_.writes().size(), 2u);
  EXPECT_EQ(stream_.writes()[0].size, 3u);
  EXPECT_EQ(stream_.writes()[1].size, 2u);
  EXPECT_LE(stream_.writes()[0].at, stream_.writes()[0].completed);
  EXPECT_LE(stream_.writes()[0].completed, stream_.writes()[1].at);
}

TEST_F(MemoryStreamTest, ComposedAsyncWriteWorks) {
  std::optional<Result> r;
  net::async_write(stream_, net::buffer(std::string("whole")), [&](error_code ec, std::size_t n) {
    r = {ec, n};
  });
  io_.run();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->n, 5u);
  EXPECT_EQ(stream_.output(), "whole");
}

TEST_F(MemoryStreamTest, FailWritesAfter) {
  stream_.fail_writes_after(1);
  EXPECT_FALSE(write("ok").ec);
  const Result r = write("no");
  EXPECT_EQ(r.ec, net::error::connection_reset);
  EXPECT_EQ(r.n, 0u);
  EXPECT_EQ(stream_.output(), "ok");
}

TEST_F(MemoryStreamTest, CloseGracefulDrainsTheInputFirst) {
  stream_.push_input("unread");
  bgw::test::close_graceful(stream_);
  EXPECT_EQ(stream_.discarded(), 6u);
  EXPECT_EQ(stream_.ended_by(), EndedBy::fin);
  EXPECT_TRUE(stream_.closed());
  auto r = read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->ec, net::error::operation_aborted);
  EXPECT_EQ(write("x").ec, net::error::bad_descriptor);
}

TEST_F(MemoryStreamTest, ClosingAbortsThePendingRead) {
  EXPECT_FALSE(read().has_value());
  bgw::test::close_abortive(stream_);
  io_.restart();
  io_.poll();
  ASSERT_TRUE(read_result_);
  EXPECT_EQ(read_result_->ec, net::error::operation_aborted);
  EXPECT_FALSE(stream_.read_pending());
  EXPECT_THAT(stream_.endings(), ElementsAre(EndedBy::rst));
}

TEST_F(MemoryStreamTest, EmptyPushesAreIgnored) {
  stream_.push_input("");
  EXPECT_FALSE(read().has_value());
}

TEST_F(MemoryStreamTest, HalfCloseStillReadsButCannotWrite) {
  bgw::test::shutdown_send(stream_);
  EXPECT_EQ(stream_.ended_by(), EndedBy::half_close);
  EXPECT_FALSE(stream_.closed());
  stream_.push_input("more");
  auto r = read();
  ASSERT_TRUE(r);
  EXPECT_EQ(got(*r), "more");
  EXPECT_EQ(write("x").ec, net::error::broken_pipe);
  bgw::test::close_as_exit(stream_);
  EXPECT_THAT(stream_.endings(), ElementsAre(EndedBy::half_close, EndedBy::exit_close));
  EXPECT_TRUE(stream_.closed());
}

TEST_F(MemoryStreamTest, SetNoDelayIsRecorded) {
  EXPECT_FALSE(stream_.no_delay());
  bgw::test::set_no_delay(stream_);
  EXPECT_TRUE(stream_.no_delay());
  EXPECT_EQ(stream_.ended_by(), EndedBy::open);
}

}  // namespace
