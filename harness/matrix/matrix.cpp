#include "matrix.hpp"
#include "harness/text/time_text.hpp"

#include <algorithm>
#include <ctime>
#include <filesystem>

namespace bgw::matrix {

namespace fs = std::filesystem;

std::size_t cell_index(Cell cell) {
  const auto it = std::find(all_cells.begin(), all_cells.end(), cell);
  return static_cast<std::size_t>(it - all_cells.begin());
}

CellCounts Matrix::counts(std::size_t column) const {
  CellCounts out{};
  if (column >= columns.size()) return out;
  for (const auto& r : columns[column].results) ++out[cell_index(classify(r))];
  return out;
}

namespace {

fs::path directory_of(const std::string& file) {
  if (file.empty()) return {};
  std::error_code ec;
  const fs::path abs = fs::absolute(fs::path(file), ec);
  return (ec ? fs::path(file) : abs).lexically_normal().parent_path();
}

fs::path common_directory(const fs::path& a, const fs::path& b) {
  fs::path out;
  auto ia = a.begin(), ib = b.begin();
  for (; ia != a.end() && ib != b.end() && *ia == *ib; ++ia, ++ib) out /= *ia;
  return out;
}

}  // namespace

std::vector<ScenarioRow> rows_for(const std::vector<scenario::Scenario>& scenarios) {
  std::vector<ScenarioRow> rows;
  std::vector<fs::path> dirs;
  for (const auto& sc : scenarios) {
    ScenarioRow row;
    row.name = sc.meta.name;
    row.file = sc.file ? *sc.file : "";
    row.description = sc.meta.description;
    row.spec = sc.meta.spec;
    row.tags = sc.meta.tags;
    dirs.push_back(directory_of(row.file));
    rows.push_back(std::move(row));
  }
  if (rows.empty()) return rows;
  fs::path common = dirs.front();
  for (const auto& d : dirs) common = common_directory(common, d);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (dirs[i].empty()) continue;  // a scenario without a file: no group
    const fs::path rel = dirs[i].lexically_relative(common);
    rows[i].group = rel.empty() || rel == "." ? common.filename().string() : rel.string();
  }
  return rows;
}

run::ScenarioResult skipped_result(const ScenarioRow& row, const ProxyColumn& column,
                                   const std::string& reason) {
  run::ScenarioResult r;
  r.name = row.name;
  r.file = row.file;
  r.description = row.description;
  r.tags = row.tags;
  r.proxy = column.name;
  r.proxy_version = column.version;
  r.verdict = run::Verdict::skip;
  r.reason = reason;
  return r;
}

std::string quote_command_line(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += ' ';
    const bool plain = !a.empty() && std::all_of(a.begin(), a.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '-' || c == '_' || c == '.' || c == '/' || c == ',' || c == '=' || c == ':' ||
             c == '+' || c == '@';
    });
    if (plain) {
      out += a;
      continue;
    }
    out += '\'';
    for (const char c : a) {
      if (c == '\'')
        out += "'\\''";
      else
        out += c;
    }
    out += '\'';
  }
  return out;
}

std::string iso8601(std::chrono::system_clock::time_point t) {
  return text::iso8601_utc(t);
}

}  // namespace bgw::matrix
