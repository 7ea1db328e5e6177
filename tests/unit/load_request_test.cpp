// What the load generator sends and when: the pre-serialised request with its id patched in,
// option validation, and the closed- and open-loop schedules.
#include <chrono>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "harness/load/load_generator.hpp"
#include "harness/load/load_schedule.hpp"
#include "harness/load/request_bytes.hpp"

namespace {

using namespace std::chrono_literals;
using bgw::load::Clock;
using bgw::load::LoadOptions;
using bgw::load::RequestBytes;
using bgw::load::Schedule;

LoadOptions options(std::uint16_t port = 8080) {
  LoadOptions o;
  o.port = port;
  return o;
}

TEST(LoadRequest, IdsArePatchedIntoTheSameBytes) {
  const RequestBytes r(options());
  std::string scratch;
  EXPECT_EQ(r.render(1, scratch),
            "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nX-Bgw-Request: 1\r\n\r\n");
  const void* storage = scratch.data();
  EXPECT_EQ(r.render(123456789012, scratch),
            "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nX-Bgw-Request: 123456789012\r\n\r\n");
  EXPECT_EQ(r.render(7, scratch),
            "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nX-Bgw-Request: 7\r\n\r\n");
  EXPECT_EQ(static_cast<const void*>(scratch.data()), storage) << "no reallocation per request";
}

TEST(LoadRequest, HeadersBodyAndHost) {
  LoadOptions o = options(81);
  o.host = "::1";
  o.method = "POST";
  o.target = "/submit?x=1";
  o.headers = {{"X-Test", "a b"}, {"Accept", "*/*"}};
  o.body = "hello";
  const RequestBytes r(o);
  std::string scratch;
  EXPECT_EQ(r.render(2, scratch),
            "POST /submit?x=1 HTTP/1.1\r\nHost: [::1]:81\r\nX-Test: a b\r\nAccept: */*\r\n"
            "Content-Length: 5\r\nX-Bgw-Request: 2\r\n\r\nhello");

  o.request_ids = false;
  o.headers = {{"host", "example"}};
  o.body.clear();
  const RequestBytes plain(o);
  EXPECT_EQ(plain.render(9, scratch),
            "POST /submit?x=1 HTTP/1.1\r\nhost: example\r\nContent-Length: 0\r\n\r\n");
  o.method = "HEAD";
  EXPECT_TRUE(RequestBytes(o).head_request());
}

TEST(LoadRequest, RequestsThatWouldNotBeOneRequestAreRejected) {
  const auto bad = [](auto change) {
    LoadOptions o = options();
    change(o);
    EXPECT_THROW(RequestBytes{o}, std::invalid_argument);
  };
  bad([](LoadOptions& o) { o.method = "GE T"; });
  bad([](LoadOptions& o) { o.method = ""; });
  bad([](LoadOptions& o) { o.target = "/a b"; });
  bad([](LoadOptions& o) { o.target = "/a\r\nX: y"; });
  bad([](LoadOptions& o) { o.target = "relative"; });
  bad([](LoadOptions& o) { o.headers = {{"X-A", "v\r\nInjected: 1"}}; });
  bad([](LoadOptions& o) { o.headers = {{"Bad Name", "v"}}; });
  bad([](LoadOptions& o) { o.headers = {{"", "v"}}; });
}

TEST(LoadSchedule, ClosedLoopHandsOutIdsUntilTheDurationEnds) {
  LoadOptions o = options();
  o.duration = 1s;
  const Clock::time_point t0 = Clock::now();
  Schedule s(o, t0);
  EXPECT_FALSE(s.open_loop());
  auto a = s.next(t0);
  auto b = s.next(t0 + 10ms);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->id, 1u);
  EXPECT_EQ(b->id, 2u);
  EXPECT_EQ(b->intended, t0 + 10ms) << "closed loop: intended is when it goes";
  EXPECT_FALSE(s.next(t0 + 1s)) << "nothing starts at or after the end";
  o.max_requests = 2;
  Schedule capped(o, t0);
  EXPECT_TRUE(capped.next(t0));
  EXPECT_TRUE(capped.next(t0));
  EXPECT_FALSE(capped.next(t0));
}

TEST(LoadSchedule, OpenLoopSpacesRequestsEvenlyWhateverTheTimeItIsAsked) {
  LoadOptions o = options();
  o.duration = 1s;
  o.rate = 100;
  const Clock::time_point t0 = Clock::now();
  Schedule s(o, t0);
  EXPECT_TRUE(s.open_loop());
  EXPECT_EQ(s.planned(), 100u) << "i * 10 ms < 1 s";
  for (std::uint64_t i = 0; i < 100; ++i) {
    // Asked late (a stalled proxy held every connection): the intended time does not move.
    const auto t = s.next(t0 + 5s);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->id, i + 1);
    EXPECT_EQ(t->intended, t0 + 10ms * static_cast<std::int64_t>(i));
  }
  EXPECT_FALSE(s.next(t0));

  o.rate = 3;  // 333.33 ms apart: ids 1..3 at 0, 333, 667 ms
  Schedule thirds(o, t0);
  EXPECT_EQ(thirds.planned(), 3u);
  o.rate = 1e6;
  o.duration = 10s;
  o.max_requests = 1000;
  Schedule capped(o, t0);
  EXPECT_EQ(capped.planned(), 1000u);
  o.max_requests = 0;
  Schedule millions(o, t0);
  EXPECT_EQ(millions.planned(), 10'000'000u);
  for (int i = 0; i < 9'999'999; ++i) millions.next(t0);
  const auto last = millions.next(t0);
  ASSERT_TRUE(last);
  EXPECT_EQ(last->intended, t0 + 10s - 1us) << "no drift over ten million requests";
}

}  // namespace
