// The scenario model: one TOML file decoded into plain aggregates. Upstreams carry a ready
// sim::UpstreamSpec and their timeline, so the runner and `badgateway serve` start them without
// touching TOML; everything a later stage may reject remembers where it was written.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "harness/scenario/diagnostic.hpp"
#include "simulator/fault_catalogue.hpp"
#include "simulator/upstream_spec.hpp"

namespace bgw::scenario {

using sim::Duration;
using std::chrono::seconds;

// ---- metadata -------------------------------------------------------------------------------

/// A `requires` entry: a proxy feature ("retries") or a proxy version ("nginx>=1.23").
struct Requirement {
  std::string text;     ///< as written
  std::string subject;  ///< the feature, or the proxy of a version requirement
  std::string op;       ///< ">=", ">", "<=", "<" or "="; empty for a feature
  std::string version;  ///< "1.23"; empty for a feature
  Location where;
  bool is_version() const { return !op.empty(); }
};

struct Meta {
  std::string name;  ///< [a-z][a-z0-9_-]*
  std::string description;
  std::vector<std::string> tags;
  std::vector<std::string> spec;  ///< references such as "RFC 9110 §15.6.3"
  std::vector<Requirement> requirements;
  Located<Duration> timeout{seconds(30), {}};  ///< the whole scenario's deadline
  Location where;                              ///< the [scenario] table
};

// ---- upstreams ------------------------------------------------------------------------------

/// Where a rule came from: the catalogue fault ("custom" for a step list) and its parameters
/// as written. Reports and default expectations look at this, not at the lowered script.
struct RuleOrigin {
  std::string fault = "custom";
  sim::FaultParams params;
  Location where;
  /// A step list's first TLS step ("handshake", ...; empty when none) and where it is written:
  /// such a list needs a TLS upstream, as a tls_* fault does.
  std::string tls_step;
  Location tls_step_at;
};

enum class EventAction : std::uint8_t {
  crash,         ///< sim::Upstream::crash(): connections die as on exit(), the port refuses
  restart,       ///< accept again after a crash
  refuse,        ///< switch the listener to refuse
  blackhole,     ///< switch the listener to blackhole
  accept,        ///< switch the listener to accept
  set_fault,     ///< replace the upstream's fault rules with the event's rule
  clear_faults,  ///< remove every fault rule: the default response again
};

/// One entry of an upstream's timeline, `at` after the timeline starts.
struct Event {
  Located<Duration> at;
  EventAction action = EventAction::crash;
  std::optional<sim::Rule> rule;     ///< set_fault: the lowered rule
  std::optional<RuleOrigin> origin;  ///< set_fault: where the rule came from
  Location where;
};

struct Upstream {
  std::string name;
  sim::UpstreamSpec spec;                ///< ready for sim::Upstream: mode, response, rules, seed
  std::vector<RuleOrigin> rule_origins;  ///< parallel to spec.rules
  std::vector<Event> timeline;           ///< ordered by `at`, then by position in the file
  Location where;
};

// ---- proxy topology (proxy-neutral; adapters render it) --------------------------------------

struct PoolMember {
  Located<std::string> upstream;
  bool backup = false;  ///< used only when every primary is down
  int weight = 1;       ///< relative share among members of the same kind
};

struct ListenerSettings {
  bool keepalive = true;  ///< the proxy keeps client connections open between requests
  Duration idle_timeout = seconds(60);  ///< how long an idle client connection stays open
  Location where;
};

struct Timeouts {
  Duration connect = seconds(1);  ///< establishing the upstream connection
  Duration read = seconds(5);     ///< waiting for the first response byte, and between reads
  Duration send = seconds(5);     ///< between writes of the request to the upstream
  Duration idle = seconds(60);    ///< an idle pooled upstream connection is closed after this
  Location where;
};

/// Failures a retry may react to. Enumerators are spelled as in the file.
enum class RetryOn : std::uint8_t {
  connect_error,     ///< refused, unreachable, or the connect timed out
  timeout,           ///< the read or send timeout fired
  reset,             ///< the upstream reset or closed before a complete response head
  invalid_response,  ///< the response head could not be parsed
  http_5xx,          ///< any 5xx status
  http_500,
  http_502,
  http_503,
  http_504,
};

struct RetryPolicy {
  int attempts = 0;  ///< retries after the first try; 0 never retries
  std::vector<RetryOn> on{RetryOn::connect_error, RetryOn::timeout};
  bool non_idempotent = false;  ///< whether POST, PATCH, ... may be retried too (a failed
                                ///< connect is retried for any method: nothing was sent)
  int same_upstream = 0;        ///< retries on the same upstream before one moves on; 0: each
                                ///< retry goes to another upstream
  Location same_upstream_where;
  Location where;
};

struct HealthPolicy {
  int max_fails = 0;  ///< failures that mark an upstream down; 0 turns passive health off
  Duration fail_window =
      seconds(10);  ///< the window the failures are counted in, and the down time
  Location where;
};

/// A per-proxy knob in [proxy.override.<proxy>]: free-form, interpreted by that adapter only.
using KnobValue = std::variant<bool, std::int64_t, double, std::string, std::vector<std::string>>;
struct Knob {
  std::string key;
  KnobValue value;
  Location where;
};

struct ProxyOverride {
  std::string proxy;
  std::vector<Knob> knobs;
  Location where;
};

/// How the proxy speaks to TLS upstreams ([proxy] upstream_tls). Adapters render it; the
/// upstreams' own side is sim::TlsSpec on each upstream.
/// How the proxy checks an upstream's certificate.
enum class TlsVerify {
  on,             ///< against the run CA and the name
  off,            ///< told not to verify
  proxy_default,  ///< nothing said: the proxy's own default, without the run CA
};

struct UpstreamTlsSettings {
  TlsVerify verify = TlsVerify::on;
  std::string sni;  ///< the name sent as SNI and verified; empty: sim::default_server_name
  Location where;
};

struct Proxy {
  ListenerSettings listener;
  std::optional<UpstreamTlsSettings> upstream_tls;
  std::vector<PoolMember> pool;  ///< default: every upstream in file order, primary, weight 1
  int upstream_keepalive = 0;    ///< idle upstream connections kept for reuse; 0 = one per request
  Timeouts timeouts;
  RetryPolicy retry;
  HealthPolicy health;
  std::vector<ProxyOverride> overrides;
  Location where;
};

// ---- client steps and expectations ----------------------------------------------------------

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method = "GET";
  std::string target = "/";
  Headers headers;  ///< sent in this order; the client adds Host and Content-Length if absent
  std::string body;
  Location where;
};

enum class Severity : std::uint8_t {
  must,    ///< an RFC MUST: a failure is a violation
  should,  ///< a recommendation (RFC SHOULD, RFC 9209 status choice): a failure is a deviation
};

enum class BodyState : std::uint8_t {
  complete,   ///< the whole body arrived and its framing says so
  truncated,  ///< the body was cut short and the client can tell (short length, RST, no last chunk)
  truncated_silently,  ///< the body was cut short but looks complete to the client
  absent,              ///< no body (or no response at all)
};

enum class ConnectionEnd : std::uint8_t {
  close,  ///< the proxy closed the client connection with FIN after the response
  reset,  ///< the proxy reset the client connection
  open,   ///< the connection was still open after the response
};

/// Accepted statuses: exact codes, classes ("5xx" is 5), or `none` (no status line at all).
struct StatusSet {
  std::vector<int> codes;
  std::vector<int> classes;
  bool none = false;
  bool matches(std::optional<int> status) const;
  /// "502", "502 or 503", "5xx", "no response"
  std::string to_string() const;
};

/// An inclusive count range; `connections = 1` is {1, 1}.
struct CountRange {
  std::uint64_t min = 0;
  std::uint64_t max = 0;
  bool contains(std::uint64_t n) const { return n >= min && n <= max; }
  std::string to_string() const;
};

struct HeaderCheck {
  enum class Kind : std::uint8_t { present, absent, equal };
  Kind kind = Kind::present;
  std::string name;   ///< compared case-insensitively
  std::string value;  ///< for equal
  Location where;
};

/// What a client must observe for one request. Unset checks are not checked.
struct ResponseChecks {
  std::optional<Located<StatusSet>> status;
  std::optional<Located<Duration>> within;      ///< the response ended no later than this
  std::optional<Located<Duration>> not_before;  ///< ... and no earlier than this
  std::optional<Located<BodyState>> body;
  std::optional<Located<std::string>> body_equals;
  std::optional<Located<ConnectionEnd>> connection;
  std::vector<HeaderCheck> headers;
  /// Strings that must each occur in the exact bytes of the response head the client received
  /// (status line to blank line): "X-Fold: a\r\n  b" tells a relayed obs-fold from a joined one.
  std::vector<Located<std::string>> head_contains;
  /// Alternatives: besides the checks above, every check of at least one alternative must pass
  /// ("502, or 200 with the header repaired"). Alternatives have no any_of of their own.
  std::vector<ResponseChecks> any_of;
  Location any_of_where;
  bool empty() const;
  /// `over`'s checks replace ours one by one; its header checks, head_contains and any_of, if
  /// given, replace all of ours.
  void apply(const ResponseChecks& over);
};

/// What the upstreams saw, checked after every step has run.
struct UpstreamChecks {
  std::optional<Located<CountRange>> connections;
  std::optional<Located<CountRange>> requests;
  /// No non-idempotent request reached more than one upstream (or one upstream twice).
  std::optional<Located<bool>> non_idempotent_once;
  bool empty() const;
  void apply(const UpstreamChecks& over);
};

/// A per-proxy replacement for some checks of an expectation, where that proxy legitimately
/// differs (HAProxy answers 503 where nginx answers 502).
template <class Checks>
struct ExpectOverride {
  std::string proxy;
  std::optional<Severity> severity;
  std::string why;
  Checks checks;
  Location where;
};

template <class Checks>
struct Expectation {
  Severity severity = Severity::must;
  std::string why;  ///< the reason, quoted in reports
  Checks checks;
  std::vector<ExpectOverride<Checks>> overrides;
  Location where;
};

/// `e` as `proxy` must meet it: that proxy's overrides applied, in file order.
template <class E>
E for_proxy(const E& e, std::string_view proxy) {
  E out = e;
  out.overrides.clear();
  for (const auto& o : e.overrides) {
    if (o.proxy != proxy) continue;
    if (o.severity) out.severity = *o.severity;
    if (!o.why.empty()) out.why = o.why;
    out.checks.apply(o.checks);
  }
  return out;
}

using ResponseExpect = Expectation<ResponseChecks>;

struct UpstreamExpect : Expectation<UpstreamChecks> {
  std::optional<Located<std::string>> upstream;  ///< required by connections and requests
};

struct Step {
  Request request;
  bool reuse_connection = false;  ///< send on the previous step's client connection
  int repeat = 1;                 ///< how many times the request is sent
  int concurrency = 1;            ///< how many of those are in flight at once
  Duration pause{};               ///< wait before the step starts
  /// Start no earlier than this after the steps' start (t0 of the upstreams' timelines too);
  /// the alternative to `pause`.
  std::optional<Located<Duration>> at;
  std::vector<ResponseExpect> expects;
  Location where;
};

// ---- load for `badgateway bench` -----------------------------------------------------------

/// [bench]: the load `badgateway bench` puts on the proxy while the timeline runs (t = 0 of the
/// timeline is the start of the load). Command-line options override each value.
struct BenchSettings {
  Duration duration = seconds(5);  ///< how long the load runs
  int connections = 16;            ///< client connections to the proxy
  double rate = 0;                 ///< requests per second in all; 0: closed loop
  Duration warmup{};               ///< left out of the steady-state latency
  std::string method = "GET";
  std::string target = "/";
  Duration request_timeout = seconds(5);  ///< a request without a complete response by then fails
  Location where;
};

// ---- the whole file -------------------------------------------------------------------------

struct Scenario {
  std::shared_ptr<const std::string> file;
  Meta meta;
  std::vector<Upstream> upstreams;
  Proxy proxy;
  std::vector<Step> steps;
  std::vector<UpstreamExpect> expects;
  std::optional<BenchSettings> bench;  ///< [bench], when the file has one

  const Upstream* find_upstream(std::string_view name) const;
};

}  // namespace bgw::scenario
