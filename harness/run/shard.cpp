#include "shard.hpp"

#include <charconv>

namespace bgw::run {
namespace {

std::optional<int> whole(std::string_view text) {
  if (text.empty() || text.size() > 4) return std::nullopt;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  int value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

}  // namespace

std::string Shard::to_string() const {
  return std::to_string(index) + "/" + std::to_string(count);
}

std::optional<Shard> parse_shard(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const auto index = whole(text.substr(0, slash));
  const auto count = whole(text.substr(slash + 1));
  if (!index || !count || *index < 1 || *count > max_shards || *index > *count) return std::nullopt;
  return Shard{.index = *index, .count = *count};
}

std::uint64_t shard_hash(std::string_view name) {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a 64 offset basis
  for (unsigned char c : name) {
    h ^= c;
    h *= 0x100000001b3ULL;  // FNV-1a 64 prime
  }
  return h;
}

bool in_shard(std::string_view name, const Shard& shard) {
  return shard_hash(name) % static_cast<std::uint64_t>(shard.count) ==
         static_cast<std::uint64_t>(shard.index - 1);
}

std::vector<scenario::Scenario> take_shard(std::vector<scenario::Scenario> scenarios,
                                           const Shard& shard) {
  std::vector<scenario::Scenario> out;
  for (auto& s : scenarios) {
    if (in_shard(s.meta.name, shard)) out.push_back(std::move(s));
  }
  return out;
}

}  // namespace bgw::run
