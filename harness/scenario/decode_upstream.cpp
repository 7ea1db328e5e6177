// [[upstream]] tables: listener, default response, fault rules (catalogue faults lowered through
// sim::lower_fault, or explicit step lists turned into sim::Scripts) and the timeline.
#include <boost/asio/ip/address.hpp>

#include <algorithm>

#include "harness/scenario/sections.hpp"
#include "simulator/response.hpp"
#include "simulator/units.hpp"

namespace bgw::scenario::detail {
namespace {

// Size parameters build bytes (a header of `size` bytes, a body of `length`): keep them sane.
constexpr std::uint64_t max_param_size = 16 * 1024 * 1024;

// The bytes a step holds, for the file's memory budget.
std::uint64_t step_bytes(const sim::Step& step) {
  if (const auto* w = std::get_if<sim::Write>(&step)) return w->bytes.size();
  if (const auto* w = std::get_if<sim::Drip>(&step)) return w->bytes.size();
  return 0;
}

std::uint64_t script_bytes(const sim::Script& script) {
  std::uint64_t n = 0;
  for (const sim::Step& step : script) n += step_bytes(step);
  return n;
}

// ---- the default response -------------------------------------------------------------------

sim::Response decode_response(Decoder& d, const toml::table& t) {
  TableReader r(d, t, keys::response);
  sim::Response resp;
  resp.date = true;  // an exemplary server dates its responses (RFC 9110 §6.6.1)
  if (auto v = r.integer("status", 100, 599)) resp.status = static_cast<int>(*v);
  if (auto v = r.line("reason")) resp.reason = *v;
  if (const auto* n = r.get("headers")) {
    if (auto h = read_headers(d, *n, "'headers'")) resp.headers = std::move(*h);
  }
  if (r.has("body") && r.has("body_size")) {
    r.reject("body_size", "conflicts with 'body': give the body's text or its size, not both");
  } else if (auto body = r.string("body")) {
    if (d.charge(body->size(), r.at("body"))) resp.body = std::move(*body);
  } else if (auto size = r.size("body_size", max_body_size)) {
    if (d.charge(*size, r.at("body_size")))
      resp.body = sim::pattern_body(static_cast<std::size_t>(*size));
  }
  if (auto v = r.boolean("chunked")) resp.chunked = *v;
  if (auto v = r.size("chunk_size", max_body_size)) {
    if (!resp.chunked) r.reject("chunk_size", "only applies with chunked = true");
    resp.chunk_size = static_cast<std::size_t>(*v);
  }
  if (auto v = r.boolean("close")) resp.close = *v;
  if (auto v = r.boolean("date")) resp.date = *v;
  return resp;
}

// ALPN protocol names, as upstream.tls and a handshake step list them: 1 to 255 bytes each, no
// name twice. `key` is the array they came from, for the line:col of a bad entry.
bool check_alpn(const TableReader& r, std::string_view key, const std::vector<std::string>& v) {
  Decoder& d = r.decoder();
  bool ok = true;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string& p = v[i];
    const toml::node* e = r.get(key)->as_array()->get(i);
    if (p.empty() || p.size() > 255) {
      d.error(d.at(*e), "an ALPN protocol is 1 to 255 bytes (RFC 7301 §3.1)");
      ok = false;
    } else if (std::find(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i), p) !=
               v.begin() + static_cast<std::ptrdiff_t>(i)) {
      d.error(d.at(*e), "ALPN protocol \"" + printable(p) + "\" is listed twice");
      ok = false;
    }
  }
  return ok;
}

// ---- custom steps ---------------------------------------------------------------------------

constexpr std::string_view step_actions[] = {"read",          "write",
                                             "respond",       "drip",
                                             "delay",         "stall",
                                             "close",         "graceful_close",
                                             "reset",         "half_close",
                                             "serve",         "await_client_hello",
                                             "handshake",     "server_hello_only",
                                             "provoke_alert", "corrupt_next_record"};
constexpr std::string_view respond_parts[] = {"all", "head", "body"};

// `close = true`: the only value that means anything.
bool read_true(const TableReader& r, std::string_view key) {
  auto v = r.boolean(key);
  if (v && !*v) {
    r.decoder().error(r.at(key),
                      "'" + std::string(key) + "' can only be true (leave the step out instead)");
  }
  return v.value_or(false);
}

// { handshake = {} }, or with what the server offers instead of the upstream's own settings.
std::optional<sim::Step> decode_handshake(const TableReader& step) {
  const toml::table* t = step.subtable("handshake");
  if (t == nullptr) return std::nullopt;
  Decoder& d = step.decoder();
  TableReader r(d, *t, keys::fault_step_handshake);
  sim::Handshake h;
  bool ok = true;
  if (auto v = r.enumeration<sim::TlsOffer>("offer"))
    h.offer = *v;
  else
    ok = ok && !r.has("offer");
  if (auto v = r.strings("alpn")) {
    if (v->empty()) {
      d.error(r.at("alpn"), "'alpn' is empty; leave it out to accept the upstream's own");
      ok = false;
    }
    ok = check_alpn(r, "alpn", *v) && ok;
    h.alpn = std::move(*v);
  } else {
    ok = ok && !r.has("alpn");
  }
  if (auto v = r.boolean("alpn_select")) {
    // Without its own list the step selects nothing: the upstream's ALPN answers as usual.
    if (!r.has("alpn")) {
      r.reject("alpn_select", "only applies with 'alpn' (the protocols to select from)");
      ok = false;
    }
    h.alpn_select_anyway = *v;
  } else {
    ok = ok && !r.has("alpn_select");
  }
  if (!ok) return std::nullopt;
  return h;
}

std::optional<sim::Step> decode_step(Decoder& d, const toml::table& t, const sim::Response& base) {
  TableReader r(d, t, keys::fault_step);
  std::vector<std::string_view> given;
  for (const auto a : step_actions)
    if (r.has(a)) given.push_back(a);
  if (given.size() != 1) {
    d.error(r.where(), given.empty() ? "a step needs one action: " + list_of(step_actions, '\'')
                                     : "a step takes exactly one action, not " +
                                           list_of(given, '\'') + "; split it into steps");
    return std::nullopt;
  }
  const std::string_view action = given.front();
  if (action != "drip") {
    r.reject("chunk", "only applies to a 'drip' step");
    r.reject("interval", "only applies to a 'drip' step");
  }
  if (action == "read") {
    const toml::node& n = *r.get("read");
    if (n.is_integer()) {
      auto bytes = read_integer(d, n, "'read'", 1, static_cast<std::int64_t>(max_body_size));
      if (!bytes) return std::nullopt;
      return sim::ReadRequest{sim::ReadPart::bytes, static_cast<std::size_t>(*bytes)};
    }
    if (!n.is_string()) {
      d.error(d.at(n), "'read' must be \"head\", \"whole\" or a byte count, not " + type_name(n));
      return std::nullopt;
    }
    auto part = read_enum<sim::ReadPart>(d, n, "'read'");
    if (!part) return std::nullopt;
    return sim::ReadRequest{*part, 0};
  }
  if (action == "write") {
    auto bytes = r.string("write");
    if (!bytes) return std::nullopt;
    if (bytes->empty()) {
      d.error(r.at("write"), "'write' is empty: there is nothing to write");
      return std::nullopt;
    }
    return sim::Write{std::move(*bytes)};
  }
  if (action == "respond") {
    auto part = r.string("respond");
    if (!part) return std::nullopt;
    const sim::WireResponse wire = sim::serialize(base);
    if (*part == "all") return sim::Write{wire.all()};
    if (*part == "head") return sim::Write{wire.head};
    if (*part == "body") return sim::Write{wire.body};
    d.error(r.at("respond"), "'respond' must be " + list_of(respond_parts) + ", not \"" +
                                 printable(*part) + "\"" + did_you_mean(*part, respond_parts, '"'));
    return std::nullopt;
  }
  if (action == "drip") {
    auto bytes = r.string("drip");
    auto chunk = r.has("chunk") ? r.size("chunk", max_body_size) : std::optional<std::uint64_t>(1);
    auto interval = r.has("interval") ? r.duration("interval", max_duration)
                                      : std::optional<Duration>(std::chrono::milliseconds(100));
    if (chunk && *chunk == 0) {
      d.error(r.at("chunk"), "'chunk' must be at least 1 byte");
      chunk.reset();
    }
    if (interval && *interval <= Duration::zero()) {
      d.error(r.at("interval"), "'interval' must be greater than 0s");
      interval.reset();
    }
    if (bytes && bytes->empty()) {
      d.error(r.at("drip"), "'drip' is empty: there is nothing to write");
      bytes.reset();
    }
    if (!bytes || !chunk || !interval) return std::nullopt;
    return sim::Drip{std::move(*bytes), static_cast<std::size_t>(*chunk), *interval};
  }
  if (action == "delay") {
    auto v = r.duration("delay", max_duration);
    if (!v) return std::nullopt;
    return sim::Delay{*v};
  }
  if (action == "stall") {
    auto v = r.duration("stall", max_duration);
    if (!v) return std::nullopt;
    return sim::Stall{*v};
  }
  if (action == "serve") {
    auto v = r.integer("serve", 1, 1'000'000);
    if (!v) return std::nullopt;
    return sim::ServeRequests{static_cast<std::uint64_t>(*v)};
  }
  if (action == "graceful_close") {
    // true: the default bound; a duration: at most that long before the close.
    const toml::node& n = *r.get("graceful_close");
    if (n.is_boolean()) {
      if (!read_true(r, action)) return std::nullopt;
      return sim::GracefulClose{};
    }
    if (!n.is_string()) {
      d.error(d.at(n),
              "'graceful_close' must be true or a duration such as \"500ms\" (how long "
              "to wait for the peer to close), not " +
                  type_name(n));
      return std::nullopt;
    }
    auto v = r.duration("graceful_close", max_duration);
    if (!v) return std::nullopt;
    sim::GracefulClose g;
    g.max_wait = *v;
    return g;
  }
  if (action == "handshake") return decode_handshake(r);
  if (action == "provoke_alert") {
    auto cause = r.enumeration<sim::TlsAlertCause>("provoke_alert");
    if (!cause) return std::nullopt;
    return sim::ProvokeAlert{*cause};
  }
  if (!read_true(r, action)) return std::nullopt;
  if (action == "await_client_hello") return sim::AwaitClientHello{};
  if (action == "server_hello_only") return sim::ServerHelloOnly{};
  if (action == "corrupt_next_record") return sim::CorruptNextRecord{};
  if (action == "close") return sim::Close{};
  if (action == "reset") return sim::Reset{};
  return sim::HalfClose{};
}

// TLS steps in the order a connection meets them: the ClientHello and the handshake's own steps
// before the handshake, the record-layer ones after it.
bool tls_step_in_order(Decoder& d, const toml::node& at, const sim::Step& step,
                       sim::RuleScope scope, std::size_t handshake_at,
                       std::string_view handshake_by) {
  const std::string name = "'" + std::string(sim::step_name(step)) + "'";
  const bool before = std::holds_alternative<sim::AwaitClientHello>(step) ||
                      std::holds_alternative<sim::Handshake>(step) ||
                      std::holds_alternative<sim::ServerHelloOnly>(step);
  if (before && scope == sim::RuleScope::request) {
    d.error(d.at(at), name +
                          " runs before the TLS handshake, and a request rule runs after it; add "
                          "on = \"connection\"");
    return false;
  }
  if (before && handshake_at != 0) {
    d.error(d.at(at), name + " runs before the TLS handshake, which step " +
                          std::to_string(handshake_at) + " ('" + std::string(handshake_by) +
                          "') already ran");
    return false;
  }
  if (!before && scope == sim::RuleScope::connection && handshake_at == 0) {
    d.error(d.at(at), name +
                          " acts on TLS records, which need the handshake done: put "
                          "{ handshake = {} } (or a 'serve' step) before it");
    return false;
  }
  return true;
}

// A step list, checked as a whole: nothing after the connection ends, `serve` only where
// requests follow, and a request script that keeps the connection must consume the request
// (otherwise the same bytes would start the next request forever).
std::optional<sim::Script> decode_steps_list(Decoder& d, const toml::node& n, sim::RuleScope scope,
                                             const sim::Response& base) {
  const auto* a = as_array(d, n, "'steps'");
  if (a == nullptr) return std::nullopt;
  if (a->empty()) {
    d.error(d.at(n), "'steps' is empty; give at least one step, such as { read = \"whole\" }");
    return std::nullopt;
  }
  if (a->size() > max_steps_per_script) {
    d.error(d.at(n), "'steps' has " + std::to_string(a->size()) + " steps; at most " +
                         std::to_string(max_steps_per_script) + " are allowed");
    return std::nullopt;
  }
  sim::Script script;
  bool ok = true, ended = false, reads = false;
  std::size_t ended_at = 0;
  // The step that runs the TLS handshake (0: none yet). A request rule runs after its
  // connection's handshake; in a connection rule a 'handshake' or a 'serve' step runs it.
  std::size_t handshake_at = 0;
  std::string_view handshake_by;
  // The 'server_hello_only' step (0: none): after a ServerHello sent alone no handshake can
  // complete, so nothing that needs one may follow, and the connection must end.
  std::size_t hello_only_at = 0;
  for (std::size_t i = 0; i < a->size(); ++i) {
    const toml::node& e = *a->get(i);
    const auto* t = as_table(d, e, "entries of 'steps'");
    if (t == nullptr) {
      ok = false;
      continue;
    }
    if (d.exhausted()) return std::nullopt;
    auto step = decode_step(d, *t, base);
    if (!step) {
      ok = false;
      continue;
    }
    if (!d.charge(step_bytes(*step), d.at(e))) return std::nullopt;
    if (ended) {
      d.error(d.at(e), "step " + std::to_string(i + 1) +
                           " can never run: the connection ended at "
                           "step " +
                           std::to_string(ended_at) + " ('" + sim::step_name(script.back()) + "')");
      ok = false;
      continue;
    }
    if (std::holds_alternative<sim::ServeRequests>(*step) && scope != sim::RuleScope::connection) {
      d.error(d.at(e), "a 'serve' step only runs in a connection rule; add on = \"connection\"");
      ok = false;
    }
    const bool serves = std::holds_alternative<sim::ServeRequests>(*step);
    if (hello_only_at != 0 && (sim::is_tls_step(*step) || serves)) {
      d.error(d.at(e), "'" + std::string(serves ? "serve" : sim::step_name(*step)) +
                           "' cannot follow step " + std::to_string(hello_only_at) +
                           " ('server_hello_only'): no handshake can complete after a "
                           "ServerHello sent alone");
      ok = false;
    } else if (sim::is_tls_step(*step) &&
               !tls_step_in_order(d, e, *step, scope, handshake_at, handshake_by)) {
      ok = false;
    }
    if (hello_only_at == 0 && std::holds_alternative<sim::ServerHelloOnly>(*step))
      hello_only_at = i + 1;
    if (handshake_at == 0 && (std::holds_alternative<sim::Handshake>(*step) ||
                              std::holds_alternative<sim::ServeRequests>(*step))) {
      handshake_at = i + 1;
      handshake_by = std::holds_alternative<sim::Handshake>(*step) ? "handshake" : "serve";
    }
    reads = reads || std::holds_alternative<sim::ReadRequest>(*step);
    if (sim::ends_connection(*step)) {
      ended = true;
      ended_at = i + 1;
    }
    script.push_back(std::move(*step));
  }
  if (ok && hello_only_at != 0 && !ended) {
    d.error(d.at(n), "after 'server_hello_only' (step " + std::to_string(hello_only_at) +
                         ") the steps must end the connection (close, reset, graceful_close, "
                         "half_close or stall = \"0s\"): the handshake that would follow "
                         "cannot complete");
    ok = false;
  }
  if (ok && scope == sim::RuleScope::request && !ended && !reads) {
    d.error(d.at(n),
            "these steps neither read the request nor end the connection, so the "
            "request's bytes would start the next request again; add { read = \"whole\" "
            "} or end with { close = true } or { graceful_close = true }");
    ok = false;
  }
  if (!ok) return std::nullopt;
  return script;
}

// ---- fault rules ----------------------------------------------------------------------------

// The value of one fault parameter, typed by the catalogue.
std::optional<sim::ParamValue> read_param(Decoder& d, const toml::node& n,
                                          const sim::ParamInfo& p) {
  const std::string what = "parameter '" + std::string(p.name) + "'";
  switch (p.type) {
    case sim::ParamType::size:
      if (auto v = read_size(d, n, what, max_param_size))
        return sim::ParamValue{static_cast<std::int64_t>(*v)};
      return std::nullopt;
    case sim::ParamType::integer:
      if (auto v = read_integer(d, n, what)) return sim::ParamValue{*v};
      return std::nullopt;
    case sim::ParamType::duration:
      if (auto v = read_duration(d, n, what, max_duration)) return sim::ParamValue{*v};
      return std::nullopt;
    case sim::ParamType::boolean:
      if (auto v = read_bool(d, n, what)) return sim::ParamValue{*v};
      return std::nullopt;
    case sim::ParamType::string:
      if (auto v = read_string(d, n, what)) return sim::ParamValue{std::move(*v)};
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<sim::Match> decode_match(const TableReader& r) {
  Decoder& d = r.decoder();
  sim::Match m;
  bool ok = true;
  if (r.has("nth") && (r.has("first") || r.has("last"))) {
    r.reject(r.has("first") ? "first" : "last",
             "conflicts with 'nth': select one request with nth, or a range with first/last");
    ok = false;
  }
  constexpr auto max = std::numeric_limits<std::int64_t>::max();
  if (auto v = r.integer("nth", 1, max))
    m = sim::Match::nth(static_cast<std::uint64_t>(*v));
  else
    ok = ok && !r.has("nth");
  if (auto v = r.integer("first", 1, max))
    m.first = static_cast<std::uint64_t>(*v);
  else
    ok = ok && !r.has("first");
  if (auto v = r.integer("last", 1, max)) {
    if (static_cast<std::uint64_t>(*v) < m.first) {
      d.error(r.at("last"), "'last' (" + std::to_string(*v) + ") is before 'first' (" +
                                std::to_string(m.first) + ")");
      ok = false;
    }
    m.last = static_cast<std::uint64_t>(*v);
  } else {
    ok = ok && !r.has("last");
  }
  if (auto v = r.number("probability", 0.0, 1.0))
    m.probability = *v;
  else
    ok = ok && !r.has("probability");
  if (!ok) return std::nullopt;
  return m;
}

// A rule from [[upstream.fault]] or a set_fault event. `listener_hint` says how to switch the
// listener instead, for the message when a listener fault is given as a rule.
std::optional<DecodedRule> decode_rule(const TableReader& r, const sim::Response& base,
                                       std::string_view listener_hint) {
  Decoder& d = r.decoder();
  const bool has_fault = r.has("fault"), has_steps = r.has("steps");
  if (!has_fault && !has_steps) {
    d.error(r.where(),
            "a fault rule needs 'fault' (a catalogue fault) or 'steps' (a custom "
            "step list)");
    return std::nullopt;
  }
  if (has_fault && has_steps) {
    r.reject("steps", "conflicts with 'fault': a rule runs a catalogue fault or its own steps");
    return std::nullopt;
  }
  auto match = decode_match(r);
  auto scope = r.enumeration<sim::RuleScope>("on");
  const bool scope_ok = scope.has_value() || !r.has("on");

  DecodedRule out;
  out.origin.where = r.where();
  if (has_steps) {
    r.reject("params", "only applies to a catalogue 'fault'; a step list carries its own values");
    if (!scope_ok) return std::nullopt;
    const sim::RuleScope s = scope.value_or(sim::RuleScope::request);
    auto script = decode_steps_list(d, *r.get("steps"), s, base);
    if (!script || !match || r.has("params")) return std::nullopt;
    // A decoded list has one step per entry: the entry of its first TLS step, for the check
    // that its upstream speaks TLS.
    const toml::array& entries = *r.get("steps")->as_array();
    for (std::size_t i = 0; i < script->size(); ++i) {
      if (!sim::is_tls_step((*script)[i])) continue;
      out.origin.tls_step = sim::step_name((*script)[i]);
      out.origin.tls_step_at = d.at(*entries.get(i));
      break;
    }
    out.rule = sim::Rule{s, *match, "custom", std::move(*script)};
    return out;
  }

  auto name = r.string("fault");
  if (!name) return std::nullopt;
  const sim::FaultInfo* info = sim::find_fault(*name);
  if (info == nullptr) {
    // The catalogue's suggestion is quadratic in the length: only for plausible names.
    const std::string hint = name->size() <= 64 ? sim::suggest_fault(*name) : std::string();
    d.error(r.at("fault"), "unknown fault \"" + printable(*name) + "\"" +
                               (hint.empty() ? " (badgateway faults lists them)"
                                             : "; did you mean \"" + hint + "\"?"));
    return std::nullopt;
  }
  if (info->scope == sim::FaultScope::listener) {
    d.error(r.at("fault"),
            "\"" + *name + "\" is a listener fault, not a rule: " + std::string(listener_hint));
    return std::nullopt;
  }
  out.origin.fault = *name;

  bool params_ok = true;
  if (const toml::node* pn = r.get("params")) {
    if (const auto* pt = as_table(d, *pn, "'params'")) {
      std::vector<std::string_view> known;
      for (const auto& p : info->params) known.push_back(p.name);
      for (const auto& [key, value] : *pt) {
        const auto it =
            std::find_if(info->params.begin(), info->params.end(),
                         // clang 14 (the fuzz build) cannot capture a structured
                         // binding implicitly; an init-capture it can
                         [&k = key](const sim::ParamInfo& p) { return p.name == k.str(); });
        if (it == info->params.end()) {
          const std::string hint = closest(key.str(), known);
          d.error(d.at(key.source()),
                  "fault \"" + *name + "\" takes no parameter '" + printable(key.str()) + "'" +
                      (!hint.empty()   ? "; did you mean '" + hint + "'?"
                       : known.empty() ? " (it takes none)"
                                       : " (it takes " + list_of(known, '\'') + ")"));
          params_ok = false;
          continue;
        }
        if (auto v = read_param(d, value, *it))
          out.origin.params[std::string(key.str())] = *v;
        else
          params_ok = false;
      }
    } else {
      params_ok = false;
    }
  }

  const sim::RuleScope natural = info->scope == sim::FaultScope::connection
                                     ? sim::RuleScope::connection
                                     : sim::RuleScope::request;
  if (scope && *scope == sim::RuleScope::request && natural == sim::RuleScope::connection) {
    d.error(r.at("on"), "\"" + *name +
                            "\" runs when a connection is accepted; it cannot be "
                            "on = \"request\"");
    return std::nullopt;
  }
  if (!params_ok || !match || !scope_ok) return std::nullopt;

  if (d.exhausted()) return std::nullopt;
  auto lowered = sim::lower_fault(*name, out.origin.params, base, *match);
  if (auto* e = std::get_if<sim::FaultError>(&lowered)) {
    const toml::node* at = nullptr;
    if (!e->param.empty()) {
      if (const auto* pt = r.get("params") ? r.get("params")->as_table() : nullptr)
        at = pt->get(e->param);
    }
    d.error(at ? d.at(*at) : r.at("fault"),
            (e->param.empty() ? "fault \"" + *name + "\": "
                              : "parameter '" + e->param + "' of \"" + *name + "\" ") +
                e->message + (at || e->param.empty() ? "" : " (its default does not fit here)"));
    return std::nullopt;
  }
  out.rule = std::move(std::get<sim::LoweredFault>(lowered).rule);
  out.rule.scope = scope.value_or(natural);
  if (!d.charge(script_bytes(out.rule.script), r.at("fault"))) return std::nullopt;
  return out;
}

// ---- events ---------------------------------------------------------------------------------

constexpr std::string_view rule_keys[] = {"fault", "params", "steps", "on",
                                          "nth",   "first",  "last",  "probability"};

std::optional<Event> decode_event(Decoder& d, const toml::table& t, const sim::Response& base) {
  TableReader r(d, t, keys::event);
  Event e;
  e.where = r.where();
  // Both checked, so a table missing both keys names both.
  const bool has_at = r.require("at");
  const bool has_action = r.require("action");
  bool ok = has_at && has_action;
  if (auto at = r.duration("at", max_duration))
    e.at = {*at, r.at("at")};
  else
    ok = false;
  auto action = r.enumeration<EventAction>("action");
  if (!action) return std::nullopt;
  e.action = *action;
  if (e.action != EventAction::set_fault) {
    for (const auto key : rule_keys)
      if (r.has(key)) {
        r.reject(key, "only applies to action = \"set_fault\"");
        ok = false;
      }
    if (!ok) return std::nullopt;
    return e;
  }
  auto rule = decode_rule(r, base,
                          "switch the listener with action = \"refuse\" or "
                          "\"blackhole\" instead");
  if (!rule || !ok) return std::nullopt;
  e.rule = std::move(rule->rule);
  e.origin = std::move(rule->origin);
  return e;
}

// ---- TLS ------------------------------------------------------------------------------------

// upstream.tls: the certificate, key, versions and ALPN of a TLS upstream (sim::TlsSpec).
std::optional<sim::TlsSpec> decode_tls(Decoder& d, const toml::node& n) {
  const toml::table* t = as_table(d, n, "'tls'");
  if (t == nullptr) return std::nullopt;
  TableReader r(d, *t, keys::upstream_tls);
  sim::TlsSpec spec;
  bool ok = true;
  if (auto v = r.enumeration<sim::CertKind>("cert"))
    spec.cert = *v;
  else
    ok = ok && !r.has("cert");
  if (auto v = r.enumeration<sim::KeyKind>("key"))
    spec.key = *v;
  else
    ok = ok && !r.has("key");
  if (const toml::node* vn = r.get("versions")) {
    if (const auto* a = as_array(d, *vn, "'versions'")) {
      if (a->empty()) {
        d.error(d.at(*vn), "'versions' is empty; leave it out for TLS 1.2 and 1.3");
        ok = false;
      }
      for (const toml::node& e : *a) {
        auto v = read_enum<sim::TlsVersion>(d, e, "a TLS version");
        if (!v) {
          ok = false;
          continue;
        }
        if (std::find(spec.versions.begin(), spec.versions.end(), *v) != spec.versions.end()) {
          d.error(d.at(e), "TLS " + std::string(sim::to_string(*v)) + " is listed twice");
          ok = false;
          continue;
        }
        spec.versions.push_back(*v);
      }
    } else {
      ok = false;
    }
  }
  if (auto v = r.strings("alpn")) {
    ok = check_alpn(r, "alpn", *v) && ok;
    spec.alpn = std::move(*v);
  } else {
    ok = ok && !r.has("alpn");
  }
  if (!ok) return std::nullopt;
  return spec;
}

// A tls_* fault, or a step list with a TLS step, needs a TLS upstream: on a cleartext one its
// TLS steps would do nothing.
void check_tls_faults(Decoder& d, const Upstream& u) {
  if (u.spec.tls) return;
  auto check = [&](const RuleOrigin& o) {
    const sim::FaultInfo* f = sim::find_fault(o.fault);
    const std::string fix =
        "needs a TLS upstream; add tls = { } to " +
        (u.name.empty() ? std::string("this upstream") : "upstream '" + u.name + "'");
    if (f != nullptr && sim::needs_tls(*f))
      d.error(o.where, "fault \"" + o.fault + "\" " + fix);
    else if (!o.tls_step.empty())
      d.error(o.tls_step_at, "step '" + o.tls_step + "' " + fix);
  };
  for (const RuleOrigin& o : u.rule_origins) check(o);
  for (const Event& e : u.timeline)
    if (e.origin) check(*e.origin);
}

// ---- the upstream ---------------------------------------------------------------------------

std::optional<std::string> read_loopback(const TableReader& r) {
  auto text = r.string("address");
  if (!text) return std::nullopt;
  boost::system::error_code ec;
  const auto addr = boost::asio::ip::make_address(*text, ec);
  if (ec || !addr.is_loopback()) {
    r.decoder().error(r.at("address"),
                      "'address' must be a loopback address (127.0.0.0/8 or "
                      "::1), not \"" +
                          printable(*text) + "\"");
    return std::nullopt;
  }
  return text;
}

Upstream decode_upstream(Decoder& d, const toml::table& t) {
  TableReader r(d, t, keys::upstream);
  Upstream u;
  u.where = r.where();
  if (r.require("name"))
    if (auto v = r.name("name")) u.name = *v;
  u.spec.name = u.name;
  u.spec.response.date = true;
  if (auto v = read_loopback(r)) u.spec.address = *v;
  // A pinned port, for a proxy that runs outside badgateway (`run --proxy-url`) and was
  // configured with fixed upstream ports. 0, the default, lets the kernel pick.
  if (auto v = r.integer("port", 0, 65535)) u.spec.port = static_cast<std::uint16_t>(*v);
  if (auto v = r.enumeration<sim::ListenerMode>("listener")) u.spec.mode = *v;
  // The response first: fault rules are lowered against it.
  if (const auto* rt = r.subtable("response")) u.spec.response = decode_response(d, *rt);
  if (auto v = r.integer("seed", 0, std::numeric_limits<std::int64_t>::max()))
    u.spec.seed = static_cast<std::uint64_t>(*v);
  if (const toml::node* n = r.get("tls")) u.spec.tls = decode_tls(d, *n);

  if (const toml::node* n = r.get("fault")) {
    for_each_table(d, *n, "upstream.fault", max_rules, [&](const toml::table& ft) {
      TableReader fr(d, ft, keys::fault);
      auto rule = decode_rule(fr, u.spec.response,
                              "set it with listener = \"refuse\" or \"blackhole\" on the "
                              "upstream, or switch to it with an [[upstream.event]]");
      if (!rule) return;
      u.spec.rules.push_back(std::move(rule->rule));
      u.rule_origins.push_back(std::move(rule->origin));
    });
  }
  if (const toml::node* n = r.get("event")) {
    for_each_table(d, *n, "upstream.event", max_rules, [&](const toml::table& et) {
      if (auto e = decode_event(d, et, u.spec.response)) u.timeline.push_back(std::move(*e));
    });
    std::stable_sort(u.timeline.begin(), u.timeline.end(),
                     [](const Event& a, const Event& b) { return a.at.value < b.at.value; });
  }
  // Only when tls itself decoded: a broken tls table has its own diagnostics already.
  if (!r.has("tls")) check_tls_faults(d, u);
  return u;
}

}  // namespace

std::optional<DecodedRule> decode_fault_table(Decoder& d, const toml::table& t,
                                              const sim::Response& base,
                                              std::string_view listener_hint) {
  TableReader r(d, t, keys::fault);
  return decode_rule(r, base, listener_hint);
}

std::vector<Upstream> decode_upstreams(Decoder& d, const toml::node* node) {
  std::vector<Upstream> out;
  if (node == nullptr) return out;
  for_each_table(d, *node, "upstream", max_upstreams,
                 [&](const toml::table& t) { out.push_back(decode_upstream(d, t)); });
  return out;
}

}  // namespace bgw::scenario::detail
