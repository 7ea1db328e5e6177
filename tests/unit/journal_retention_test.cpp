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
  ASSERT_GE(kept.size(), 3u);
  ASSERT_LT(kept.size(), 6u);  // fewer than 2n: trimmed in halves
  EXPECT_EQ(kept.back().connection, 100u);
  for (std::size_t i = 1; i < kept.size(); ++i)
    EXPECT_EQ(kept[i].connection, kept[i - 1].connection + 1);  // the latest, in order
  EXPECT_EQ(j.total(EventKind::accepted), 100u);
  EXPECT_EQ(heard.size(), 100u);
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
