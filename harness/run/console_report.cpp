#include "console_report.hpp"

#include <cstdio>
#include <ctime>
#include <ostream>
#include <sstream>

#include "bgw_version.hpp"
#include "harness/client/http_exchange.hpp"
#include "harness/text/escape.hpp"
#include "harness/text/time_text.hpp"
#include "simulator/journal.hpp"

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
std::string json(std::string_view text) {
  return text::json_text(text);
}
std::string json_wire(std::string_view bytes) {
  return text::json_bytes(bytes);
}

std::string iso8601(std::chrono::system_clock::time_point t) {
  return text::iso8601_utc(t);
}

double msd(client::Duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
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
  out << "{\"schema\":\"badgateway.run/2\",\"badgateway_version\":"
      << json(report.badgateway_version) << ",\"proxy\":" << json(report.proxy)
      << ",\"proxy_version\":" << json(report.proxy_version)
      << ",\"shard\":" << (report.shard ? json(report.shard->to_string()) : "null")
      << ",\"started\":" << json(iso8601(report.started))
      << ",\"elapsed_ms\":" << msd(report.elapsed) << ",\"summary\":{";
  bool first = true;
  for (Verdict v : {Verdict::pass, Verdict::fail, Verdict::xfail, Verdict::xpass, Verdict::error,
                    Verdict::skip}) {
    out << (first ? "" : ",") << "\"" << to_string(v) << "\":" << report.count(v);
    first = false;
  }
  out << ",\"flaky\":" << report.count_flaky() << "},\"repeat\":" << report.repeat
      << ",\"interrupted\":" << (report.interrupted ? "true" : "false")
      << ",\"exit_code\":" << report.exit_code() << ",\"scenarios\":[";
  for (std::size_t i = 0; i < report.results.size(); ++i) {
    const auto& r = report.results[i];
    out << (i ? "," : "") << "{\"name\":" << json(r.name) << ",\"file\":" << json(r.file)
        << ",\"description\":" << json(r.description) << ",\"verdict\":\""
        << (r.flaky() ? "flaky" : to_string(r.verdict)) << "\",\"runs\":[";
    if (r.runs.empty()) out << "\"" << to_string(r.verdict) << "\"";
    for (std::size_t k = 0; k < r.runs.size(); ++k)
      out << (k ? "," : "") << "\"" << to_string(r.runs[k]) << "\"";
    out << "],\"proxy_missing\":" << (r.proxy_missing ? "true" : "false")
        << ",\"reason\":" << json(r.reason) << ",\"elapsed_ms\":" << msd(r.elapsed)
        << ",\"waits_ms\":" << msd(r.waits) << ",\"run_dir\":" << json(r.run_dir)
        << ",\"checks\":[";
    for (std::size_t j = 0; j < r.checks.size(); ++j) {
      const auto& c = r.checks[j];
      out << (j ? "," : "") << "{\"kind\":" << json(c.kind) << ",\"subject\":" << json(c.subject)
          << ",\"passed\":" << (c.passed ? "true" : "false") << ",\"severity\":\""
          << (c.severity == scenario::Severity::must ? "must" : "should")
          << "\",\"expected\":" << json(c.expected) << ",\"observed\":" << json(c.observed)
          << ",\"why\":" << json(c.why)
          << ",\"where\":" << json(c.where.file ? c.where.to_string() : "") << ",\"deviation\":";
      if (c.deviation)
        out << "{\"actual\":" << json(c.deviation->actual)
            << ",\"reason\":" << json(c.deviation->reason)
            << ",\"link\":" << json(c.deviation->link) << "}";
      else
        out << "null";
      out << "}";
    }
    out << "],\"exchanges\":[";
    for (std::size_t j = 0; j < r.exchanges.size(); ++j) {
      const auto& x = r.exchanges[j];
      const auto& o = x.observation;
      out << (j ? "," : "") << "{\"step\":" << x.step + 1 << ",\"repeat\":" << x.repeat + 1
          << ",\"request\":" << json_wire(x.request_bytes)
          << ",\"connected\":" << (o.connected ? "true" : "false")
          << ",\"ending\":" << (o.ending ? json(client::to_string(*o.ending)) : "null")
          << ",\"status\":" << (o.status ? std::to_string(*o.status) : "null")
          << ",\"status_line\":" << json_wire(o.status_line) << ",\"body_state\":\""
          << client::to_string(o.body_state) << "\",\"received\":" << json_wire(o.received)
          << ",\"end_ms\":" << msd(o.timings.end) << "}";
    }
    out << "],\"upstream_journal\":" << json_wire(r.upstream_journal)
        << ",\"proxy_log_tail\":" << json_wire(r.proxy_log_tail) << "}";
  }
  out << "]}\n";
}

}  // namespace bgw::run
