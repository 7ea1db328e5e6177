// Reading one scenario file into the model: a size limit and a nesting guard, the TOML parse,
// decoding of every part, and the cross-part checks. Every problem becomes a Diagnostic; no
// input, however broken, escapes as an exception.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "harness/scenario/diagnostic.hpp"
#include "harness/scenario/scenario.hpp"

namespace bgw::scenario {

/// Larger files are rejected before parsing.
inline constexpr std::size_t max_file_size = 4 * 1024 * 1024;
/// Deeper nesting (dotted keys plus open brackets) is rejected before parsing: toml++ frees
/// tables recursively, and a file of 100000 dotted keys would overflow the stack.
inline constexpr std::size_t max_nesting = 128;

struct LoadResult {
  std::optional<Scenario> scenario;  ///< set exactly when there are no diagnostics
  Diagnostics diagnostics;           ///< sorted by position
  bool ok() const { return scenario.has_value(); }
};

/// Loads the file at `path`; diagnostics name it as given.
LoadResult load_scenario(const std::filesystem::path& path);

/// Loads `text` as if read from `path` (tests, stdin).
LoadResult load_scenario_text(std::string_view text, std::string path);

}  // namespace bgw::scenario
