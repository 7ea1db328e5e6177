// `--shard I/N`: one of N disjoint parts of a suite, so N CI jobs can run it side by side and
// `badgateway merge` can put their reports back together.
//
// The partition is by a hash of the scenario's name: scenario S is in shard
// (fnv1a64(S.name) mod N) + 1. A hash, not "every Nth of the sorted list", because a scenario
// added (or removed, or renamed) then moves no other scenario between shards: the shard a
// scenario lands in depends on its own name and N only, so a flaky scenario stays in the same
// CI job from one commit to the next. The price is balance: shards hold N-ths of the suite on
// average, not exactly (the 76 conformance scenarios over 3 shards: 24, 20 and 32), and a tiny
// suite can leave a shard empty, which is reported, not an error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/scenario/scenario.hpp"

namespace bgw::run {

struct Shard {
  int index = 1;  ///< 1-based
  int count = 1;

  std::string to_string() const;  ///< "2/3"
  friend bool operator==(const Shard&, const Shard&) = default;
};

/// The largest N `--shard` accepts: more CI jobs than that would hold a scenario or two each.
inline constexpr int max_shards = 1000;

/// "I/N" with whole numbers 1 <= I <= N <= max_shards, nothing else (no spaces or signs).
std::optional<Shard> parse_shard(std::string_view text);

/// 64-bit FNV-1a of the bytes of `name`: the hash the partition uses, fixed so that a shard's
/// content can be computed by any tool (docs/ci.md).
std::uint64_t shard_hash(std::string_view name);

/// True when the scenario named `name` belongs to `shard`.
bool in_shard(std::string_view name, const Shard& shard);

/// The scenarios of `scenarios` in `shard`, in their order.
std::vector<scenario::Scenario> take_shard(std::vector<scenario::Scenario> scenarios,
                                           const Shard& shard);

}  // namespace bgw::run
