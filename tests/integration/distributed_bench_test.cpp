// A distributed bench as docs/distributed.md runs it on Kubernetes, here as local processes
// doing the same jobs: one `badgateway serve --start-at T` owns the upstream and its timeline,
// the reference proxy sits in front of it, and three `badgateway bench --agent I/3 --start-at T
// --proxy-url` load it from the same wall-clock instant. `bench merge` must give totals that
// are the agents' sums and a latency histogram that is the merge of theirs, and the crash the
// agents saw must be the one serve ran.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "support/child_program.hpp"
#include "support/test_files.hpp"

namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
namespace json = boost::json;
using bgw::test::ChildProgram;

std::uint16_t free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

json::object read_json(const fs::path& p) {
  return json::parse(bgw::test::read_file(p)).as_object();
}

std::map<std::uint64_t, std::uint64_t> buckets_of(const json::object& report) {
  std::map<std::uint64_t, std::uint64_t> out;
  for (const auto& pair : report.at("histograms").at("all").at("buckets").as_array())
    out[pair.as_array()[0].to_number<std::uint64_t>()] +=
        pair.as_array()[1].to_number<std::uint64_t>();
  return out;
}

TEST(DistributedBench, AgentsMergeIntoOneRunWithServeOwningTheTimeline) {
  const fs::path dir = bgw::test::fresh_temp_dir("distributed");
  const std::uint16_t upstream_port = free_port();
  const std::uint16_t proxy_port = free_port();
  const fs::path scenario = dir / "crash.toml";
  std::ofstream(scenario) << "[scenario]\n"
                             "name = \"t-distributed\"\n"
                             "description = \"a crash under load from three agents\"\n"
                             "[[upstream]]\n"
                             "name = \"a\"\n"
                             "port = "
                          << upstream_port
                          << "\n"
                             "[[upstream.event]]\n"
                             "at = \"600ms\"\n"
                             "action = \"crash\"\n"
                             "[[upstream.event]]\n"
                             "at = \"1s\"\n"
                             "action = \"restart\"\n"
                             "[bench]\n"
                             "duration = \"1500ms\"\n"
                             "connections = 9\n"
                             "rate = 400\n"
                             "request_timeout = \"1s\"\n";
  const fs::path conf = dir / "mini.conf";
  std::ofstream(conf) << "listen = 127.0.0.1:" << proxy_port << "\n"
                      << "upstream = 127.0.0.1:" << upstream_port << "\n"
                      << "connect_timeout = 300ms\nread_timeout = 1000ms\nretries = 0\n"
                      << "log = " << (dir / "access.log").string() << "\n";

  // Far enough ahead for every process to be up (ASan builds start slowly).
  const auto start = std::chrono::system_clock::now() + 3s;
  const std::string start_at = std::to_string(
      std::chrono::duration_cast<std::chrono::milliseconds>(start.time_since_epoch()).count() /
      1000.0);

  ChildProgram serve(BGW_CLI_EXE, {"serve", scenario.string(), "--start-at", start_at, "--journal",
                                   (dir / "journal.jsonl").string()});
  ASSERT_TRUE(serve.started());
  ASSERT_TRUE(serve.read_line(10s)) << "serve did not bind: " << serve.drain_stderr();
  ChildProgram proxy(BGW_MINI_PROXY_EXE, {conf.string()});
  ASSERT_TRUE(proxy.started());
  ASSERT_TRUE(proxy.read_line(10s)) << "the proxy did not start: " << proxy.drain_stderr();

  std::vector<std::unique_ptr<ChildProgram>> agents;
  for (int i = 1; i <= 3; ++i)
    agents.push_back(std::make_unique<ChildProgram>(
        BGW_CLI_EXE,
        std::vector<std::string>{"bench", scenario.string(), "--agent", std::to_string(i) + "/3",
                                 "--start-at", start_at, "--proxy-url",
                                 "http://127.0.0.1:" + std::to_string(proxy_port), "--json",
                                 (dir / ("agent-" + std::to_string(i) + ".json")).string()}));
  for (auto& a : agents) {
    const auto code = a->wait_exit(30s);
    ASSERT_TRUE(code) << "an agent did not finish";
    EXPECT_EQ(*code, 0) << a->drain_stderr();
  }
  ChildProgram merge(BGW_CLI_EXE, {"bench", "merge", (dir / "agent-1.json").string(),
                                   (dir / "agent-2.json").string(), (dir / "agent-3.json").string(),
                                   "--json", (dir / "merged.json").string()});
  const auto merged_exit = merge.wait_exit(30s);
  ASSERT_TRUE(merged_exit);
  ASSERT_EQ(*merged_exit, 0) << merge.drain_stderr();

  const json::object merged = read_json(dir / "merged.json");
  std::uint64_t sent = 0, failed = 0, crash_failed = 0, connects = 0;
  std::map<std::uint64_t, std::uint64_t> summed;
  for (int i = 1; i <= 3; ++i) {
    const json::object part = read_json(dir / ("agent-" + std::to_string(i) + ".json"));
    EXPECT_EQ(part.at("agent").at("index").to_number<int>(), i);
    sent += part.at("totals").at("sent").to_number<std::uint64_t>();
    failed += part.at("totals").at("failed").to_number<std::uint64_t>();
    connects += part.at("totals").at("connects").to_number<std::uint64_t>();
    crash_failed += part.at("events").as_array()[0].at("failed").to_number<std::uint64_t>();
    for (const auto& [k, n] : buckets_of(part)) summed[k] += n;
  }
  const json::object& totals = merged.at("totals").as_object();
  // Open loop at 400/s for 1.5 s: the agents sent every third request each, 600 in all.
  EXPECT_EQ(sent, 600u);
  EXPECT_EQ(totals.at("sent").to_number<std::uint64_t>(), sent);
  EXPECT_EQ(totals.at("failed").to_number<std::uint64_t>(), failed);
  EXPECT_EQ(totals.at("connects").to_number<std::uint64_t>(), connects);
  EXPECT_TRUE(merged.at("bookkeeping").at("sent_matches").as_bool());
  EXPECT_EQ(buckets_of(merged), summed) << "the merged histogram is the sum of the agents'";
  EXPECT_EQ(merged.at("latency").at("all").at("count").to_number<std::uint64_t>(), sent);
  // serve crashed the upstream at 600 ms of the shared clock: the agents' failures are there.
  const json::object& crash = merged.at("events").as_array()[0].as_object();
  EXPECT_EQ(crash.at("action").as_string(), "crash");
  EXPECT_EQ(crash.at("failed").to_number<std::uint64_t>(), crash_failed);
  EXPECT_GT(crash_failed, 50u) << "~160 requests were sent while it was down";
  EXPECT_EQ(failed, crash_failed) << "nothing failed but during the crash";
  EXPECT_GE(crash.at("first_failure_ms").to_number<double>(), 600.0);
  EXPECT_LT(crash.at("first_failure_ms").to_number<double>(), 700.0);
  EXPECT_EQ(merged.at("merged_from").as_array().size(), 3u);

  // serve's journal has the crash at its t = 0 + 600 ms, and the requests of all three agents.
  serve.signal(SIGTERM);
  ASSERT_TRUE(serve.wait_exit(10s));
  const std::string journal = bgw::test::read_file(dir / "journal.jsonl");
  EXPECT_NE(journal.find("\"event\":\"crashed\""), std::string::npos);

  // Reports of different runs do not merge.
  json::object other = read_json(dir / "agent-2.json");
  other["agent"].as_object()["start_at_unix_ms"] = 1;
  std::ofstream(dir / "other.json") << json::serialize(other);
  ChildProgram bad(BGW_CLI_EXE, {"bench", "merge", (dir / "agent-1.json").string(),
                                 (dir / "other.json").string()});
  const auto bad_exit = bad.wait_exit(30s);
  ASSERT_TRUE(bad_exit);
  EXPECT_EQ(*bad_exit, 2);
  EXPECT_NE(bad.drain_stderr().find("not the same run"), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
