// `--shard I/N`: the value is strict, the partition is disjoint and complete, and a scenario's
// shard depends on its own name only, so adding scenarios moves none of the others.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "harness/cli/matrix_command.hpp"
#include "harness/cli/run_command.hpp"
#include "harness/run/shard.hpp"

namespace {

using bgw::run::Shard;
using testing::HasSubstr;

TEST(Shard, ValuesAreIOfNWithIFrom1ToN) {
  EXPECT_EQ(bgw::run::parse_shard("1/3"), (Shard{1, 3}));
  EXPECT_EQ(bgw::run::parse_shard("3/3"), (Shard{3, 3}));
  EXPECT_EQ(bgw::run::parse_shard("1/1"), (Shard{1, 1}));
  EXPECT_EQ(bgw::run::parse_shard("7/1000"), (Shard{7, 1000}));
  for (const char* bad : {"0/3", "4/3", "x", "", "/", "1/", "/3", "1/0", "0/0", "-1/3", "+1/3",
                          " 1/3", "1/3 ", "1/3/3", "1.0/3", "1/1001", "00001/3", "a/b"})
    EXPECT_FALSE(bgw::run::parse_shard(bad)) << bad;
  EXPECT_EQ((Shard{2, 3}).to_string(), "2/3");
}

TEST(Shard, TheHashIsFnv1a64) {
  // Published FNV-1a 64 test vectors: anyone can compute a scenario's shard.
  EXPECT_EQ(bgw::run::shard_hash(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(bgw::run::shard_hash("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(bgw::run::shard_hash("foobar"), 0x85944171f73967e8ULL);
}

std::vector<std::string> names(int n, const std::string& prefix) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(prefix + std::to_string(i));
  return out;
}

TEST(Shard, EveryNameIsInExactlyOneShardAndStaysThereAsTheSuiteGrows) {
  const auto suite = names(90, "scenario-");
  for (int count : {1, 2, 3, 7}) {
    std::vector<int> sizes(static_cast<std::size_t>(count));
    for (const auto& name : suite) {
      int found = 0;
      for (int i = 1; i <= count; ++i) {
        if (bgw::run::in_shard(name, {i, count})) {
          ++found;
          ++sizes[static_cast<std::size_t>(i - 1)];
        }
      }
      EXPECT_EQ(found, 1) << name << " in " << count << " shards";
    }
    // Roughly balanced: no shard empty or holding twice its share on 90 names.
    for (int size : sizes) {
      EXPECT_GT(size, 0);
      EXPECT_LT(size, 2 * 90 / count + 1);
    }
  }
  // The shard of a name depends on that name only: growing the suite moves nobody.
  std::vector<int> before;
  for (const auto& name : suite) {
    for (int i = 1; i <= 3; ++i)
      if (bgw::run::in_shard(name, {i, 3})) before.push_back(i);
  }
  auto grown = names(40, "new-");
  grown.insert(grown.end(), suite.begin(), suite.end());
  std::vector<int> after;
  for (std::size_t k = 40; k < grown.size(); ++k) {
    for (int i = 1; i <= 3; ++i)
      if (bgw::run::in_shard(grown[k], {i, 3})) after.push_back(i);
  }
  EXPECT_EQ(before, after);
}

struct Exit {
  int code;
  std::string err;
};

template <class F>
Exit capture(F f) {
  testing::internal::CaptureStderr();
  const int code = f();
  return {code, testing::internal::GetCapturedStderr()};
}

TEST(Shard, ABadShardIsAUsageErrorInRunAndMatrix) {
  for (const char* bad : {"0/3", "4/3", "x"}) {
    const auto run = capture([&] { return bgw::cli::run_command({"--shard", bad, "p"}); });
    EXPECT_EQ(run.code, 2) << bad;
    EXPECT_THAT(run.err, HasSubstr(std::string("badgateway run: --shard takes I/N, whole numbers "
                                               "with 1 <= I <= N <= 1000 (such as 2/3), not '") +
                                   bad + "'"));
    EXPECT_THAT(run.err, HasSubstr("Usage: badgateway run"));
    const auto matrix = capture([&] {
      return bgw::cli::matrix_command({std::string("--shard=") + bad, "p"});
    });
    EXPECT_EQ(matrix.code, 2) << bad;
    EXPECT_THAT(matrix.err, HasSubstr("badgateway matrix: --shard takes I/N"));
  }
  const auto missing = capture([] { return bgw::cli::run_command({"p", "--shard"}); });
  EXPECT_EQ(missing.code, 2);
  EXPECT_THAT(missing.err, HasSubstr("--shard needs a value (I/N)"));
}

}  // namespace
