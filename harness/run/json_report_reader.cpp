#include "json_report_reader.hpp"

#include <boost/json.hpp>
#include <ctime>
#include <memory>
#include <stdexcept>

namespace bgw::run {
namespace {

namespace json = boost::json;

// A field that is missing or of the wrong type; the message names its path.
struct Bad : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const json::value& field(const json::object& o, std::string_view key, const std::string& path) {
  const json::value* v = o.if_contains(key);
  if (!v) throw Bad(path + "." + std::string(key) + ": missing");
  return *v;
}

std::string text(const json::object& o, std::string_view key, const std::string& path) {
  const auto& v = field(o, key, path);
  if (!v.is_string()) throw Bad(path + "." + std::string(key) + ": not a string");
  return std::string(v.as_string());
}

// Wire bytes were written one \u00XX per byte (Latin-1); the parser made them UTF-8 again.
std::string bytes(const json::object& o, std::string_view key, const std::string& path) {
  const std::string utf8 = text(o, key, path);
  std::string out;
  out.reserve(utf8.size());
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if ((c == 0xC2 || c == 0xC3) && i + 1 < utf8.size()) {
      out += static_cast<char>(((c & 0x03) << 6) | (static_cast<unsigned char>(utf8[++i]) & 0x3F));
    } else {
      throw Bad(path + "." + std::string(key) + ": a character above U+00FF in wire bytes");
    }
  }
  return out;
}

double number(const json::object& o, std::string_view key, const std::string& path) {
  const auto& v = field(o, key, path);
  if (!v.is_number()) throw Bad(path + "." + std::string(key) + ": not a number");
  return v.to_number<double>();
}

bool boolean(const json::object& o, std::string_view key, const std::string& path) {
  const auto& v = field(o, key, path);
  if (!v.is_bool()) throw Bad(path + "." + std::string(key) + ": not true or false");
  return v.as_bool();
}

const json::array& array(const json::object& o, std::string_view key, const std::string& path) {
  const auto& v = field(o, key, path);
  if (!v.is_array()) throw Bad(path + "." + std::string(key) + ": not an array");
  return v.as_array();
}

const json::object& object(const json::value& v, const std::string& path) {
  if (!v.is_object()) throw Bad(path + ": not an object");
  return v.as_object();
}

std::chrono::steady_clock::duration millis(double ms) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double, std::milli>(ms));
}

Verdict verdict_of(std::string_view s, const std::string& path) {
  for (Verdict v : {Verdict::pass, Verdict::fail, Verdict::xfail, Verdict::xpass, Verdict::error,
                    Verdict::skip}) {
    if (s == to_string(v)) return v;
  }
  throw Bad(path + ": unknown verdict '" + std::string(s) + "'");
}

std::chrono::system_clock::time_point time_of(const std::string& iso, const std::string& path) {
  std::tm tm{};
  const char* end = ::strptime(iso.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (!end || *end) throw Bad(path + ": not an ISO-8601 UTC time: '" + iso + "'");
  return std::chrono::system_clock::from_time_t(::timegm(&tm));
}

// "file:line:col" (the file may hold colons), or "" for no place.
scenario::Location location_of(const std::string& where) {
  scenario::Location loc;
  const auto c2 = where.rfind(':');
  if (where.empty() || c2 == std::string::npos || c2 == 0) return loc;
  const auto c1 = where.rfind(':', c2 - 1);
  if (c1 == std::string::npos) return loc;
  try {
    loc.line = static_cast<std::uint32_t>(std::stoul(where.substr(c1 + 1, c2 - c1 - 1)));
    loc.column = static_cast<std::uint32_t>(std::stoul(where.substr(c2 + 1)));
  } catch (const std::exception&) {
    return {};
  }
  loc.file = std::make_shared<const std::string>(where.substr(0, c1));
  return loc;
}

CheckResult check_of(const json::value& v, const std::string& path) {
  const auto& o = object(v, path);
  CheckResult c;
  c.kind = text(o, "kind", path);
  c.subject = text(o, "subject", path);
  c.passed = boolean(o, "passed", path);
  const std::string severity = text(o, "severity", path);
  if (severity != "must" && severity != "should")
    throw Bad(path + ".severity: '" + severity + "' is not must or should");
  c.severity = severity == "must" ? scenario::Severity::must : scenario::Severity::should;
  c.expected = text(o, "expected", path);
  c.observed = text(o, "observed", path);
  c.why = text(o, "why", path);
  c.where = location_of(text(o, "where", path));
  const auto& d = field(o, "deviation", path);
  if (!d.is_null()) {
    const auto& dev = object(d, path + ".deviation");
    c.deviation = proxy::Deviation{.actual = text(dev, "actual", path + ".deviation"),
                                   .reason = text(dev, "reason", path + ".deviation"),
                                   .link = text(dev, "link", path + ".deviation")};
  }
  return c;
}

Exchange exchange_of(const json::value& v, const std::string& path) {
  const auto& o = object(v, path);
  Exchange x;
  x.step = static_cast<std::size_t>(number(o, "step", path)) - 1;
  x.repeat = static_cast<int>(number(o, "repeat", path)) - 1;
  x.request_bytes = bytes(o, "request", path);
  auto& ob = x.observation;
  ob.connected = boolean(o, "connected", path);
  const auto& ending = field(o, "ending", path);
  if (ending.is_string()) {
    bool known = false;
    for (client::Ending e :
         {client::Ending::eof, client::Ending::reset, client::Ending::open, client::Ending::refused,
          client::Ending::connect_timeout, client::Ending::error}) {
      if (ending.as_string() == client::to_string(e)) {
        ob.ending = e;
        known = true;
      }
    }
    if (!known) throw Bad(path + ".ending: unknown '" + std::string(ending.as_string()) + "'");
  }
  const auto& status = field(o, "status", path);
  if (!status.is_null()) ob.status = static_cast<int>(number(o, "status", path));
  ob.status_line = bytes(o, "status_line", path);
  const std::string body_state = text(o, "body_state", path);
  bool known = false;
  for (client::BodyState b : {client::BodyState::absent, client::BodyState::complete,
                              client::BodyState::truncated, client::BodyState::unframed_complete}) {
    if (body_state == client::to_string(b)) {
      ob.body_state = b;
      known = true;
    }
  }
  if (!known) throw Bad(path + ".body_state: unknown '" + body_state + "'");
  ob.received = bytes(o, "received", path);
  ob.timings.end = std::chrono::duration_cast<client::Duration>(
      std::chrono::duration<double, std::milli>(number(o, "end_ms", path)));
  return x;
}

ScenarioResult scenario_of(const json::value& v, const std::string& path, const RunReport& run) {
  const auto& o = object(v, path);
  ScenarioResult r;
  r.name = text(o, "name", path);
  r.file = text(o, "file", path);
  r.description = text(o, "description", path);
  r.proxy = run.proxy;
  r.proxy_version = run.proxy_version;
  const std::string verdict = text(o, "verdict", path);
  if (const auto* runs = o.if_contains("runs")) {  // /2
    if (!runs->is_array() || runs->as_array().empty())
      throw Bad(path + ".runs: not an array of verdicts");
    for (const auto& run_verdict : runs->as_array()) {
      if (!run_verdict.is_string()) throw Bad(path + ".runs: not an array of verdicts");
      r.runs.push_back(verdict_of(run_verdict.as_string(), path + ".runs"));
    }
    r.verdict = r.runs[kept_run(r.runs)];
    if ((verdict == "flaky") != r.flaky() ||
        (verdict != "flaky" && verdict_of(verdict, path + ".verdict") != r.verdict))
      throw Bad(path + ".verdict: '" + verdict + "' does not match its runs");
    if (r.runs.size() == 1) r.runs.clear();
    r.proxy_missing = boolean(o, "proxy_missing", path);
  } else {
    r.verdict = verdict_of(verdict, path + ".verdict");
    // /1 had no proxy_missing per scenario: read_json_report sets it from the exit code.
  }
  r.reason = text(o, "reason", path);
  r.elapsed = millis(number(o, "elapsed_ms", path));
  r.waits = millis(number(o, "waits_ms", path));
  r.run_dir = text(o, "run_dir", path);
  const auto& checks = array(o, "checks", path);
  for (std::size_t i = 0; i < checks.size(); ++i)
    r.checks.push_back(check_of(checks[i], path + ".checks[" + std::to_string(i) + "]"));
  const auto& exchanges = array(o, "exchanges", path);
  for (std::size_t i = 0; i < exchanges.size(); ++i)
    r.exchanges.push_back(
        exchange_of(exchanges[i], path + ".exchanges[" + std::to_string(i) + "]"));
  r.upstream_journal = bytes(o, "upstream_journal", path);
  r.proxy_log_tail = bytes(o, "proxy_log_tail", path);
  return r;
}

}  // namespace

ReportRead read_json_report(std::string_view input) {
  boost::system::error_code ec;
  const json::value root = json::parse(json::string_view(input.data(), input.size()), ec);
  if (ec) return {.report = std::nullopt, .error = "not JSON: " + ec.message()};
  try {
    const auto& o = object(root, "the report");
    const std::string schema = text(o, "schema", "");
    if (schema != "badgateway.run/1" && schema != "badgateway.run/2")
      throw Bad("schema '" + schema + "' is not badgateway.run/1 or /2");
    RunReport report;
    report.badgateway_version = text(o, "badgateway_version", "");
    report.proxy = text(o, "proxy", "");
    report.proxy_version = text(o, "proxy_version", "");
    if (const auto* shard = o.if_contains("shard"); shard && !shard->is_null()) {
      report.shard = shard->is_string() ? parse_shard(shard->as_string()) : std::nullopt;
      if (!report.shard) throw Bad(".shard: not \"I/N\" or null");
    }
    report.started = time_of(text(o, "started", ""), ".started");
    report.elapsed = millis(number(o, "elapsed_ms", ""));
    report.interrupted = boolean(o, "interrupted", "");
    if (o.contains("repeat")) report.repeat = static_cast<int>(number(o, "repeat", ""));
    const auto& scenarios = array(o, "scenarios", "");
    for (std::size_t i = 0; i < scenarios.size(); ++i) {
      report.results.push_back(
          scenario_of(scenarios[i], ".scenarios[" + std::to_string(i) + "]", report));
    }
    // /1 had no proxy_missing per scenario: its exit code 77 said that every skip was one.
    if (schema == "badgateway.run/1" && number(o, "exit_code", "") == exit_proxy_missing) {
      for (auto& r : report.results) r.proxy_missing = r.verdict == Verdict::skip;
    }
    return {.report = std::move(report), .error = ""};
  } catch (const Bad& e) {
    std::string where = e.what();
    if (!where.empty() && where.front() == '.') where.erase(0, 1);
    return {.report = std::nullopt, .error = where};
  }
}

}  // namespace bgw::run
