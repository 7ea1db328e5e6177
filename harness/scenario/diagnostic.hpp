// Scenario problems as data: where (file:line:col) and what. The loader collects every problem
// of a file instead of stopping at the first, and the CLI prints them the way compilers do:
// `scenarios/x.toml:3:1: error: unknown key 'fualt' in [[upstream.fault]]; did you mean 'fault'?`
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace bgw::scenario {

/// A position in a scenario file; line and column are 1-based and count characters, as
/// editors do. Problems with the file as a whole (unreadable, too large) point at 1:1.
struct Location {
  std::shared_ptr<const std::string> file;  ///< shared by every location of one file
  std::uint32_t line = 0;
  std::uint32_t column = 0;

  std::string_view path() const { return file ? std::string_view(*file) : std::string_view(); }
  /// "file:line:col"
  std::string to_string() const;
  friend bool operator==(const Location& a, const Location& b) {
    return a.path() == b.path() && a.line == b.line && a.column == b.column;
  }
};

/// A value together with the place it was written, for fields a later stage may reject
/// (an expectation that fails, an upstream that cannot bind).
template <class T>
struct Located {
  T value{};
  Location where;
};

struct Diagnostic {
  Location where;
  std::string message;
  /// "file:line:col: error: message"
  std::string to_string() const;
};

using Diagnostics = std::vector<Diagnostic>;

/// Orders diagnostics by line and column, keeping the discovery order of equal positions.
void sort_by_position(Diagnostics& diagnostics);

}  // namespace bgw::scenario
