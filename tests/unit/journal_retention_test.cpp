// sim::Journal::keep_at_most: a journal that streams its events elsewhere keeps only the recent
// ones (or none), while its listener sees every event and its counters stay exact.
#include <gtest/gtest.h>

#include <vector>

#include "simulator/journal.hpp"

namespace {

using bgw::sim::Event;
using bgw::sim::EventKind;
using bgw::sim::Journal;

Event event(std::uint64_t conn) {
  Event e{};
  e.at = bgw::sim::Clock::now();
  e.kind = EventKind::accepted;
  e.connection = conn;
  return e;
}

TEST(JournalRetention, KeepsTheMostRecentAndCountsEverything) {
  Journal j("a", bgw::sim::JournalLevel::events);
  std::vector<std::uint64_t> heard;
  j.set_listener([&](const Event& e) { heard.push_back(e.connection); });
  j.keep_at_most(3);
  for (std::uint64_t i = 1; i <= 100; ++i) j.add(event(i));
  const auto kept = j.snapshot();
  ASSERT_EQ(kept.size(), 3u);          // a ring of exactly n
  EXPECT_EQ(kept[0].connection, 98u);  // the latest, in order, across the ring's wrap
  EXPECT_EQ(kept[1].connection, 99u);
  EXPECT_EQ(kept[2].connection, 100u);
  EXPECT_EQ(j.count(EventKind::accepted), 3u);
  EXPECT_EQ(j.total(EventKind::accepted), 100u);
  EXPECT_EQ(heard.size(), 100u);
}

TEST(JournalRetention, ABoundChangedAfterTheRingWrappedKeepsTheOrder) {
  Journal j("a", bgw::sim::JournalLevel::events);
  j.keep_at_most(4);
  for (std::uint64_t i = 1; i <= 10; ++i) j.add(event(i));  // the ring wrapped: head mid-way
  j.keep_at_most(6);                                        // room for two more, in order
  for (std::uint64_t i = 11; i <= 12; ++i) j.add(event(i));
  std::vector<std::uint64_t> seen;
  for (const Event& e : j.snapshot()) seen.push_back(e.connection);
  EXPECT_EQ(seen, (std::vector<std::uint64_t>{7, 8, 9, 10, 11, 12}));
  j.keep_at_most(2);
  seen.clear();
  for (const Event& e : j.snapshot()) seen.push_back(e.connection);
  EXPECT_EQ(seen, (std::vector<std::uint64_t>{11, 12}));
}

TEST(JournalRetention, ZeroKeepsNoneAndDropsWhatWasKept) {
  Journal j("a", bgw::sim::JournalLevel::events);
  for (std::uint64_t i = 1; i <= 5; ++i) j.add(event(i));
  EXPECT_EQ(j.snapshot().size(), 5u);
  j.keep_at_most(0);
  EXPECT_TRUE(j.snapshot().empty());
  std::size_t heard = 0;
  j.set_listener([&](const Event&) { ++heard; });
  for (std::uint64_t i = 6; i <= 10; ++i) j.add(event(i));
  EXPECT_TRUE(j.snapshot().empty());
  EXPECT_EQ(heard, 5u);
  EXPECT_EQ(j.total(EventKind::accepted), 10u);
}

}  // namespace
