#include "judge.hpp"

#include <strings.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>
#include <sstream>

#include "harness/client/http_exchange.hpp"
#include "harness/text/glob.hpp"
#include "simulator/units.hpp"

namespace bgw::run {
namespace {

using scenario::Severity;

std::string seconds(sim::Duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3fs", std::chrono::duration<double>(d).count());
  return buf;
}

// The time a response took, as `within` and `not_before` judge it.
sim::Duration response_time(const client::Observation& o) {
  return o.timings.response_complete ? *o.timings.response_complete : o.timings.end;
}

std::string observed_status(const client::Observation& o) {
  if (o.status) return std::to_string(*o.status);
  if (!o.connected)
    return std::string("no connection (") + (o.ending ? client::to_string(*o.ending) : "?") + ")";
  if (!o.http09 && !o.status_error.empty() && o.head_complete)
    return "invalid status line \"" + client::escape_bytes(o.status_line, 40) + "\" (" +
           o.status_error + ")";
  if (o.http09 || !o.received.empty())
    return "no status line (" + std::to_string(o.received.size()) + " B: \"" +
           client::escape_bytes(o.received, 40) + "\")";
  return std::string("no response (") + (o.ending ? client::to_string(*o.ending) : "?") +
         " after " + seconds(o.timings.end) + ")";
}

// The scenario's body states, as the client can tell them.
scenario::BodyState body_state(const client::Observation& o) {
  switch (o.body_state) {
    case client::BodyState::complete:
    case client::BodyState::unframed_complete:
      return scenario::BodyState::complete;
    case client::BodyState::truncated:
      return scenario::BodyState::truncated;
    case client::BodyState::absent:
      return scenario::BodyState::absent;
  }
  return scenario::BodyState::absent;
}

const char* body_name(scenario::BodyState b) {
  switch (b) {
    case scenario::BodyState::complete:
      return "complete";
    case scenario::BodyState::truncated:
      return "truncated";
    case scenario::BodyState::truncated_silently:
      return "truncated_silently";
    case scenario::BodyState::absent:
      return "absent";
  }
  return "?";
}

const char* connection_name(scenario::ConnectionEnd c) {
  switch (c) {
    case scenario::ConnectionEnd::close:
      return "close";
    case scenario::ConnectionEnd::reset:
      return "reset";
    case scenario::ConnectionEnd::open:
      return "open";
  }
  return "?";
}

std::string observed_connection(const client::Observation& o) {
  if (!o.ending) return "open";
  switch (*o.ending) {
    case client::Ending::eof:
      return "close";
    case client::Ending::reset:
      return "reset";
    case client::Ending::open:
      return "open (no complete response before the deadline)";
    default:
      return client::to_string(*o.ending);
  }
}

CheckResult check(std::string kind, std::string subject, bool passed, Severity s,
                  std::string expected, std::string observed, const std::string& why,
                  const scenario::Location& where) {
  CheckResult c;
  c.kind = std::move(kind);
  c.subject = std::move(subject);
  c.passed = passed;
  c.severity = s;
  c.expected = std::move(expected);
  c.observed = std::move(observed);
  c.why = why;
  c.where = where;
  return c;
}

bool upstream_cut_response(const std::map<std::string, std::vector<sim::Event>>& journals,
                           const std::string& id);
std::string request_id(const Exchange& x);

// The exact bytes of the final response's head as received (interim 1xx heads before it too):
// everything before the body and whatever followed the response.
std::string_view head_bytes(const client::Observation& o) {
  const std::string_view all = o.received;
  if (!o.head_complete) return all;
  const std::size_t tail = o.body.size() + o.extra.size();
  return tail <= all.size() ? all.substr(0, all.size() - tail) : all;
}

// One alternative's results, for the any_of line: "status: expected 502, got 200".
std::string describe_failures(const std::vector<CheckResult>& results) {
  std::string out;
  for (const CheckResult& r : results) {
    if (r.passed) continue;
    out += (out.empty() ? "" : "; ") + r.kind + ": expected " + r.expected + ", got " + r.observed;
  }
  return out.empty() ? "passed" : out;
}

void check_checks(const scenario::ResponseChecks& c, Severity severity, const std::string& why,
                  const Exchange& x, const std::map<std::string, std::vector<sim::Event>>& journals,
                  const std::string& subject, std::vector<CheckResult>& out);

void check_response(const scenario::ResponseExpect& e, const Exchange& x,
                    const std::map<std::string, std::vector<sim::Event>>& journals,
                    std::vector<CheckResult>& out) {
  const std::string subject = "step " + std::to_string(x.step + 1) +
                              (x.repeat > 0 ? "." + std::to_string(x.repeat + 1) : "") + " (" +
                              x.request + ")";
  check_checks(e.checks, e.severity, e.why, x, journals, subject, out);
}

void check_checks(const scenario::ResponseChecks& c, Severity severity, const std::string& why,
                  const Exchange& x, const std::map<std::string, std::vector<sim::Event>>& journals,
                  const std::string& subject, std::vector<CheckResult>& out) {
  const auto& o = x.observation;
  // The helpers below were written for an expectation; they read these two from it.
  struct {
    Severity severity;
    const std::string& why;
  } e{severity, why};
  if (c.status)
    out.push_back(check("status", subject, c.status->value.matches(o.status), e.severity,
                        c.status->value.to_string(), observed_status(o), e.why, c.status->where));
  const sim::Duration took = response_time(o);
  if (c.within)
    out.push_back(check("within", subject, took <= c.within->value, e.severity,
                        "within " + seconds(c.within->value), "after " + seconds(took), e.why,
                        c.within->where));
  // Proxies keep their timers in whole milliseconds from a clock cached per event-loop turn
  // (nginx's ngx_current_msec), so a 1 s timeout can fire up to a millisecond before 1 s has
  // passed since the request reached it. That is granularity, not an early answer.
  constexpr auto proxy_timer_granularity = std::chrono::milliseconds(2);
  if (c.not_before)
    out.push_back(check("not_before", subject,
                        took + proxy_timer_granularity >= c.not_before->value, e.severity,
                        "not before " + seconds(c.not_before->value), "after " + seconds(took),
                        e.why, c.not_before->where));
  if (c.body) {
    scenario::BodyState seen = body_state(o);
    // Complete to the client, but cut at the upstream: the proxy hid the truncation.
    if (seen == scenario::BodyState::complete && upstream_cut_response(journals, request_id(x)))
      seen = scenario::BodyState::truncated_silently;
    std::string observed = body_name(seen);
    observed +=
        " (" + std::to_string(o.payload().size()) + " B, " + client::to_string(o.framing) + ")";
    bool ok = seen == c.body->value;
    // "truncated" asks that the client can tell the upstream's response did not arrive whole. A
    // proxy that had not sent the head yet can say so just as well with an error of its own, or
    // by closing with no response: neither passes a cut body off as complete.
    if (!ok && c.body->value == scenario::BodyState::truncated) {
      if (!o.status) {
        ok = true;
        observed = "no response (" + observed_status(o) + "): the failure is visible";
      } else if (*o.status >= 500) {
        ok = true;
        observed = "the proxy's own " + std::to_string(*o.status) +
                   " instead of the response: the failure is visible";
      }
    }
    out.push_back(check("body", subject, ok, e.severity, body_name(c.body->value), observed, e.why,
                        c.body->where));
  }
  if (c.body_equals) {
    const std::string payload(o.payload());
    out.push_back(check("body_equals", subject, payload == c.body_equals->value, e.severity,
                        "\"" + client::escape_bytes(c.body_equals->value, 60) + "\"",
                        "\"" + client::escape_bytes(payload, 60) + "\"", e.why,
                        c.body_equals->where));
  }
  if (c.connection) {
    const std::string seen = observed_connection(o);
    out.push_back(check("connection", subject, seen == connection_name(c.connection->value),
                        e.severity, connection_name(c.connection->value), seen, e.why,
                        c.connection->where));
  }
  for (const auto& h : c.headers) {
    const auto value = client::find_header(o.headers, h.name);
    bool ok = false;
    std::string expected, observed = value ? "\"" + std::string(*value) + "\"" : "absent";
    switch (h.kind) {
      case scenario::HeaderCheck::Kind::present:
        ok = value.has_value();
        expected = "present";
        break;
      case scenario::HeaderCheck::Kind::absent:
        ok = !value.has_value();
        expected = "absent";
        break;
      case scenario::HeaderCheck::Kind::equal:
        ok = value && *value == h.value;
        expected = "\"" + h.value + "\"";
        break;
    }
    out.push_back(check("header", subject + " header " + h.name, ok, e.severity, expected, observed,
                        e.why, h.where));
  }
  if (!c.head_contains.empty()) {
    const std::string_view head = head_bytes(o);
    for (const auto& want : c.head_contains) {
      const bool ok = head.find(want.value) != std::string_view::npos;
      out.push_back(check("head_contains", subject, ok, e.severity,
                          "head containing \"" + client::escape_bytes(want.value, 80) + "\"",
                          "\"" + client::escape_bytes(head, 400) + "\"", e.why, want.where));
    }
  }
  if (!c.any_of.empty()) {
    // One check: it passes when every check of some alternative passes; it shows them all.
    bool ok = false;
    std::string expected, observed;
    for (std::size_t i = 0; i < c.any_of.size(); ++i) {
      std::vector<CheckResult> alt;
      check_checks(c.any_of[i], e.severity, e.why, x, journals, subject, alt);
      const bool passed =
          std::all_of(alt.begin(), alt.end(), [](const CheckResult& r) { return r.passed; });
      ok = ok || passed;
      std::string wants;
      for (const CheckResult& r : alt)
        wants += (wants.empty() ? "" : ", ") + r.kind + " " + r.expected;
      const std::string n = std::to_string(i + 1);
      expected += (i ? " | " : "") + ("(" + n + ") " + wants);
      observed += (i ? "; " : "") + ("(" + n + ") " + describe_failures(alt));
    }
    out.push_back(check("any_of", subject, ok, e.severity, "one of " + expected, observed, e.why,
                        c.any_of_where));
  }
}

bool idempotent(const std::string& method) {
  for (const char* m : {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
    if (method == m) return true;
  return false;
}

// The request id the runner adds (X-Bgw-Request: step.repeat) and the method, from a journalled
// request head; empty when absent.
std::pair<std::string, std::string> request_identity(const std::string& head) {
  const std::string method = head.substr(0, head.find(' '));
  std::string id;
  std::istringstream in(head);
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() > 14 && strncasecmp(line.c_str(), "X-Bgw-Request:", 14) == 0) {
      id = line.substr(14);
      id.erase(0, id.find_first_not_of(" \t"));
      while (!id.empty() && (id.back() == '\r' || id.back() == ' ')) id.pop_back();
    }
  }
  return {method, id};
}

// Whether an upstream cut short the response it sent for the request with this id: its head
// promised more body (Content-Length, or chunked framing) than it wrote. The client cannot see
// that; a proxy that still framed the response as complete truncated it silently.
bool upstream_cut_response(const std::map<std::string, std::vector<sim::Event>>& journals,
                           const std::string& id) {
  for (const auto& [name, events] : journals) {
    std::uint64_t conn = 0, request = 0;
    for (const auto& ev : events) {
      if (ev.kind == sim::EventKind::request_head && request_identity(ev.detail).second == id) {
        conn = ev.connection;
        request = ev.request;
      }
    }
    if (request == 0) continue;
    std::string written;
    for (const auto& ev : events) {
      if (ev.kind == sim::EventKind::wrote && ev.connection == conn && ev.request == request)
        written += ev.detail;
    }
    const auto head_end = written.find("\r\n\r\n");
    if (head_end == std::string::npos) continue;
    const std::string head = written.substr(0, head_end + 2);
    const std::size_t body = written.size() - head_end - 4;
    std::string lower;
    for (const char c : head)
      lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (const auto cl = lower.find("\r\ncontent-length:"); cl != std::string::npos) {
      const std::uint64_t declared = std::strtoull(head.c_str() + cl + 17, nullptr, 10);
      if (body < declared) return true;
    } else if (lower.find("transfer-encoding: chunked") != std::string::npos) {
      if (written.rfind("0\r\n\r\n") != written.size() - 5) return true;
    }
  }
  return false;
}

std::string request_id(const Exchange& x) {
  return std::to_string(x.step + 1) + "." + std::to_string(x.repeat + 1);
}

}  // namespace

std::vector<CheckResult> evaluate(const scenario::Scenario& sc, const std::string& proxy,
                                  const std::vector<Exchange>& exchanges,
                                  const std::map<std::string, std::vector<sim::Event>>& journals) {
  std::vector<CheckResult> out;
  for (const Exchange& x : exchanges) {
    if (x.step >= sc.steps.size()) continue;
    for (const auto& e : sc.steps[x.step].expects)
      check_response(scenario::for_proxy(e, proxy), x, journals, out);
  }
  for (const auto& raw : sc.expects) {
    const scenario::UpstreamExpect e = scenario::for_proxy(raw, proxy);
    const auto& c = e.checks;
    const std::string name = e.upstream ? e.upstream->value : "";
    const auto it = journals.find(name);
    const std::vector<sim::Event> none;
    const auto& events = it == journals.end() ? none : it->second;
    auto count = [&](sim::EventKind k) {
      return static_cast<std::uint64_t>(std::count_if(
          events.begin(), events.end(), [&](const sim::Event& ev) { return ev.kind == k; }));
    };
    if (c.connections) {
      const auto n = count(sim::EventKind::accepted);
      out.push_back(check("connections", "upstream " + name, c.connections->value.contains(n),
                          e.severity, c.connections->value.to_string(), std::to_string(n), e.why,
                          c.connections->where));
    }
    if (c.requests) {
      const auto n = count(sim::EventKind::request_head);
      out.push_back(check("requests", "upstream " + name, c.requests->value.contains(n), e.severity,
                          c.requests->value.to_string(), std::to_string(n), e.why,
                          c.requests->where));
    }
    if (c.non_idempotent_once && c.non_idempotent_once->value) {
      // Every delivery of a non-idempotent request, by its id, across all upstreams.
      std::map<std::string, std::vector<std::string>> seen;
      bool heads = false;
      for (const auto& [up, evs] : journals) {
        for (const auto& ev : evs) {
          if (ev.kind != sim::EventKind::request_head) continue;
          heads = heads || !ev.detail.empty();
          const auto [method, id] = request_identity(ev.detail);
          if (!id.empty() && !idempotent(method)) seen[method + " " + id].push_back(up);
        }
      }
      std::string dup;
      for (const auto& [req, ups] : seen) {
        if (ups.size() > 1) {
          dup = req + " reached ";
          for (std::size_t i = 0; i < ups.size(); ++i) dup += (i ? ", " : "") + ups[i];
          break;
        }
      }
      const bool ok = dup.empty() && (heads || seen.empty());
      out.push_back(check("non_idempotent_once", "all upstreams", ok, e.severity,
                          "no non-idempotent request delivered twice",
                          dup.empty() ? "each delivered at most once" : dup, e.why,
                          c.non_idempotent_once->where));
    }
  }
  return out;
}

Decision decide(std::vector<CheckResult>& checks, const std::string& scenario_name,
                const std::vector<proxy::Deviation>& deviations, const std::string& version,
                bool strict) {
  std::vector<const proxy::Deviation*> applicable;
  for (const auto& d : deviations) {
    if (text::glob_match(d.scenario, scenario_name) &&
        (d.versions.empty() || proxy::version_satisfies(version, d.versions)))
      applicable.push_back(&d);
  }
  std::set<const proxy::Deviation*> used;
  std::size_t failed = 0, covered = 0, should = 0;
  const CheckResult* first_failure = nullptr;
  for (CheckResult& c : checks) {
    if (c.passed) continue;
    const bool counts = c.severity == Severity::must || strict || c.kind == "proxy_alive";
    for (const proxy::Deviation* d : applicable) {
      if (d->check.empty() || d->check == c.kind) {
        c.deviation = *d;
        used.insert(d);
        break;
      }
    }
    if (!counts) {
      ++should;
      continue;
    }
    if (c.deviation) {
      ++covered;
    } else {
      ++failed;
      if (!first_failure) first_failure = &c;
    }
  }
  Decision out;
  if (failed > 0) {
    out.verdict = Verdict::fail;
    out.reason = first_failure->kind + " of " + first_failure->subject + ": expected " +
                 first_failure->expected + ", got " + first_failure->observed;
    if (failed > 1) out.reason += " (+" + std::to_string(failed - 1) + " more)";
    return out;
  }
  for (const proxy::Deviation* d : applicable) {
    if (!used.count(d) && !d->intermittent) {
      out.verdict = Verdict::xpass;
      out.reason = "known deviation no longer happens: " + d->actual;
      return out;
    }
  }
  if (covered > 0) {
    out.verdict = Verdict::xfail;
    for (const CheckResult& c : checks) {
      if (!c.passed && c.deviation) {
        out.reason = "known deviation: " + c.deviation->actual;
        break;
      }
    }
    return out;
  }
  out.verdict = Verdict::pass;
  if (should > 0)
    out.reason = std::to_string(should) + " SHOULD deviation" + (should > 1 ? "s" : "");
  return out;
}

// ---- result.hpp ----------------------------------------------------------------------------

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::pass:
      return "pass";
    case Verdict::fail:
      return "fail";
    case Verdict::xfail:
      return "xfail";
    case Verdict::xpass:
      return "xpass";
    case Verdict::error:
      return "error";
    case Verdict::skip:
      return "skip";
  }
  return "?";
}

std::size_t ScenarioResult::must_failed() const {
  return static_cast<std::size_t>(std::count_if(
      checks.begin(), checks.end(),
      [](const CheckResult& c) { return !c.passed && c.severity == Severity::must; }));
}

std::size_t ScenarioResult::should_failed() const {
  return static_cast<std::size_t>(std::count_if(
      checks.begin(), checks.end(),
      [](const CheckResult& c) { return !c.passed && c.severity == Severity::should; }));
}

bool ScenarioResult::flaky() const {
  return std::any_of(runs.begin(), runs.end(), [&](Verdict v) { return v != runs.front(); });
}

std::size_t kept_run(const std::vector<Verdict>& runs) {
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (runs[i] == Verdict::fail || runs[i] == Verdict::xpass || runs[i] == Verdict::error)
      return i;
  }
  return 0;
}

std::size_t RunReport::count(Verdict v) const {
  return static_cast<std::size_t>(
      std::count_if(results.begin(), results.end(),
                    [&](const ScenarioResult& r) { return r.verdict == v && !r.flaky(); }));
}

std::size_t RunReport::count_flaky() const {
  return static_cast<std::size_t>(std::count_if(results.begin(), results.end(),
                                                [](const ScenarioResult& r) { return r.flaky(); }));
}

bool RunReport::proxy_missing() const {
  return std::any_of(results.begin(), results.end(),
                     [](const ScenarioResult& r) { return r.proxy_missing; });
}

int RunReport::exit_code() const {
  if (interrupted) return 130;
  if (count(Verdict::error) > 0) return 3;
  if (count(Verdict::fail) > 0 || count(Verdict::xpass) > 0) return 1;
  if (count_flaky() > 0) return exit_flaky;
  if (proxy_missing()) return exit_proxy_missing;
  return 0;
}

}  // namespace bgw::run

// ---- adapter.hpp matching helpers ------------------------------------------------------------

namespace bgw::proxy {

namespace {
std::vector<long> version_parts(const std::string& v) {
  std::vector<long> out;
  std::size_t i = 0;
  while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) {
    long n = 0;
    while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i])))
      n = n * 10 + (v[i++] - '0');
    out.push_back(n);
    if (i < v.size() && v[i] == '.')
      ++i;
    else
      break;  // "-9+deb12u11" and the like end the version
  }
  return out;
}
}  // namespace

bool version_satisfies(const std::string& version, const std::string& constraint) {
  if (constraint.empty()) return true;
  std::size_t op_len = 0;
  while (op_len < constraint.size() &&
         std::string("<>=!").find(constraint[op_len]) != std::string::npos)
    ++op_len;
  const std::string op = op_len ? constraint.substr(0, op_len) : "=";
  auto a = version_parts(version);
  auto b = version_parts(constraint.substr(op_len));
  if (a.empty() || b.empty()) return false;
  const std::size_t n = std::max(a.size(), b.size());
  a.resize(n, 0);
  b.resize(n, 0);
  const int cmp = a < b ? -1 : (a > b ? 1 : 0);
  if (op == ">=") return cmp >= 0;
  if (op == ">") return cmp > 0;
  if (op == "<=") return cmp <= 0;
  if (op == "<") return cmp < 0;
  if (op == "=" || op == "==") return cmp == 0;
  if (op == "!=") return cmp != 0;
  return false;
}

}  // namespace bgw::proxy
