// The results matrix as plain data: one row per scenario (grouped by its directory), one column
// per proxy, one ScenarioResult per cell. The writers (HTML, Markdown, JSON) read only this, so
// they can be tested on hand-built matrices without running anything.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "harness/matrix/cell.hpp"
#include "harness/run/result.hpp"
#include "harness/scenario/scenario.hpp"

namespace bgw::matrix {

/// What a row shows about its scenario.
struct ScenarioRow {
  std::string name;
  std::string file;
  std::string group;  ///< the scenario's directory, relative to the scenarios' common directory
  std::string description;
  std::vector<std::string> spec;  ///< references such as "RFC 9110 §15.6.3"
  std::vector<std::string> tags;
};

/// One proxy: its header, and one result per row (same order as Matrix::rows).
struct ProxyColumn {
  std::string name;
  std::string version;       ///< as read from the proxy; empty when unknown
  std::string adapter_path;  ///< the adapter file
  std::string skip_reason;   ///< non-empty: the whole column was skipped, and why
  std::vector<run::ScenarioResult> results;
  std::chrono::steady_clock::duration elapsed{};
};

using CellCounts = std::array<std::size_t, all_cells.size()>;

struct Matrix {
  std::vector<ScenarioRow> rows;
  std::vector<ProxyColumn> columns;
  std::chrono::system_clock::time_point generated;  ///< when the run started
  std::chrono::steady_clock::duration elapsed{};
  std::string command_line;  ///< as typed, for the report's header
  bool interrupted = false;  ///< Ctrl-C: some cells were never run (they say so)

  /// Counts of each cell kind in column `column`, indexed like all_cells.
  CellCounts counts(std::size_t column) const;
};

/// The index of `cell` in all_cells (for CellCounts).
std::size_t cell_index(Cell cell);

/// A row for each scenario, in the given order, with groups: each scenario's directory relative
/// to the directory all of them share (the shared directory's own name when they are all in it).
std::vector<ScenarioRow> rows_for(const std::vector<scenario::Scenario>& scenarios);

/// The result a cell holds when its scenario was not run against that proxy.
run::ScenarioResult skipped_result(const ScenarioRow& row, const ProxyColumn& column,
                                   const std::string& reason);

/// Shell-quoted command line: `badgateway matrix --proxies 'a b' x`.
std::string quote_command_line(const std::vector<std::string>& argv);

/// ISO-8601 UTC, second precision: "2026-11-24T12:40:00Z".
std::string iso8601(std::chrono::system_clock::time_point t);

}  // namespace bgw::matrix
