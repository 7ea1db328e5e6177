// Cheap checks on the raw text that run before toml++ sees it, for inputs that would make the
// parser itself misbehave. Internal to bgw_scenario.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace bgw::scenario::detail {

struct TextPosition {
  std::uint32_t line = 1;
  std::uint32_t column = 1;
};

/// The first position where dotted keys plus open brackets nest deeper than `limit`, skipping
/// strings and comments; nullopt when the text stays within it.
std::optional<TextPosition> find_deep_nesting(std::string_view text, std::size_t limit);

}  // namespace bgw::scenario::detail
