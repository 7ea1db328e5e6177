// The client side: [[step]] requests with their [[step.expect]] checks, and the upstream-side
// [[expect]] checks, each with per-proxy overrides. Also header lists, shared with responses.
#include <algorithm>
#include <cctype>
#include <map>

#include "harness/scenario/sections.hpp"
#include "simulator/response.hpp"
#include "simulator/units.hpp"

namespace bgw::scenario::detail {

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (const unsigned char c : s) {
    if (std::isalnum(c)) continue;
    if (std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos)
      continue;
    return false;
  }
  return true;
}

namespace {

std::optional<std::string> read_header_name(Decoder& d, const toml::node& n,
                                            std::string_view what) {
  auto s = read_string(d, n, what);
  if (s && !is_token(*s)) {
    d.error(d.at(n), std::string(what) +
                         " must be a header name (letters, digits and "
                         "!#$%&'*+-.^_`|~), not \"" +
                         printable(*s) + "\"");
    return std::nullopt;
  }
  return s;
}

// A header name given as a table key: the key's own text and position.
bool check_header_key(Decoder& d, const toml::key& key) {
  if (is_token(key.str())) return true;
  d.error(d.at(key.source()), "\"" + printable(key.str()) +
                                  "\" is not a header name (letters, digits and "
                                  "!#$%&'*+-.^_`|~)");
  return false;
}

}  // namespace

std::optional<Headers> read_headers(Decoder& d, const toml::node& n, std::string_view what) {
  Headers out;
  bool ok = true;
  if (const auto* t = n.as_table()) {
    for (const auto& [key, value] : *t) {
      const bool name_ok = check_header_key(d, key);
      auto v = read_line(d, value, "the value of header '" + std::string(key.str()) + "'");
      if (name_ok && v)
        out.emplace_back(std::string(key.str()), std::move(*v));
      else
        ok = false;
    }
  } else if (const auto* a = n.as_array()) {
    for (const toml::node& e : *a) {
      const auto* pair = e.as_array();
      if (pair == nullptr || pair->size() != 2) {
        d.error(d.at(e), "entries of " + std::string(what) +
                             " must be [name, value] pairs, such as [\"X-A\", \"1\"]");
        ok = false;
        continue;
      }
      auto name = read_header_name(d, *pair->get(0), "a header name");
      auto value = read_line(d, *pair->get(1), "a header value");
      if (name && value)
        out.emplace_back(std::move(*name), std::move(*value));
      else
        ok = false;
    }
  } else {
    d.error(d.at(n), std::string(what) +
                         " must be a table { Name = \"value\" } or an array of "
                         "[name, value] pairs, not " +
                         type_name(n));
    return std::nullopt;
  }
  if (!ok) return std::nullopt;
  return out;
}

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

constexpr std::int64_t max_repeat = 10000;
constexpr std::int64_t max_concurrency = 1000;
constexpr std::uint64_t max_request_body = 16 * 1024 * 1024;

Request decode_request(Decoder& d, const toml::table& t) {
  TableReader r(d, t, keys::request);
  Request req;
  req.where = r.where();
  if (auto v = r.string("method")) {
    if (is_token(*v))
      req.method = *v;
    else
      d.error(r.at("method"), "'method' must be a token such as \"GET\" or \"POST\", not \"" +
                                  printable(*v) + "\"");
  }
  if (auto v = r.line("target")) {
    if (v->empty() || v->find_first_of(" \t") != std::string::npos)
      d.error(r.at("target"),
              "'target' must be non-empty and contain no spaces, such as \"/\" or "
              "\"/path?q=1\"");
    else
      req.target = *v;
  }
  if (const toml::node* n = r.get("headers")) {
    if (auto h = read_headers(d, *n, "'headers'")) req.headers = std::move(*h);
  }
  if (r.has("body") && r.has("body_size")) {
    r.reject("body_size", "conflicts with 'body': give the body's text or its size, not both");
  } else if (auto body = r.string("body")) {
    if (d.charge(body->size(), r.at("body"))) req.body = std::move(*body);
  } else if (auto size = r.size("body_size", max_request_body)) {
    if (d.charge(*size, r.at("body_size")))
      req.body = sim::pattern_body(static_cast<std::size_t>(*size));
  }
  return req;
}

// ---- response checks ------------------------------------------------------------------------

// 502 | [502, 503] | "5xx" | "none" | a mix in an array.
std::optional<StatusSet> read_status(Decoder& d, const toml::node& n) {
  StatusSet set;
  bool ok = true;
  auto one = [&](const toml::node& e) {
    if (const auto* i = e.as_integer()) {
      if (i->get() < 100 || i->get() > 599) {
        d.error(d.at(e), "'status' codes must be from 100 to 599, not " + std::to_string(i->get()));
        ok = false;
      } else {
        set.codes.push_back(static_cast<int>(i->get()));
      }
      return;
    }
    if (const auto* s = e.as_string()) {
      const std::string& v = s->get();
      if (v.size() == 3 && v[0] >= '1' && v[0] <= '5' && v[1] == 'x' && v[2] == 'x') {
        set.classes.push_back(v[0] - '0');
        return;
      }
      if (v == "none") {
        set.none = true;
        return;
      }
      if (v.size() == 3 &&
          std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        d.error(d.at(e), "'status' codes are integers: write " + v + ", not \"" + v + "\"");
        ok = false;
        return;
      }
    }
    d.error(d.at(e),
            "'status' takes a code (502), a class (\"5xx\"), \"none\" (no response), or "
            "an array of those, not " +
                shown(e));
    ok = false;
  };
  if (const auto* a = n.as_array()) {
    if (a->empty()) {
      d.error(d.at(n), "'status' is an empty array: no status could match");
      return std::nullopt;
    }
    for (const toml::node& e : *a) one(e);
  } else {
    one(n);
  }
  if (!ok) return std::nullopt;
  return set;
}

std::vector<HeaderCheck> read_header_checks(Decoder& d, const toml::table& t) {
  TableReader r(d, t, keys::expect_headers);
  std::vector<HeaderCheck> out;
  auto names = [&](std::string_view key, HeaderCheck::Kind kind) {
    const toml::node* n = r.get(key);
    if (n == nullptr) return;
    const auto* a = as_array(d, *n, TableReader::quoted(key));
    if (a == nullptr) return;
    for (const toml::node& e : *a)
      if (auto name = read_header_name(d, e, "entries of " + TableReader::quoted(key)))
        out.push_back(HeaderCheck{kind, *name, {}, d.at(e)});
  };
  names("present", HeaderCheck::Kind::present);
  names("absent", HeaderCheck::Kind::absent);
  if (const auto* eq = r.subtable("equal")) {
    for (const auto& [key, value] : *eq) {
      const bool name_ok = check_header_key(d, key);
      auto v = read_line(d, value, "the expected value of '" + std::string(key.str()) + "'");
      if (name_ok && v)
        out.push_back(
            HeaderCheck{HeaderCheck::Kind::equal, std::string(key.str()), *v, d.at(key.source())});
    }
  }
  // A header that must be both there and not there is a typo, not an expectation.
  std::map<std::string, const HeaderCheck*> wanted;
  for (const auto& c : out) {
    if (c.kind != HeaderCheck::Kind::absent) wanted.emplace(lower(c.name), &c);
  }
  for (const auto& c : out) {
    if (c.kind != HeaderCheck::Kind::absent) continue;
    const auto it = wanted.find(lower(c.name));
    if (it == wanted.end()) continue;
    d.error(c.where, "header '" + c.name + "' cannot be both absent and " +
                         (it->second->kind == HeaderCheck::Kind::present ? "present" : "equal") +
                         " (" + it->second->where.to_string() + ")");
  }
  return out;
}

ResponseChecks decode_checks(const TableReader& r, bool alternatives);

// "text" | ["text", ...]: byte strings the response head must contain.
std::vector<Located<std::string>> read_head_contains(Decoder& d, const toml::node& n) {
  std::vector<Located<std::string>> out;
  auto one = [&](const toml::node& e) {
    auto v = read_string(d, e, "'head_contains'");
    if (!v) return;
    if (v->empty())
      d.error(d.at(e), "'head_contains' is empty: every head contains \"\"");
    else
      out.push_back(Located<std::string>{*v, d.at(e)});
  };
  if (const auto* a = n.as_array()) {
    if (a->empty()) d.error(d.at(n), "'head_contains' is an empty array: it checks nothing");
    for (const toml::node& e : *a) one(e);
  } else {
    one(n);
  }
  return out;
}

// [{ status = 502 }, { status = 200, headers = { ... } }]: at least two alternatives, each a
// set of response checks.
std::vector<ResponseChecks> read_any_of(Decoder& d, const toml::node& n) {
  std::vector<ResponseChecks> out;
  const auto* a = as_array(d, n, "'any_of'");
  if (a == nullptr) return out;
  if (a->size() < 2) {
    d.error(d.at(n),
            "'any_of' needs at least two alternatives, such as [{ status = 502 }, "
            "{ status = 200 }]; with one, write its checks directly");
    return out;
  }
  for (const toml::node& e : *a) {
    const auto* t = as_table(d, e, "entries of 'any_of'");
    if (t == nullptr) continue;
    TableReader r(d, *t, keys::any_of);
    ResponseChecks c = decode_checks(r, false);
    if (c.empty())
      d.error(r.where(), "this alternative checks nothing, so 'any_of' would always pass");
    out.push_back(std::move(c));
  }
  return out;
}

// `alternatives`: the table may hold `any_of` (an alternative may not: its key table rejects it).
ResponseChecks decode_checks(const TableReader& r, bool alternatives) {
  Decoder& d = r.decoder();
  ResponseChecks c;
  if (const toml::node* n = r.get("status"))
    if (auto v = read_status(d, *n)) c.status = Located<StatusSet>{*v, d.at(*n)};
  if (auto v = r.duration("within", max_duration)) c.within = Located<Duration>{*v, r.at("within")};
  if (auto v = r.duration("not_before", max_duration))
    c.not_before = Located<Duration>{*v, r.at("not_before")};
  if (c.within && c.not_before && c.not_before->value >= c.within->value) {
    d.error(c.not_before->where, "'not_before' (" + sim::format_duration(c.not_before->value) +
                                     ") must be earlier than 'within' (" +
                                     sim::format_duration(c.within->value) + ")");
  }
  if (auto v = r.enumeration<BodyState>("body")) c.body = Located<BodyState>{*v, r.at("body")};
  if (auto v = r.string("body_equals")) {
    c.body_equals = Located<std::string>{*v, r.at("body_equals")};
    if (c.body && c.body->value != BodyState::complete)
      r.reject("body_equals", "needs a complete body, but 'body' says \"" +
                                  std::string(spelling(c.body->value)) + "\"");
  }
  if (auto v = r.enumeration<ConnectionEnd>("connection"))
    c.connection = Located<ConnectionEnd>{*v, r.at("connection")};
  if (const auto* ht = r.subtable("headers")) c.headers = read_header_checks(d, *ht);
  if (const toml::node* n = r.get("head_contains")) c.head_contains = read_head_contains(d, *n);
  if (const toml::node* n = alternatives ? r.get("any_of") : nullptr) {
    c.any_of = read_any_of(d, *n);
    c.any_of_where = d.at(*n);
  }
  return c;
}

ResponseChecks decode_response_checks(const TableReader& r) {
  return decode_checks(r, true);
}

constexpr std::string_view response_check_keys[] = {"status",  "within",        "not_before",
                                                    "body",    "body_equals",   "connection",
                                                    "headers", "head_contains", "any_of"};

// Severity and why, then the per-proxy override tables; shared by both kinds of expectation.
template <class E, class DecodeChecks>
void decode_common(const TableReader& r, const KeyTable& override_keys, E& e,
                   DecodeChecks decode_checks, std::span<const std::string_view> check_keys) {
  Decoder& d = r.decoder();
  e.where = r.where();
  // Unstated, an expectation is a MUST: the RFC requirement it checks is violated when it fails.
  if (auto v = r.enumeration<Severity>("severity")) e.severity = *v;
  if (auto v = r.string("why")) e.why = *v;
  bool any = false;
  for (const auto k : check_keys) any = any || r.has(k);
  if (!any)
    d.error(r.where(),
            "this expectation checks nothing; give at least one of " + list_of(check_keys, '\''));
  const auto* ot = r.subtable("override");
  if (ot == nullptr) return;
  for (const auto& [proxy, value] : *ot) {
    const std::string name(proxy.str());
    if (std::find(known_proxies().begin(), known_proxies().end(), name) == known_proxies().end()) {
      d.error(d.at(proxy.source()), "unknown proxy '" + name + "' in override" +
                                        did_you_mean(name, known_proxies()) +
                                        " (known: " + list_of(known_proxies(), '\'') + ")");
      continue;
    }
    const auto* t = as_table(d, value, "'override." + name + "'");
    if (t == nullptr) continue;
    TableReader orr(d, *t, override_keys);
    typename decltype(e.overrides)::value_type o;
    o.proxy = name;
    o.where = orr.where();
    if (auto v = orr.enumeration<Severity>("severity")) o.severity = *v;
    if (auto v = orr.string("why")) o.why = *v;
    o.checks = decode_checks(orr);
    bool changes = o.severity.has_value() || !o.why.empty();
    for (const auto k : check_keys) changes = changes || orr.has(k);
    if (!changes) d.error(orr.where(), "this override changes nothing");
    e.overrides.push_back(std::move(o));
  }
}

ResponseExpect decode_response_expect(Decoder& d, const toml::table& t) {
  TableReader r(d, t, keys::step_expect);
  ResponseExpect e;
  e.checks = decode_response_checks(r);
  decode_common(r, keys::step_expect_override, e, decode_response_checks, response_check_keys);
  return e;
}

Step decode_step(Decoder& d, const toml::table& t, std::size_t index) {
  TableReader r(d, t, keys::step);
  Step s;
  s.where = r.where();
  if (const auto* rt = r.subtable("request"))
    s.request = decode_request(d, *rt);
  else
    s.request.where = r.where();
  if (auto v = r.boolean("reuse_connection")) {
    s.reuse_connection = *v;
    if (*v && index == 0)
      d.error(r.at("reuse_connection"), "the first step has no previous connection to reuse");
  }
  if (auto v = r.integer("repeat", 1, max_repeat)) s.repeat = static_cast<int>(*v);
  if (auto v = r.integer("concurrency", 1, max_concurrency)) {
    s.concurrency = static_cast<int>(*v);
    if (s.concurrency > s.repeat)
      d.error(r.at("concurrency"), "'concurrency' (" + std::to_string(s.concurrency) +
                                       ") exceeds 'repeat' (" + std::to_string(s.repeat) +
                                       "): only " + std::to_string(s.repeat) +
                                       " requests are sent");
    else if (s.concurrency > 1 && s.reuse_connection)
      d.error(r.at("concurrency"),
              "concurrent requests need their own connections; "
              "'concurrency' > 1 cannot go with reuse_connection = true");
  }
  if (r.has("pause") && r.has("at")) {
    r.reject("at",
             "conflicts with 'pause': start the step at a time after the scenario's start "
             "('at') or after the previous step ('pause'), not both");
  } else if (auto v = r.duration("pause", max_duration)) {
    s.pause = *v;
  } else if (auto at = r.duration("at", max_duration)) {
    s.at = Located<Duration>{*at, r.at("at")};
  }
  if (const toml::node* n = r.get("expect")) {
    for_each_table(d, *n, "step.expect", max_expects, [&](const toml::table& et) {
      s.expects.push_back(decode_response_expect(d, et));
    });
  }
  return s;
}

// ---- upstream-side checks -------------------------------------------------------------------

// 1 | { min = 1, max = 2 }
std::optional<CountRange> read_count(Decoder& d, const toml::node& n, std::string_view key) {
  const std::string what = "'" + std::string(key) + "'";
  constexpr auto max = std::numeric_limits<std::int64_t>::max();
  if (n.is_integer()) {
    auto v = read_integer(d, n, what, 0, max);
    if (!v) return std::nullopt;
    return CountRange{static_cast<std::uint64_t>(*v), static_cast<std::uint64_t>(*v)};
  }
  const auto* t = n.as_table();
  if (t == nullptr) {
    d.error(d.at(n),
            what + " must be a count (1) or a range ({ min = 1, max = 2 }), not " + type_name(n));
    return std::nullopt;
  }
  TableReader r(d, *t, keys::range);
  if (!r.has("min") && !r.has("max")) {
    d.error(r.where(), what + " needs 'min', 'max' or both");
    return std::nullopt;
  }
  CountRange range{0, std::numeric_limits<std::uint64_t>::max()};
  auto lo = r.integer("min", 0, max);
  auto hi = r.integer("max", 0, max);
  if ((r.has("min") && !lo) || (r.has("max") && !hi)) return std::nullopt;
  if (lo) range.min = static_cast<std::uint64_t>(*lo);
  if (hi) range.max = static_cast<std::uint64_t>(*hi);
  if (range.min > range.max) {
    d.error(r.at("max"), "'max' (" + std::to_string(range.max) + ") is below 'min' (" +
                             std::to_string(range.min) + ")");
    return std::nullopt;
  }
  return range;
}

UpstreamChecks decode_upstream_checks(const TableReader& r) {
  Decoder& d = r.decoder();
  UpstreamChecks c;
  if (const toml::node* n = r.get("connections"))
    if (auto v = read_count(d, *n, "connections"))
      c.connections = Located<CountRange>{*v, d.at(*n)};
  if (const toml::node* n = r.get("requests"))
    if (auto v = read_count(d, *n, "requests")) c.requests = Located<CountRange>{*v, d.at(*n)};
  if (auto v = r.boolean("non_idempotent_once")) {
    if (!*v)
      d.error(r.at("non_idempotent_once"),
              "'non_idempotent_once' can only be true (leave it out "
              "to not check it)");
    else
      c.non_idempotent_once = Located<bool>{true, r.at("non_idempotent_once")};
  }
  return c;
}

constexpr std::string_view upstream_check_keys[] = {"connections", "requests",
                                                    "non_idempotent_once"};

UpstreamExpect decode_upstream_expect(Decoder& d, const toml::table& t) {
  TableReader r(d, t, keys::expect);
  UpstreamExpect e;
  e.checks = decode_upstream_checks(r);
  decode_common(r, keys::expect_override, e, decode_upstream_checks, upstream_check_keys);
  if (auto v = r.name("upstream")) e.upstream = Located<std::string>{*v, r.at("upstream")};
  const bool counts = r.has("connections") || r.has("requests");
  bool override_counts = false;
  if (const toml::node* ot = r.get("override"); ot && ot->is_table()) {
    for (const auto& [proxy, value] : *ot->as_table())
      if (const auto* o = value.as_table())
        override_counts = override_counts || o->contains("connections") || o->contains("requests");
  }
  if ((counts || override_counts) && !r.has("upstream"))
    d.error(r.where(),
            "'connections' and 'requests' count what one upstream saw; add "
            "upstream = \"<name>\"");
  return e;
}

}  // namespace

std::vector<Step> decode_steps(Decoder& d, const toml::node* node) {
  std::vector<Step> out;
  if (node == nullptr) return out;
  for_each_table(d, *node, "step", max_client_steps,
                 [&](const toml::table& t) { out.push_back(decode_step(d, t, out.size())); });
  return out;
}

std::vector<UpstreamExpect> decode_expects(Decoder& d, const toml::node* node) {
  std::vector<UpstreamExpect> out;
  if (node == nullptr) return out;
  for_each_table(d, *node, "expect", max_expects,
                 [&](const toml::table& t) { out.push_back(decode_upstream_expect(d, t)); });
  return out;
}

}  // namespace bgw::scenario::detail
