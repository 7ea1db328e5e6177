// The matrix as a compact Markdown table (scenario × proxy, a symbol and a word per cell), with
// the legend, the per-proxy counts, the known deviations behind xfail/xpass cells and the
// skipped proxies: suitable for docs/results.md.
#pragma once

#include <iosfwd>

#include "harness/matrix/matrix.hpp"

namespace bgw::matrix {

void write_markdown(const Matrix& matrix, std::ostream& out);

}  // namespace bgw::matrix
