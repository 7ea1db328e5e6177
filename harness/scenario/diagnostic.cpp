#include "diagnostic.hpp"

#include <algorithm>

namespace bgw::scenario {

std::string Location::to_string() const {
  return std::string(path()) + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string Diagnostic::to_string() const {
  return where.to_string() + ": error: " + message;
}

void sort_by_position(Diagnostics& diagnostics) {
  std::stable_sort(diagnostics.begin(), diagnostics.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     if (a.where.line != b.where.line) return a.where.line < b.where.line;
                     return a.where.column < b.where.column;
                   });
}

}  // namespace bgw::scenario
