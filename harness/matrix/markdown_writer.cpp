#include "markdown_writer.hpp"

#include <cstdio>
#include <ostream>
#include <set>

#include "harness/text/escape.hpp"

namespace bgw::matrix {

using namespace bgw::text;  // html_text, wire_text, json_text, json_bytes, markdown_text
namespace {

std::string column_header(const ProxyColumn& c) {
  std::string out = markdown_text(c.name);
  if (!c.version.empty()) out += " " + markdown_text(c.version);
  if (!c.skip_reason.empty()) out += " (skipped)";
  return out;
}

std::string cell_text(Cell c) {
  const std::string word = to_string(c);
  return std::string(symbol(c)) + " " +
         (c == Cell::fail || c == Cell::xpass || c == Cell::error ? "**" + word + "**" : word);
}

std::string counts_text(const CellCounts& counts) {
  std::string out;
  for (std::size_t i = 0; i < all_cells.size(); ++i) {
    if (counts[i] == 0) continue;
    if (!out.empty()) out += " ";
    out += std::to_string(counts[i]) + symbol(all_cells[i]);
  }
  return out.empty() ? "-" : out;
}

std::string seconds(std::chrono::steady_clock::duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", std::chrono::duration<double>(d).count());
  return buf;
}

}  // namespace

void write_markdown(const Matrix& m, std::ostream& out) {
  out << "| scenario |";
  for (const auto& c : m.columns) out << " " << column_header(c) << " |";
  out << "\n|:---|";
  for (std::size_t i = 0; i < m.columns.size(); ++i) out << ":---:|";
  out << "\n";
  std::string group;
  for (std::size_t s = 0; s < m.rows.size(); ++s) {
    const auto& row = m.rows[s];
    if (s == 0 || row.group != group) {
      group = row.group;
      if (!group.empty()) {
        out << "| ***" << markdown_text(group) << "*** |";
        for (std::size_t i = 0; i < m.columns.size(); ++i) out << " |";
        out << "\n";
      }
    }
    out << "| " << markdown_text(row.name) << " |";
    for (const auto& c : m.columns) {
      out << " " << (s < c.results.size() ? cell_text(classify(c.results[s])) : "") << " |";
    }
    out << "\n";
  }
  out << "| **counts** |";
  for (std::size_t i = 0; i < m.columns.size(); ++i) out << " " << counts_text(m.counts(i)) << " |";
  out << "\n\n";

  // The legend: every kind, in one paragraph.
  for (std::size_t i = 0; i < all_cells.size(); ++i) {
    const Cell c = all_cells[i];
    out << (i ? " · " : "") << symbol(c) << " " << to_string(c) << ": " << meaning(c);
  }
  out << ".\n";

  // What explains the xfail and xpass cells: the adapters' recorded deviations.
  std::set<std::string> deviations;
  for (const auto& col : m.columns) {
    for (const auto& r : col.results) {
      const Cell cell = classify(r);
      if (cell == Cell::xpass) {
        deviations.insert(markdown_text(col.name) + ", " + markdown_text(r.name) +
                          " (xpass): " + markdown_text(r.reason));
      }
      if (cell != Cell::xfail) continue;
      for (const auto& ch : r.checks) {
        if (ch.passed || !ch.deviation) continue;
        const auto& d = *ch.deviation;
        std::string line = markdown_text(col.name) + ", " + markdown_text(r.name) + " (" +
                           markdown_text(ch.kind) + "): " + markdown_text(d.actual);
        if (!d.reason.empty()) line += ". " + markdown_text(d.reason);
        if (is_web_link(d.link))
          line += " ([source](" + d.link + "))";
        else if (!d.link.empty())
          line += " (" + markdown_text(d.link) + ")";
        deviations.insert(line);
      }
    }
  }
  if (!deviations.empty()) {
    out << "\nKnown deviations:\n\n";
    for (const auto& d : deviations) out << "- " << d << "\n";
  }
  bool any_skipped = false;
  for (const auto& c : m.columns) any_skipped = any_skipped || !c.skip_reason.empty();
  if (any_skipped) {
    out << "\nSkipped proxies:\n\n";
    for (const auto& c : m.columns) {
      if (!c.skip_reason.empty())
        out << "- " << markdown_text(c.name) << ": " << markdown_text(c.skip_reason) << "\n";
    }
  }
  out << "\nGenerated " << iso8601(m.generated) << " in " << seconds(m.elapsed) << " by "
      << markdown_text(m.command_line) << (m.interrupted ? " (interrupted: partial results)" : "")
      << ".\n";
}

}  // namespace bgw::matrix
