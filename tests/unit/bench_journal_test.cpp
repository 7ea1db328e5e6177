// Reading upstream journals for the bench: the X-Bgw-Request id in a request head, deliveries
// timed from the start of the load, and the moment a timeline event shows in the journal.
#include <gtest/gtest.h>

#include "harness/bench/delivery_journal.hpp"

namespace {

using namespace std::chrono_literals;
using bgw::bench::Nanos;
using bgw::bench::request_id;
using bgw::sim::Event;
using bgw::sim::EventKind;

TEST(BenchJournal, RequestIdIsReadFromTheHeadWhateverTheCase) {
  EXPECT_EQ(request_id("GET / HTTP/1.1\r\nHost: x\r\nX-Bgw-Request: 42\r\n\r\n"), 42u);
  EXPECT_EQ(request_id("GET / HTTP/1.1\r\nx-bgw-request:7\r\nhost: x\r\n\r\n"), 7u);
  EXPECT_EQ(request_id("GET / HTTP/1.1\r\nX-BGW-REQUEST: \t 18446744073709551615 \r\n\r\n"),
            18446744073709551615u);
  EXPECT_EQ(request_id("GET / HTTP/1.1\nX-Bgw-Request: 9\n\n"), 9u);  // bare LF
}

TEST(BenchJournal, HeadsWithoutAUsableIdHaveNone) {
  EXPECT_FALSE(request_id("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_FALSE(request_id("GET /X-Bgw-Request: 5 HTTP/1.1\r\n\r\n"));  // the request line
  EXPECT_FALSE(request_id("GET / HTTP/1.1\r\nX-Bgw-Request: 1.1\r\n\r\n"));
  EXPECT_FALSE(request_id("GET / HTTP/1.1\r\nX-Bgw-Request:\r\n\r\n"));
  EXPECT_FALSE(request_id("GET / HTTP/1.1\r\nX-Bgw-Requests: 5\r\n\r\n"));
  EXPECT_FALSE(request_id("GET / HTTP/1.1\r\nX-Bgw-Request: 123456789012345678901\r\n\r\n"));
  EXPECT_FALSE(request_id(""));
}

TEST(BenchJournal, DeliveriesAreRequestHeadsTimedFromTheLoad) {
  const auto origin = bgw::sim::Clock::now();
  std::vector<Event> events = {
      Event{origin - 1ms,
            EventKind::request_head,
            1,
            1,
            10,
            {},
            {},
            "GET / HTTP/1.1\r\nX-Bgw-Request: 1\r\n\r\n"},  // before the load: dropped
      Event{origin + 5ms, EventKind::accepted, 2, 0, 0, {}, {}, ""},
      Event{origin + 6ms,
            EventKind::request_head,
            2,
            2,
            10,
            {},
            {},
            "GET / HTTP/1.1\r\nX-Bgw-Request: 2\r\n\r\n"},
      Event{origin + 7ms, EventKind::wrote, 2, 2, 10, {}, {}, "HTTP/1.1 200 OK\r\n"},
      Event{origin + 8ms, EventKind::request_head, 3, 3, 10, {}, {}, "GET / HTTP/1.1\r\n\r\n"},
  };
  std::vector<bgw::bench::Delivery> out;
  bgw::bench::collect_deliveries(events, 1, origin, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].upstream, 1u);
  EXPECT_EQ(out[0].id, 2u);
  EXPECT_EQ(out[0].at, Nanos(6ms));
  EXPECT_EQ(out[1].id, 0u);  // no id: a health check, say
  EXPECT_EQ(bgw::bench::journal_counts(events, origin).connections, 1u);
}

TEST(BenchJournal, EventsAreTimedByTheirJournalEntryWhenThereIsOne) {
  const auto origin = bgw::sim::Clock::now();
  std::vector<Event> events = {
      Event{origin + 100ms, EventKind::listening, 0, 0, 0, {}, {}, "refuse"},  // an earlier one
      Event{origin + 1001ms, EventKind::crashed, 0, 0, 0, {}, {}, ""},
      Event{origin + 2002ms, EventKind::listening, 0, 0, 0, {}, {}, "accept"},
      Event{origin + 3003ms, EventKind::listening, 0, 0, 0, {}, {}, "refuse"},
  };
  using bgw::bench::journaled_time;
  EXPECT_EQ(journaled_time(events, "crash", origin, 1s), Nanos(1001ms));
  EXPECT_EQ(journaled_time(events, "accept", origin, 2s), Nanos(2002ms));
  EXPECT_EQ(journaled_time(events, "refuse", origin, 3s), Nanos(3003ms));
  EXPECT_FALSE(journaled_time(events, "restart", origin, 1s));
  EXPECT_FALSE(journaled_time(events, "set_fault", origin, 1s));  // not journaled
}

TEST(BenchJournal, OnlyActionsThatMakeThingsWorseAreDisruptive) {
  for (const char* a : {"crash", "refuse", "blackhole", "set_fault"})
    EXPECT_TRUE(bgw::bench::is_disruptive(a)) << a;
  for (const char* a : {"restart", "accept", "clear_faults"})
    EXPECT_FALSE(bgw::bench::is_disruptive(a)) << a;
}

}  // namespace
