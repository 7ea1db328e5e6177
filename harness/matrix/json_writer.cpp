#include "json_writer.hpp"

#include <boost/json.hpp>

#include <cstdio>
#include <ostream>

#include "bgw_version.hpp"
#include "harness/client/observation.hpp"
#include "harness/run/result_json.hpp"
#include "harness/text/escape.hpp"
#include "simulator/json_text.hpp"

namespace bgw::matrix {

namespace {

namespace json = boost::json;
using run::ms_value;
using run::text_value;
using run::wire_value;

json::array strings(const std::vector<std::string>& v) {
  json::array out;
  for (const auto& s : v) out.push_back(text_value(s));
  return out;
}

json::object cell_json(const run::ScenarioResult& r) {
  json::array checks;
  for (const auto& c : r.checks) checks.push_back(run::check_json(c));
  json::array exchanges;
  for (const auto& x : r.exchanges) exchanges.push_back(run::exchange_json(x, true));
  return json::object{{"cell", to_string(classify(r))},
                      {"verdict", run::to_string(r.verdict)},
                      {"reason", text_value(r.reason)},
                      {"elapsed_ms", ms_value(r.elapsed)},
                      {"run_dir", text_value(r.run_dir)},
                      {"checks", std::move(checks)},
                      {"exchanges", std::move(exchanges)},
                      {"upstream_journal", wire_value(r.upstream_journal)},
                      {"proxy_log_tail", wire_value(r.proxy_log_tail)}};
}

// Compact JSON, but each proxy, each scenario and each of its cells starts a line: a matrix
// holds tens of scenarios times ten proxies, and a line per cell keeps it readable and diffable.
void write_object_lines(std::ostream& out, const json::object& o, const char* indent) {
  out << "{";
  bool first = true;
  for (const auto& kv : o) {
    out << (first ? "" : ",") << "\n"
        << indent << sim::json_text(json::string(kv.key())) << ":" << sim::json_text(kv.value());
    first = false;
  }
  out << "}";
}

}  // namespace

void write_json(const Matrix& m, std::ostream& out) {
  json::array legend;
  for (const Cell c : all_cells)
    legend.push_back(json::object{{"cell", to_string(c)},
                                  {"symbol", text_value(symbol(c))},
                                  {"title", text_value(title(c))},
                                  {"meaning", text_value(meaning(c))}});
  const json::object head{
      {"schema", "badgateway.matrix/1"},   {"badgateway_version", std::string(bgw::version)},
      {"generated", iso8601(m.generated)}, {"command", text_value(m.command_line)},
      {"elapsed_ms", ms_value(m.elapsed)}, {"interrupted", m.interrupted},
      {"legend", std::move(legend)}};
  const std::string head_text = sim::json_text(head);
  out << head_text.substr(0, head_text.size() - 1) << ",\n\"proxies\":[";
  for (std::size_t p = 0; p < m.columns.size(); ++p) {
    const auto& col = m.columns[p];
    json::object counts;
    const CellCounts n = m.counts(p);
    for (std::size_t i = 0; i < all_cells.size(); ++i) counts[to_string(all_cells[i])] = n[i];
    out << (p ? "," : "") << "\n"
        << sim::json_text(json::object{{"name", text_value(col.name)},
                                       {"version", text_value(col.version)},
                                       {"adapter", text_value(col.adapter_path)},
                                       {"skipped", !col.skip_reason.empty()},
                                       {"skip_reason", text_value(col.skip_reason)},
                                       {"elapsed_ms", ms_value(col.elapsed)},
                                       {"counts", std::move(counts)}});
  }
  out << "],\n\"scenarios\":[";
  for (std::size_t s = 0; s < m.rows.size(); ++s) {
    const auto& row = m.rows[s];
    json::object cells;
    for (const auto& col : m.columns)
      if (s < col.results.size()) cells[col.name] = cell_json(col.results[s]);
    const std::string row_head =
        sim::json_text(json::object{{"name", text_value(row.name)},
                                    {"file", text_value(row.file)},
                                    {"group", text_value(row.group)},
                                    {"description", text_value(row.description)},
                                    {"spec", strings(row.spec)},
                                    {"tags", strings(row.tags)}});
    out << (s ? "," : "") << "\n" << row_head.substr(0, row_head.size() - 1) << ",\"cells\":";
    write_object_lines(out, cells, " ");
    out << "}";
  }
  out << "]}\n";
}

}  // namespace bgw::matrix
