// The journal is written from an upstream's io_context thread (one per thread with
// `bgw-upstream --threads N`) and read from anywhere: concurrent writers and readers lose
// nothing and, under ThreadSanitizer, race on nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "simulator/journal.hpp"

namespace {

using bgw::sim::Event;
using bgw::sim::EventKind;
using bgw::sim::Journal;

TEST(JournalThreads, ConcurrentWritersAndReadersLoseNothing) {
  Journal journal("a");
  constexpr int writers = 4;
  constexpr int per_writer = 2000;
  std::atomic<bool> writing{true};
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&journal] {
      for (int i = 0; i < per_writer; ++i) {
        Event e;
        e.at = bgw::sim::Clock::now();
        e.kind = EventKind::accepted;
        e.connection = journal.next_connection();
        e.request = journal.next_request();
        e.detail = "x";
        journal.add(std::move(e));
      }
    });
  }
  // A reader that snapshots and counts while the writers write (as a test or a report does).
  std::size_t largest = 0;
  std::thread reader([&] {
    while (writing.load()) {
      largest = std::max(largest, journal.snapshot().size());
      (void)journal.count(EventKind::accepted);
      (void)journal.to_json_lines().size();
    }
  });
  for (auto& t : threads) t.join();
  writing = false;
  reader.join();
  EXPECT_EQ(journal.count(EventKind::accepted), static_cast<std::size_t>(writers * per_writer));
  EXPECT_EQ(journal.connections(), static_cast<std::uint64_t>(writers * per_writer));
  EXPECT_EQ(journal.requests(), static_cast<std::uint64_t>(writers * per_writer));
  EXPECT_LE(largest, static_cast<std::size_t>(writers * per_writer));
}

}  // namespace
