// Script step vocabulary: which steps end a connection, their journal names, rule matching.
#include "simulator/script.hpp"

#include <gtest/gtest.h>

#include "simulator/upstream_spec.hpp"

namespace {

using namespace std::chrono_literals;
using namespace bgw::sim;

TEST(Script, EndsConnection) {
  EXPECT_TRUE(ends_connection(Close{}));
  EXPECT_TRUE(ends_connection(Reset{}));
  EXPECT_TRUE(ends_connection(HalfClose{}));
  EXPECT_TRUE(ends_connection(Stall{}));
  EXPECT_FALSE(ends_connection(Stall{1s}));
  EXPECT_FALSE(ends_connection(ReadRequest{}));
  EXPECT_FALSE(ends_connection(Write{"x"}));
  EXPECT_FALSE(ends_connection(Drip{"x", 1, 1ms}));
  EXPECT_FALSE(ends_connection(Delay{1ms}));
  EXPECT_FALSE(ends_connection(ServeRequests{1}));
}

TEST(Script, StepNames) {
  EXPECT_STREQ(step_name(ReadRequest{}), "read");
  EXPECT_STREQ(step_name(Write{}), "write");
  EXPECT_STREQ(step_name(Drip{}), "drip");
  EXPECT_STREQ(step_name(Delay{}), "delay");
  EXPECT_STREQ(step_name(Stall{}), "stall");
  EXPECT_STREQ(step_name(Close{}), "close");
  EXPECT_STREQ(step_name(Reset{}), "reset");
  EXPECT_STREQ(step_name(HalfClose{}), "half_close");
  EXPECT_STREQ(step_name(ServeRequests{}), "serve_requests");
}

TEST(Match, CoversItsRangeOnly) {
  EXPECT_TRUE(Match::every().covers(1));
  EXPECT_TRUE(Match::every().covers(1000000));
  EXPECT_FALSE(Match::nth(2).covers(1));
  EXPECT_TRUE(Match::nth(2).covers(2));
  EXPECT_FALSE(Match::nth(2).covers(3));
  EXPECT_FALSE(Match::from(3).covers(2));
  EXPECT_TRUE(Match::from(3).covers(3));
  EXPECT_TRUE(Match::from(3).covers(UINT64_MAX));
}

TEST(ListenerMode, Names) {
  EXPECT_STREQ(to_string(ListenerMode::accept), "accept");
  EXPECT_STREQ(to_string(ListenerMode::refuse), "refuse");
  EXPECT_STREQ(to_string(ListenerMode::blackhole), "blackhole");
}

}  // namespace
