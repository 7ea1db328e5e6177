// The matrix as JSON, schema "badgateway.matrix/1" (docs/matrix.md): every proxy with its
// version and counts, every scenario with one cell per proxy carrying the full evidence (checks,
// the client's exchanges, the upstream journal, the proxy's log tail).
#pragma once

#include <iosfwd>

#include "harness/matrix/matrix.hpp"

namespace bgw::matrix {

void write_json(const Matrix& matrix, std::ostream& out);

}  // namespace bgw::matrix
