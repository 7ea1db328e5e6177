#include "tap_report.hpp"

#include <cstdio>
#include <ostream>

#include "harness/text/escape.hpp"

namespace bgw::run {
namespace {

// A description or directive is one line, and '#' would start a directive: TAP 14 escapes it.
std::string tap_text(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, text.find('\n'))) {
    if (c == '#' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string quoted(std::string_view text) {
  return text::json_text(text);
}

std::string runs_text(const std::vector<Verdict>& runs) {
  std::string out;
  for (Verdict v : runs) out += (out.empty() ? "" : ", ") + std::string(to_string(v));
  return out;
}

void diagnostics(const ScenarioResult& r, std::ostream& out) {
  out << "  ---\n";
  out << "  verdict: " << (r.flaky() ? "flaky" : to_string(r.verdict)) << "\n";
  if (!r.reason.empty()) out << "  message: " << quoted(r.reason) << "\n";
  out << "  file: " << quoted(r.file) << "\n";
  char elapsed[32];
  std::snprintf(elapsed, sizeof elapsed, "%.1f",
                std::chrono::duration<double, std::milli>(r.elapsed).count());
  out << "  elapsed_ms: " << elapsed << "\n";
  if (!r.runs.empty()) {
    out << "  runs: [";
    for (std::size_t i = 0; i < r.runs.size(); ++i) out << (i ? ", " : "") << to_string(r.runs[i]);
    out << "]\n";
  }
  bool any = false;
  for (const auto& c : r.checks) {
    if (c.passed) continue;
    if (!any) out << "  checks:\n";
    any = true;
    out << "    - kind: " << quoted(c.kind) << "\n"
        << "      subject: " << quoted(c.subject) << "\n"
        << "      severity: " << (c.severity == scenario::Severity::must ? "must" : "should")
        << "\n"
        << "      expected: " << quoted(c.expected) << "\n"
        << "      observed: " << quoted(c.observed) << "\n";
    if (!c.why.empty()) out << "      why: " << quoted(c.why) << "\n";
    if (c.where.file) out << "      at: " << quoted(c.where.to_string()) << "\n";
    if (c.deviation) out << "      deviation: " << quoted(c.deviation->actual) << "\n";
  }
  if (!r.run_dir.empty()) out << "  run_dir: " << quoted(r.run_dir) << "\n";
  out << "  ...\n";
}

}  // namespace

void write_tap(const RunReport& report, std::ostream& out) {
  out << "TAP version 14\n";
  if (report.results.empty()) {
    out << "1..0 # SKIP no scenarios"
        << (report.shard ? " in shard " + report.shard->to_string() : std::string()) << "\n";
  } else {
    out << "1.." << report.results.size() << "\n";
  }
  out << "# badgateway " << tap_text(report.badgateway_version) << " against "
      << tap_text(report.proxy)
      << (report.proxy_version.empty() ? "" : " " + tap_text(report.proxy_version))
      << (report.shard ? ", shard " + report.shard->to_string() : "")
      << (report.repeat > 1 ? ", " + std::to_string(report.repeat) + " runs each" : "") << "\n";
  std::size_t n = 0;
  for (const auto& r : report.results) {
    const std::string point = std::to_string(++n) + " - " + tap_text(r.name);
    if (r.flaky()) {
      out << "not ok " << point << " # TODO flaky: " << runs_text(r.runs) << "\n";
      diagnostics(r, out);
      continue;
    }
    switch (r.verdict) {
      case Verdict::pass:
        out << "ok " << point << "\n";
        break;
      case Verdict::skip:
        out << "ok " << point << " # SKIP " << tap_text(r.reason) << "\n";
        break;
      case Verdict::xfail:
        out << "not ok " << point << " # TODO " << tap_text(r.reason) << "\n";
        diagnostics(r, out);
        break;
      case Verdict::fail:
      case Verdict::xpass:
      case Verdict::error:
        out << "not ok " << point << "\n";
        diagnostics(r, out);
        break;
    }
  }
  if (report.interrupted)
    out << "# interrupted: the scenarios that never ran are not in the plan\n";
}

}  // namespace bgw::run
