#include "json_writer.hpp"

#include <cstdio>
#include <ostream>

#include "bgw_version.hpp"
#include "harness/client/observation.hpp"
#include "harness/text/escape.hpp"

namespace bgw::matrix {

using namespace bgw::text;  // html_text, wire_text, json_text, json_bytes, markdown_text
namespace {

std::string ms(std::chrono::nanoseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", std::chrono::duration<double, std::milli>(d).count());
  return buf;
}

const char* boolean(bool b) {
  return b ? "true" : "false";
}

void write_strings(std::ostream& out, const std::vector<std::string>& v) {
  out << "[";
  for (std::size_t i = 0; i < v.size(); ++i) out << (i ? "," : "") << json_text(v[i]);
  out << "]";
}

void write_checks(std::ostream& out, const std::vector<run::CheckResult>& checks) {
  out << "[";
  for (std::size_t j = 0; j < checks.size(); ++j) {
    const auto& c = checks[j];
    out << (j ? "," : "") << "{\"kind\":" << json_text(c.kind)
        << ",\"subject\":" << json_text(c.subject) << ",\"passed\":" << boolean(c.passed)
        << ",\"severity\":\"" << (c.severity == scenario::Severity::must ? "must" : "should")
        << "\",\"expected\":" << json_text(c.expected) << ",\"observed\":" << json_text(c.observed)
        << ",\"why\":" << json_text(c.why)
        << ",\"where\":" << json_text(c.where.file ? c.where.to_string() : "") << ",\"deviation\":";
    if (c.deviation)
      out << "{\"actual\":" << json_text(c.deviation->actual)
          << ",\"reason\":" << json_text(c.deviation->reason)
          << ",\"link\":" << json_text(c.deviation->link) << "}";
    else
      out << "null";
    out << "}";
  }
  out << "]";
}

void write_exchanges(std::ostream& out, const std::vector<run::Exchange>& exchanges) {
  out << "[";
  for (std::size_t j = 0; j < exchanges.size(); ++j) {
    const auto& x = exchanges[j];
    const auto& o = x.observation;
    out << (j ? "," : "") << "{\"step\":" << x.step + 1 << ",\"repeat\":" << x.repeat + 1
        << ",\"request\":" << json_bytes(x.request_bytes)
        << ",\"connected\":" << boolean(o.connected)
        << ",\"ending\":" << (o.ending ? json_text(client::to_string(*o.ending)) : "null")
        << ",\"status\":" << (o.status ? std::to_string(*o.status) : "null")
        << ",\"status_line\":" << json_bytes(o.status_line) << ",\"body_state\":\""
        << client::to_string(o.body_state) << "\",\"summary\":" << json_text(client::describe(o))
        << ",\"received\":" << json_bytes(o.received) << ",\"started_ms\":" << ms(x.started_at)
        << ",\"end_ms\":" << ms(o.timings.end) << "}";
  }
  out << "]";
}

void write_cell(std::ostream& out, const run::ScenarioResult& r) {
  const Cell cell = classify(r);
  out << "{\"cell\":\"" << to_string(cell) << "\",\"verdict\":\"" << run::to_string(r.verdict)
      << "\",\"reason\":" << json_text(r.reason) << ",\"elapsed_ms\":" << ms(r.elapsed)
      << ",\"run_dir\":" << json_text(r.run_dir) << ",\"checks\":";
  write_checks(out, r.checks);
  out << ",\"exchanges\":";
  write_exchanges(out, r.exchanges);
  out << ",\"upstream_journal\":" << json_bytes(r.upstream_journal)
      << ",\"proxy_log_tail\":" << json_bytes(r.proxy_log_tail) << "}";
}

}  // namespace

void write_json(const Matrix& m, std::ostream& out) {
  out << "{\"schema\":\"badgateway.matrix/1\",\"badgateway_version\":"
      << json_text(std::string(bgw::version))
      << ",\"generated\":" << json_text(iso8601(m.generated))
      << ",\"command\":" << json_text(m.command_line) << ",\"elapsed_ms\":" << ms(m.elapsed)
      << ",\"interrupted\":" << boolean(m.interrupted) << ",\"legend\":[";
  for (std::size_t i = 0; i < all_cells.size(); ++i) {
    const Cell c = all_cells[i];
    out << (i ? "," : "") << "{\"cell\":\"" << to_string(c)
        << "\",\"symbol\":" << json_text(symbol(c)) << ",\"title\":" << json_text(title(c))
        << ",\"meaning\":" << json_text(meaning(c)) << "}";
  }
  out << "],\n\"proxies\":[";
  for (std::size_t p = 0; p < m.columns.size(); ++p) {
    const auto& col = m.columns[p];
    out << (p ? "," : "") << "\n{\"name\":" << json_text(col.name)
        << ",\"version\":" << json_text(col.version)
        << ",\"adapter\":" << json_text(col.adapter_path)
        << ",\"skipped\":" << boolean(!col.skip_reason.empty())
        << ",\"skip_reason\":" << json_text(col.skip_reason)
        << ",\"elapsed_ms\":" << ms(col.elapsed) << ",\"counts\":{";
    const CellCounts counts = m.counts(p);
    for (std::size_t i = 0; i < all_cells.size(); ++i)
      out << (i ? "," : "") << "\"" << to_string(all_cells[i]) << "\":" << counts[i];
    out << "}}";
  }
  out << "],\n\"scenarios\":[";
  for (std::size_t s = 0; s < m.rows.size(); ++s) {
    const auto& row = m.rows[s];
    out << (s ? "," : "") << "\n{\"name\":" << json_text(row.name)
        << ",\"file\":" << json_text(row.file) << ",\"group\":" << json_text(row.group)
        << ",\"description\":" << json_text(row.description) << ",\"spec\":";
    write_strings(out, row.spec);
    out << ",\"tags\":";
    write_strings(out, row.tags);
    out << ",\"cells\":{";
    bool first = true;
    for (const auto& col : m.columns) {
      if (s >= col.results.size()) continue;
      out << (first ? "" : ",") << "\n " << json_text(col.name) << ":";
      write_cell(out, col.results[s]);
      first = false;
    }
    out << "}}";
  }
  out << "]}\n";
}

}  // namespace bgw::matrix
