#include "console_report.hpp"

#include <boost/json.hpp>

#include <cstdio>
#include <ctime>
#include <ostream>
#include <sstream>

#include "bgw_version.hpp"
#include "harness/client/http_exchange.hpp"
#include "harness/run/result_json.hpp"
#include "harness/text/escape.hpp"
#include "harness/text/time_text.hpp"
#include "simulator/journal.hpp"
#include "simulator/json_text.hpp"

namespace bgw::run {
namespace {

std::string secs(std::chrono::steady_clock::duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2fs", std::chrono::duration<double>(d).count());
  return buf;
}

std::string ms(client::Duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fms", std::chrono::duration<double, std::milli>(d).count());
  return buf;
}

const char* label(Verdict v) {
  switch (v) {
    case Verdict::pass:
      return "PASS ";
    case Verdict::fail:
      return "FAIL ";
    case Verdict::xfail:
      return "XFAIL";
    case Verdict::xpass:
      return "XPASS";
    case Verdict::error:
      return "ERROR";
    case Verdict::skip:
      return "SKIP ";
  }
  return "?    ";
}

const char* color_of(Verdict v) {
  switch (v) {
    case Verdict::pass:
      return "\033[32m";
    case Verdict::xfail:
      return "\033[36m";
    case Verdict::skip:
      return "\033[33m";
    default:
      return "\033[31m";
  }
}

std::string runs_text(const std::vector<Verdict>& runs, const char* separator) {
  std::string out;
  for (Verdict v : runs) out += (out.empty() ? "" : separator) + std::string(to_string(v));
  return out;
}

std::string pad(std::string s, std::size_t n) {
  if (s.size() < n) s.append(n - s.size(), ' ');
  return s;
}

// Both sides of the wire, bounded: what the client sent and got, and the upstream journal.
void transcript(std::ostream& out, const ScenarioResult& r) {
  for (const auto& x : r.exchanges) {
    const auto& o = x.observation;
    out << "    client -> proxy  step " << x.step + 1 << "." << x.repeat + 1 << " at "
        << secs(x.started_at) << ": \"" << client::escape_bytes(x.request_bytes, 300) << "\"\n";
    out << "    proxy -> client  " << client::describe(o) << "\n";
    std::size_t shown = 0;
    for (const auto& a : o.arrivals) {
      if (++shown > 8) {
        out << "      ... " << o.arrivals.size() - 8 << " more reads\n";
        break;
      }
      out << "      +" << ms(a.at) << "  " << a.bytes << " B\n";
    }
    if (!o.received.empty()) out << "      \"" << client::escape_bytes(o.received, 400) << "\"\n";
  }
  if (!r.upstream_journal.empty()) {
    out << "    proxy <-> upstreams (journal):\n";
    std::istringstream in(r.upstream_journal);
    std::string line;
    std::size_t n = 0;
    while (std::getline(in, line)) {
      if (++n > 40) {
        out << "      ... (full journal in the run directory)\n";
        break;
      }
      if (line.size() > 300) line = line.substr(0, 300) + "...";
      out << "      " << line << "\n";
    }
  }
}

}  // namespace

void ConsoleReport::start(std::size_t total, const std::string& proxy, const std::string& version,
                          int repeat) {
  out_ << "badgateway run: " << total << " scenario" << (total == 1 ? "" : "s")
       << (repeat > 1 ? " x " + std::to_string(repeat) + " runs" : "") << " against " << proxy
       << (version.empty() ? "" : " " + version) << " (badgateway " << bgw::version << ")\n";
  out_.flush();
}

void ConsoleReport::scenario_done(std::size_t index, std::size_t total, const ScenarioResult& r) {
  char counter[32];
  std::snprintf(counter, sizeof counter, "[%*zu/%zu]",
                static_cast<int>(std::to_string(total).size()), index, total);
  out_ << counter << " " << (color_ ? color_of(r.verdict) : "") << label(r.verdict)
       << (color_ ? "\033[0m" : "") << "  " << pad(r.name, 34) << " " << secs(r.elapsed);
  if (!r.reason.empty()) out_ << "  " << r.reason.substr(0, r.reason.find('\n'));
  out_ << "\n";
  const bool detail = r.verdict == Verdict::fail || r.verdict == Verdict::xpass ||
                      r.verdict == Verdict::error || (verbose_ && r.verdict == Verdict::xfail) ||
                      (verbose_ && r.should_failed() > 0);
  if (detail) {
    if (r.reason.find('\n') != std::string::npos) out_ << "    " << r.reason << "\n";
    for (const auto& c : r.checks) {
      if (c.passed) continue;
      out_ << "    " << (c.severity == scenario::Severity::must ? "MUST  " : "SHOULD") << " "
           << c.kind << " of " << c.subject << ": expected " << c.expected << ", observed "
           << c.observed << "\n";
      if (!c.why.empty()) out_ << "           why: " << c.why << "\n";
      if (c.where.file) out_ << "           at " << c.where.to_string() << "\n";
      if (c.deviation)
        out_ << "           known deviation: " << c.deviation->actual << " (" << c.deviation->reason
             << (c.deviation->link.empty() ? "" : "; " + c.deviation->link) << ")\n";
    }
    if (r.verdict != Verdict::error || !r.exchanges.empty()) transcript(out_, r);
    if (!r.proxy_log_tail.empty()) {
      out_ << "    proxy log:\n";
      std::istringstream in(r.proxy_log_tail);
      std::string line;
      while (std::getline(in, line)) out_ << "      " << line << "\n";
    }
    if (!r.run_dir.empty()) out_ << "    run directory: " << r.run_dir << "\n";
  }
  out_.flush();
}

void ConsoleReport::finish(const RunReport& report) {
  const auto pass = report.count(Verdict::pass), xfail = report.count(Verdict::xfail),
             fail = report.count(Verdict::fail), xpass = report.count(Verdict::xpass),
             error = report.count(Verdict::error), skip = report.count(Verdict::skip);
  out_ << "\n"
       << pass << " pass, " << xfail << " xfail, " << fail << " fail, " << xpass << " xpass, "
       << error << " error, " << skip << " skip"
       << (report.repeat > 1 ? ", " + std::to_string(report.count_flaky()) + " flaky" : "")
       << " in " << secs(report.elapsed) << "\n";
  out_ << pass + xfail << " passed, " << fail + xpass + error << " failed, " << skip << " skipped"
       << (report.repeat > 1 ? ", " + std::to_string(report.count_flaky()) + " flaky" : "") << "\n";
  for (const auto& r : report.results) {
    if (!r.flaky()) continue;
    out_ << (color_ ? "\033[35m" : "") << "FLAKY" << (color_ ? "\033[0m" : "") << "  "
         << pad(r.name, 34) << " " << runs_text(r.runs, ", ") << "\n";
  }
  if (report.count_flaky() > 0 && report.exit_code() == exit_flaky)
    out_ << "flaky: a verdict changed between runs and nothing failed in every run (exit code "
         << exit_flaky << ")\n";
  if (report.proxy_missing())
    out_ << "nothing was tested: " << report.proxy << "'s program is not installed (exit code "
         << exit_proxy_missing << ")\n";
  out_.flush();
}

namespace {

std::string fixed(std::chrono::steady_clock::duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", std::chrono::duration<double>(d).count());
  return buf;
}

std::string details(const ScenarioResult& r) {
  std::ostringstream s;
  ConsoleReport(s, false, true).scenario_done(1, 1, r);
  return s.str();
}

// Text (names, reasons, expectations): UTF-8 kept. Wire bytes: one \u00XX per byte outside
// printable ASCII, lossless (docs/report-json.md).
std::string iso8601(std::chrono::system_clock::time_point t) {
  return text::iso8601_utc(t);
}

}  // namespace

void write_junit(const RunReport& report, std::ostream& out) {
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites>\n<testsuite name=\"badgateway." << text::xml_text(report.proxy)
      << "\" tests=\"" << report.results.size() << "\" failures=\""
      << report.count(Verdict::fail) + report.count(Verdict::xpass) << "\" errors=\""
      << report.count(Verdict::error) << "\" skipped=\"" << report.count(Verdict::skip)
      << "\" time=\"" << fixed(report.elapsed) << "\" timestamp=\"" << iso8601(report.started)
      << "\">\n";
  out << "  <properties><property name=\"badgateway_version\" value=\""
      << text::xml_text(report.badgateway_version) << "\"/>";
  if (report.shard)
    out << "<property name=\"shard\" value=\"" << report.shard->to_string() << "\"/>";
  out << "</properties>\n";
  for (const auto& r : report.results) {
    out << "  <testcase classname=\"" << text::xml_text(report.proxy) << "\" name=\""
        << text::xml_text(r.name) << "\" file=\"" << text::xml_text(r.file) << "\" time=\""
        << fixed(r.elapsed) << "\">\n";
    if (!r.runs.empty()) {
      out << "    <properties><property name=\"verdict\" value=\""
          << (r.flaky() ? "flaky" : to_string(r.verdict)) << "\"/><property name=\"runs\" value=\""
          << runs_text(r.runs, ",") << "\"/></properties>\n";
    }
    if (r.flaky()) {
      // Surefire's rerun vocabulary: the case passes, the unstable run is evidence.
      const bool bad =
          r.verdict == Verdict::fail || r.verdict == Verdict::xpass || r.verdict == Verdict::error;
      if (bad) {
        const char* element = r.verdict == Verdict::error ? "flakyError" : "flakyFailure";
        out << "    <" << element << " message=\"" << text::xml_text(r.reason) << "\" type=\""
            << to_string(r.verdict) << "\">" << text::xml_text(details(r)) << "</" << element
            << ">\n";
      }
      out << "  </testcase>\n";
      continue;
    }
    switch (r.verdict) {
      case Verdict::fail:
      case Verdict::xpass:
        out << "    <failure message=\"" << text::xml_text(r.reason) << "\" type=\""
            << to_string(r.verdict) << "\">" << text::xml_text(details(r)) << "</failure>\n";
        break;
      case Verdict::error:
        out << "    <error message=\"" << text::xml_text(r.reason) << "\">"
            << text::xml_text(details(r)) << "</error>\n";
        break;
      case Verdict::skip:
        out << "    <skipped message=\"" << text::xml_text(r.reason) << "\"/>\n";
        break;
      case Verdict::xfail:
        if (r.runs.empty())
          out << "    <properties><property name=\"verdict\" value=\"xfail\"/></properties>\n";
        out << "    <system-out>" << text::xml_text(r.reason) << "</system-out>\n";
        break;
      case Verdict::pass:
        break;
    }
    out << "  </testcase>\n";
  }
  out << "</testsuite>\n</testsuites>\n";
}

void write_json(const RunReport& report, std::ostream& out) {
  namespace json = boost::json;
  json::object summary;
  for (Verdict v : {Verdict::pass, Verdict::fail, Verdict::xfail, Verdict::xpass, Verdict::error,
                    Verdict::skip})
    summary[to_string(v)] = report.count(v);
  summary["flaky"] = report.count_flaky();
  json::array scenarios;
  for (const auto& r : report.results) {
    json::array runs;
    if (r.runs.empty()) runs.push_back(json::string(to_string(r.verdict)));
    for (Verdict v : r.runs) runs.push_back(json::string(to_string(v)));
    json::array checks;
    for (const auto& c : r.checks) checks.push_back(check_json(c));
    json::array exchanges;
    for (const auto& x : r.exchanges) exchanges.push_back(exchange_json(x, false));
    scenarios.push_back(json::object{{"name", text_value(r.name)},
                                     {"file", text_value(r.file)},
                                     {"description", text_value(r.description)},
                                     {"verdict", r.flaky() ? "flaky" : to_string(r.verdict)},
                                     {"runs", std::move(runs)},
                                     {"proxy_missing", r.proxy_missing},
                                     {"reason", text_value(r.reason)},
                                     {"elapsed_ms", ms_value(r.elapsed)},
                                     {"waits_ms", ms_value(r.waits)},
                                     {"run_dir", text_value(r.run_dir)},
                                     {"checks", std::move(checks)},
                                     {"exchanges", std::move(exchanges)},
                                     {"upstream_journal", wire_value(r.upstream_journal)},
                                     {"proxy_log_tail", wire_value(r.proxy_log_tail)}});
  }
  json::object doc{{"schema", "badgateway.run/2"},
                   {"badgateway_version", text_value(report.badgateway_version)},
                   {"proxy", text_value(report.proxy)},
                   {"proxy_version", text_value(report.proxy_version)}};
  if (report.shard)
    doc["shard"] = report.shard->to_string();
  else
    doc["shard"] = nullptr;
  doc["started"] = iso8601(report.started);
  doc["elapsed_ms"] = ms_value(report.elapsed);
  doc["summary"] = std::move(summary);
  doc["repeat"] = report.repeat;
  doc["interrupted"] = report.interrupted;
  doc["exit_code"] = report.exit_code();
  doc["scenarios"] = std::move(scenarios);
  out << sim::json_text(doc) << "\n";
}

}  // namespace bgw::run
