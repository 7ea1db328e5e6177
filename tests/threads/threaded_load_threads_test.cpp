// `load --threads` / `bench --threads`: generators on their own threads, an upstream on another,
// a record callback called from all of them, progress read from the caller's thread, and a
// cancel from it. Under ThreadSanitizer: no race; and the merged result adds up.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "harness/load/load_generator.hpp"
#include "harness/load/threaded_load.hpp"
#include "simulator/upstream.hpp"

namespace {

using namespace std::chrono_literals;

TEST(ThreadedLoadThreads, GeneratorsRecordsProgressAndCancelRaceOnNothing) {
  boost::asio::io_context io;
  bgw::sim::UpstreamSpec spec;
  spec.name = "up";
  spec.journal = bgw::sim::JournalLevel::counters;
  bgw::sim::Upstream up(io, spec);
  auto guard = boost::asio::make_work_guard(io);
  std::thread server([&io] { io.run(); });

  bgw::load::LoadOptions o;
  o.port = up.port();
  o.connections = 6;
  o.duration = 30s;
  o.max_requests = 3000;
  std::mutex m;
  std::set<std::uint64_t> ids;
  o.on_record = [&](const bgw::load::RequestRecord& r) {
    const std::lock_guard lock(m);
    ids.insert(r.id);
  };
  {
    bgw::load::ThreadedLoad generators(o, 3);
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (!generators.done() && std::chrono::steady_clock::now() < deadline)
      (void)generators.progress();  // read while they write
    ASSERT_TRUE(generators.done());
    const auto r = generators.join();
    EXPECT_EQ(r.sent, 3000u);
    EXPECT_EQ(r.completed, 3000u);
  }
  EXPECT_EQ(ids.size(), 3000u);
  {
    // A cancel from this thread while the generators run (the bench's Ctrl-C).
    o.max_requests = 0;
    o.on_record = {};
    bgw::load::ThreadedLoad generators(o, 2);
    generators.cancel();
    const auto r = generators.join();
    EXPECT_LT(r.elapsed, 10s);
  }
  guard.reset();
  up.stop();
  io.stop();
  server.join();
}

}  // namespace
