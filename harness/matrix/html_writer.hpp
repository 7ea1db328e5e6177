// The matrix as one self-contained HTML file: inline CSS and a few lines of inline JS, nothing
// loaded from anywhere (a Content-Security-Policy with the hashes of the two inline blocks makes
// sure of it). One row per scenario, grouped by directory, one column per proxy; every cell
// opens what was observed: the checks (expected vs observed), the known deviation, the client's
// bytes, the upstream journal and the proxy's log. Everything from the wire or from files is
// escaped (escape.hpp): a proxy's bytes can never become markup.
#pragma once

#include <iosfwd>

#include "harness/matrix/matrix.hpp"

namespace bgw::matrix {

/// Byte limits per cell, so one chatty proxy cannot blow the page up; the JSON report keeps
/// every byte.
struct HtmlLimits {
  std::size_t request_bytes = 4096;
  std::size_t received_bytes = 16384;
  std::size_t journal_bytes = 65536;
  std::size_t log_bytes = 16384;
};

void write_html(const Matrix& matrix, std::ostream& out, const HtmlLimits& limits = {});

/// The id of a cell's <details> element (also its URL fragment: report.html#cell-NAME--PROXY
/// opens it).
std::string cell_id(const std::string& scenario, const std::string& proxy);

}  // namespace bgw::matrix
