// What one cell of the matrix (one scenario against one proxy) says, in one word. A scenario's
// verdict plus one distinction the verdict does not make: a pass whose `should` checks did not
// all hold is a SHOULD deviation, shown apart from a clean pass.
#pragma once

#include <array>
#include <cstdint>

#include "harness/run/result.hpp"

namespace bgw::matrix {

enum class Cell : std::uint8_t {
  pass,    ///< every check held
  fail,    ///< a MUST check failed (or the proxy crashed or hung)
  should,  ///< verdict pass, but some SHOULD checks failed
  xfail,   ///< every failure is a known deviation of the adapter
  xpass,   ///< a known deviation did not happen: the adapter's list is stale
  error,   ///< the harness or the setup broke; nothing was judged
  skip,    ///< not run: the proxy is missing or unverified, or a requirement is unmet
};

/// Every kind, in legend order.
inline constexpr std::array<Cell, 7> all_cells{Cell::pass,  Cell::should, Cell::xfail, Cell::fail,
                                               Cell::xpass, Cell::error,  Cell::skip};

Cell classify(const run::ScenarioResult& result);

/// "pass", "fail", "should", "xfail", "xpass", "error", "skip": the JSON and CSS names.
const char* to_string(Cell cell);
/// A one-character mark for compact tables (UTF-8).
const char* symbol(Cell cell);
/// The legend's title: "MUST violated", "SHOULD deviation", ...
const char* title(Cell cell);
/// The legend's explanation, one sentence.
const char* meaning(Cell cell);

}  // namespace bgw::matrix
