// [proxy]: the proxy-neutral topology (listener, pool, timeouts, retries, passive health) that
// adapters render into each proxy's own configuration, plus free-form per-proxy knobs.
#include <algorithm>
#include <cctype>
#include <tuple>

#include "harness/scenario/sections.hpp"

namespace bgw::scenario::detail {
namespace {

std::optional<Duration> positive_duration(const TableReader& r, std::string_view key) {
  auto v = r.duration(key, max_duration);
  if (v && *v <= Duration::zero()) {
    r.decoder().error(r.at(key), "'" + std::string(key) + "' must be greater than 0s");
    return std::nullopt;
  }
  return v;
}

std::optional<PoolMember> decode_pool_member(Decoder& d, const toml::node& n) {
  PoolMember m;
  if (n.is_string()) {  // pool = ["a", "b"]: shorthand for { upstream = "a" }
    auto name = read_name(d, n, "entries of 'pool'");
    if (!name) return std::nullopt;
    m.upstream = {*name, d.at(n)};
    return m;
  }
  const auto* t = n.as_table();
  if (t == nullptr) {
    d.error(d.at(n),
            "entries of 'pool' must be upstream names or tables such as { upstream = "
            "\"a\", backup = true }, not " +
                type_name(n));
    return std::nullopt;
  }
  TableReader r(d, *t, keys::pool_member);
  bool ok = r.require("upstream");
  if (auto v = r.name("upstream"))
    m.upstream = {*v, r.at("upstream")};
  else
    ok = false;
  if (auto v = r.boolean("backup")) m.backup = *v;
  if (auto v = r.integer("weight", 1, 1000)) m.weight = static_cast<int>(*v);
  if (!ok) return std::nullopt;
  return m;
}

KnobValue knob_value(Decoder& d, const toml::node& n, bool& ok) {
  if (const auto* b = n.as_boolean()) return b->get();
  if (const auto* i = n.as_integer()) return i->get();
  if (const auto* f = n.as_floating_point()) return f->get();
  if (const auto* s = n.as_string()) return s->get();
  if (const auto* a = n.as_array()) {
    std::vector<std::string> list;
    for (const toml::node& e : *a) {
      if (const auto* s = e.as_string())
        list.push_back(s->get());
      else {
        d.error(d.at(e), "arrays in proxy overrides hold strings only, not " + type_name(e));
        ok = false;
      }
    }
    return list;
  }
  d.error(d.at(n),
          "proxy override values must be strings, numbers, booleans or arrays of "
          "strings, not " +
              type_name(n));
  ok = false;
  return false;
}

// Knobs are flat: a dotted key (`server.max-keep-alive-requests = 5`, which TOML reads as nested
// tables) is kept as the dotted name the proxy uses.
void decode_knobs(Decoder& d, const toml::table& t, const std::string& prefix,
                  std::vector<Knob>& out) {
  for (const auto& [key, v] : t) {
    const std::string name = prefix + std::string(key.str());
    if (const auto* nested = v.as_table()) {
      decode_knobs(d, *nested, name + ".", out);
      continue;
    }
    bool ok = true;
    KnobValue kv = knob_value(d, v, ok);
    if (ok) out.push_back(Knob{name, std::move(kv), d.at(key.source())});
  }
}

std::vector<ProxyOverride> decode_overrides(Decoder& d, const toml::table& t) {
  std::vector<ProxyOverride> out;
  for (const auto& [proxy, value] : t) {
    const std::string name(proxy.str());
    if (std::find(known_proxies().begin(), known_proxies().end(), name) == known_proxies().end()) {
      d.error(d.at(proxy.source()), "unknown proxy '" + name + "' in proxy.override" +
                                        did_you_mean(name, known_proxies()) +
                                        " (known: " + list_of(known_proxies(), '\'') + ")");
      continue;
    }
    const auto* knobs = as_table(d, value, "'proxy.override." + name + "'");
    if (knobs == nullptr) continue;
    ProxyOverride o{.proxy = name, .knobs = {}, .where = d.at(value)};
    decode_knobs(d, *knobs, "", o.knobs);
    // TOML tables iterate in key order; templates place knobs in the order they were written.
    std::stable_sort(o.knobs.begin(), o.knobs.end(), [](const Knob& x, const Knob& y) {
      return std::tie(x.where.line, x.where.column) < std::tie(y.where.line, y.where.column);
    });
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace

namespace {

void require_feature(Scenario& s, std::string_view feature, const Location& where) {
  for (const auto& req : s.meta.requirements)
    if (!req.is_version() && req.subject == feature) return;
  s.meta.requirements.push_back(
      Requirement{.text = std::string(feature), .subject = std::string(feature), .where = where});
}

}  // namespace

void require_topology_features(Scenario& s) {
  // A proxy that cannot try the same upstream again would render the retry approximately (on
  // another upstream): the scenario is skipped there instead, through the feature mechanism.
  const RetryPolicy& retry = s.proxy.retry;
  if (retry.same_upstream > 0) require_feature(s, "retry_same_upstream", retry.same_upstream_where);
  // An adapter that cannot speak TLS to its upstreams would send them cleartext.
  for (const Upstream& u : s.upstreams)
    if (u.spec.tls) {
      require_feature(s, "upstream_tls", u.where);
      break;
    }
  // An adapter that takes one scheme for the whole pool (nginx's proxy_pass) would speak TLS to
  // the cleartext members, or the reverse.
  const auto speaks_tls = [&](std::string_view name) {
    return std::any_of(s.upstreams.begin(), s.upstreams.end(),
                       [&](const Upstream& u) { return u.name == name && u.spec.tls.has_value(); });
  };
  std::vector<std::pair<std::string_view, Location>> members;
  for (const PoolMember& m : s.proxy.pool) members.emplace_back(m.upstream.value, m.upstream.where);
  if (s.proxy.pool.empty())
    for (const Upstream& u : s.upstreams) members.emplace_back(u.name, u.where);
  const bool some_tls = std::any_of(members.begin(), members.end(),
                                    [&](const auto& m) { return speaks_tls(m.first); });
  const auto plain = std::find_if(members.begin(), members.end(),
                                  [&](const auto& m) { return !speaks_tls(m.first); });
  if (some_tls && plain != members.end()) require_feature(s, "upstream_tls_mixed", plain->second);
}

Proxy decode_proxy(Decoder& d, const toml::node* node) {
  Proxy p;
  if (node == nullptr) return p;
  const auto* t = as_table(d, *node, "'proxy'");
  if (t == nullptr) return p;
  TableReader r(d, *t, keys::proxy);
  p.where = r.where();

  if (const auto* lt = r.subtable("listener")) {
    TableReader lr(d, *lt, keys::listener);
    p.listener.where = lr.where();
    if (auto v = lr.boolean("keepalive")) p.listener.keepalive = *v;
    if (auto v = positive_duration(lr, "idle_timeout")) p.listener.idle_timeout = *v;
  }
  if (const toml::node* n = r.get("pool")) {
    if (const auto* a = as_array(d, *n, "'pool'")) {
      if (a->empty()) {
        d.error(d.at(*n),
                "'pool' is empty; name at least one upstream, or leave 'pool' out to "
                "use every upstream");
      } else if (a->size() > max_upstreams) {
        d.error(d.at(*n), "'pool' has " + std::to_string(a->size()) +
                              " entries; a scenario has at most " + std::to_string(max_upstreams) +
                              " upstreams");
      } else {
        for (const toml::node& e : *a)
          if (auto m = decode_pool_member(d, e)) p.pool.push_back(std::move(*m));
      }
    }
  }
  if (auto v = r.integer("upstream_keepalive", 0, 10000))
    p.upstream_keepalive = static_cast<int>(*v);
  if (const auto* tt = r.subtable("timeouts")) {
    TableReader tr(d, *tt, keys::timeouts);
    p.timeouts.where = tr.where();
    if (auto v = positive_duration(tr, "connect")) p.timeouts.connect = *v;
    if (auto v = positive_duration(tr, "read")) p.timeouts.read = *v;
    if (auto v = positive_duration(tr, "send")) p.timeouts.send = *v;
    if (auto v = positive_duration(tr, "idle")) p.timeouts.idle = *v;
  }
  if (const auto* rt = r.subtable("retry")) {
    TableReader rr(d, *rt, keys::retry);
    p.retry.where = rr.where();
    if (auto v = rr.integer("attempts", 0, 100)) p.retry.attempts = static_cast<int>(*v);
    if (const toml::node* n = rr.get("on")) {
      if (const auto* a = as_array(d, *n, "'on'")) {
        p.retry.on.clear();
        for (const toml::node& e : *a) {
          auto v = read_enum<RetryOn>(d, e, "entries of 'on'");
          if (v && std::find(p.retry.on.begin(), p.retry.on.end(), *v) == p.retry.on.end())
            p.retry.on.push_back(*v);
        }
      }
    }
    if (auto v = rr.boolean("non_idempotent")) p.retry.non_idempotent = *v;
    if (auto v = rr.integer("same_upstream", 0, 100)) {
      p.retry.same_upstream = static_cast<int>(*v);
      p.retry.same_upstream_where = rr.at("same_upstream");
      if (p.retry.same_upstream > 0 && p.retry.attempts == 0)
        d.error(rr.at("same_upstream"),
                "'same_upstream' counts retries, but 'attempts' is 0: nothing is retried");
    }
  }
  if (const auto* ht = r.subtable("health")) {
    TableReader hr(d, *ht, keys::health);
    p.health.where = hr.where();
    if (auto v = hr.integer("max_fails", 0, 1000)) p.health.max_fails = static_cast<int>(*v);
    if (auto v = positive_duration(hr, "fail_window")) p.health.fail_window = *v;
  }
  if (const auto* ot = r.subtable("override")) p.overrides = decode_overrides(d, *ot);
  if (const auto* tt = r.subtable("upstream_tls")) {
    TableReader tr(d, *tt, keys::proxy_upstream_tls);
    UpstreamTlsSettings s;
    s.where = tr.where();
    if (const toml::node* v = tr.get("verify")) {
      // "default" leaves verification to the proxy's own default (and gives it no CA), so a
      // scenario can measure whether a proxy verifies upstream certificates out of the box.
      if (const auto* b = v->as_boolean())
        s.verify = b->get() ? TlsVerify::on : TlsVerify::off;
      else if (const auto* str = v->as_string(); str != nullptr && str->get() == "default")
        s.verify = TlsVerify::proxy_default;
      else
        d.error(d.at(*v),
                "'verify' must be true, false or \"default\" (the proxy's own default), "
                "not " +
                    shown(*v));
    }
    if (auto v = tr.string("sni")) {
      // A DNS name (RFC 6066 §3: SNI carries host names, never addresses).
      const bool name_like =
          !v->empty() && v->size() <= 253 &&
          std::all_of(v->begin(), v->end(),
                      [](char c) {
                        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
                      }) &&
          v->front() != '.' && v->front() != '-' && std::any_of(v->begin(), v->end(), [](char c) {
            return std::isalpha(static_cast<unsigned char>(c));
          });
      if (name_like)
        s.sni = *v;
      else
        d.error(tr.at("sni"), "'sni' must be a DNS name such as \"" +
                                  std::string(sim::default_server_name) + "\", not \"" +
                                  printable(*v) + "\"");
    }
    p.upstream_tls = std::move(s);
  }
  return p;
}

}  // namespace bgw::scenario::detail
