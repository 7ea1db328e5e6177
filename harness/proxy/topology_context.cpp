#include "topology_context.hpp"

#include <arpa/inet.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <chrono>

namespace bgw::proxy {
namespace {

TemplateValue duration_value(sim::Duration d) {
  using namespace std::chrono;
  const auto ms =
      duration_cast<milliseconds>(d).count() + (d % milliseconds(1) != d.zero() ? 1 : 0);
  // Whole seconds round up: a proxy that only takes seconds must never time out early.
  const auto s = (ms + 999) / 1000;
  TemplateValue v;
  v.set("ms", TemplateValue::number(ms));
  v.set("s", TemplateValue::number(s));
  return v;
}

const char* retry_key(scenario::RetryOn on) {
  switch (on) {
    case scenario::RetryOn::connect_error:
      return "connect_error";
    case scenario::RetryOn::timeout:
      return "timeout";
    case scenario::RetryOn::reset:
      return "reset";
    case scenario::RetryOn::invalid_response:
      return "invalid_response";
    case scenario::RetryOn::http_5xx:
      return "http_5xx";
    case scenario::RetryOn::http_500:
      return "http_500";
    case scenario::RetryOn::http_502:
      return "http_502";
    case scenario::RetryOn::http_503:
      return "http_503";
    case scenario::RetryOn::http_504:
      return "http_504";
  }
  return "unknown";
}

std::string format_float(double d) {
  std::array<char, 64> buf{};
  const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), d);
  return ec == std::errc() ? std::string(buf.data(), end) : std::to_string(d);
}

TemplateValue knob_value(const scenario::KnobValue& v) {
  if (const auto* b = std::get_if<bool>(&v)) return TemplateValue(*b);
  if (const auto* i = std::get_if<std::int64_t>(&v)) return TemplateValue::number(*i);
  if (const auto* d = std::get_if<double>(&v)) return TemplateValue(format_float(*d));
  if (const auto* s = std::get_if<std::string>(&v)) return TemplateValue(*s);
  std::vector<TemplateValue> list;
  for (const auto& s : std::get<std::vector<std::string>>(v)) list.emplace_back(s);
  return TemplateValue(std::move(list));
}

// "127.100.2.3", 41235 -> "127100002003p41235": octets padded so the word stays unique.
std::string listen_instance(const std::string& host, std::uint16_t port) {
  std::string out;
  in_addr a{};
  if (::inet_pton(AF_INET, host.c_str(), &a) == 1) {
    const auto* o = reinterpret_cast<const unsigned char*>(&a.s_addr);
    for (int i = 0; i < 4; ++i) {
      const std::string d = std::to_string(o[i]);
      out += std::string(3 - d.size(), '0') + d;
    }
  } else {
    for (const char c : host)
      if (std::isalnum(static_cast<unsigned char>(c))) out += c;
  }
  return out + "p" + std::to_string(port);
}

// One template line per value, so a template places every knob with one section
// ({{#overrides}}{{key}} {{value}}{{/overrides}}): an array repeats its key, once per element
// (haproxy's `option = ["redispatch", "forwardfor"]` is two `option` lines).
void append_override_lines(const scenario::Knob& k, std::vector<TemplateValue>& lines) {
  auto line = [&](std::string text, const char* kind, bool flag = false) {
    TemplateValue l;
    l.set("key", k.key);
    l.set("value", std::move(text));
    l.set("flag", flag);
    for (const char* name : {"is_integer", "is_float", "is_bool", "is_string"})
      l.set(name, std::string_view(name).substr(3) == kind);
    lines.push_back(std::move(l));
  };
  const scenario::KnobValue& v = k.value;
  if (const auto* b = std::get_if<bool>(&v))
    line(*b ? "true" : "false", "bool", *b);
  else if (const auto* i = std::get_if<std::int64_t>(&v))
    line(std::to_string(*i), "integer");
  else if (const auto* d = std::get_if<double>(&v))
    line(format_float(*d), "float");
  else if (const auto* s = std::get_if<std::string>(&v))
    line(*s, "string");
  else
    for (const auto& e : std::get<std::vector<std::string>>(v)) line(e, "string");
}

}  // namespace

TemplateValue make_context(const scenario::Scenario& sc, const Bindings& b,
                           const std::string& proxy) {
  const scenario::Proxy& p = sc.proxy;
  TemplateValue c;
  c.set("workdir", b.workdir);
  c.set("is_root", ::geteuid() == 0);
  c.set("listen.host", b.listen_host);
  c.set("listen.port", TemplateValue::number(b.listen_port));
  c.set("listen.instance", listen_instance(b.listen_host, b.listen_port));

  // The pool: as written, or every upstream in file order.
  std::vector<scenario::PoolMember> members = p.pool;
  if (members.empty()) {
    for (const auto& u : sc.upstreams) members.push_back({.upstream = {u.name, u.where}});
  }
  std::vector<TemplateValue> pool;
  bool has_backup = false;
  for (const auto& m : members) {
    TemplateValue s;
    s.set("name", m.upstream.value);
    const auto bound = b.upstream_hosts.find(m.upstream.value);
    const std::string host = bound == b.upstream_hosts.end() ? b.upstream_host : bound->second;
    // Templates write {{host}}:{{port}} and URLs: an IPv6 address goes in brackets.
    s.set("host", host.find(':') != std::string::npos ? "[" + host + "]" : host);
    const auto it = b.upstream_ports.find(m.upstream.value);
    s.set("port", TemplateValue::number(it == b.upstream_ports.end() ? 0 : it->second));
    s.set("backup", m.backup);
    s.set("primary", !m.backup);
    s.set("weight", TemplateValue::number(m.weight));
    const auto u =
        std::find_if(sc.upstreams.begin(), sc.upstreams.end(),
                     [&](const scenario::Upstream& x) { return x.name == m.upstream.value; });
    s.set("tls", u != sc.upstreams.end() && u->spec.tls.has_value());
    has_backup = has_backup || m.backup;
    pool.push_back(std::move(s));
  }
  c.set("pool", std::move(pool));
  c.set("has_backup", has_backup);

  c.set("timeouts.connect", duration_value(p.timeouts.connect));
  c.set("timeouts.read", duration_value(p.timeouts.read));
  c.set("timeouts.send", duration_value(p.timeouts.send));
  c.set("timeouts.idle", duration_value(p.timeouts.idle));
  c.set("listener.keepalive", p.listener.keepalive);
  c.set("listener.idle_timeout", duration_value(p.listener.idle_timeout));
  c.set("upstream_keepalive.enabled", p.upstream_keepalive > 0);
  c.set("upstream_keepalive.count", TemplateValue::number(p.upstream_keepalive));

  const bool retrying = p.retry.attempts > 0 && !p.retry.on.empty();
  c.set("retry.enabled", retrying);
  c.set("retry.attempts", TemplateValue::number(retrying ? p.retry.attempts : 0));
  c.set("retry.tries", TemplateValue::number(retrying ? p.retry.attempts + 1 : 1));
  c.set("retry.non_idempotent", p.retry.non_idempotent);
  const int same = retrying ? p.retry.same_upstream : 0;
  c.set("retry.same_upstream.enabled", same > 0);
  c.set("retry.same_upstream.retries", TemplateValue::number(same));
  c.set("retry.same_upstream.tries", TemplateValue::number(same + 1));
  for (const auto on :
       {scenario::RetryOn::connect_error, scenario::RetryOn::timeout, scenario::RetryOn::reset,
        scenario::RetryOn::invalid_response, scenario::RetryOn::http_5xx,
        scenario::RetryOn::http_500, scenario::RetryOn::http_502, scenario::RetryOn::http_503,
        scenario::RetryOn::http_504})
    c.set(std::string("retry.on.") + retry_key(on), false);
  for (const auto on : p.retry.on) {
    c.set(std::string("retry.on.") + retry_key(on), true);
    if (on == scenario::RetryOn::http_5xx) {
      for (const char* k : {"http_500", "http_502", "http_503", "http_504"})
        c.set(std::string("retry.on.") + k, true);
    }
  }

  // TLS to the upstreams: whether any speaks it, how the proxy verifies, and the run CA.
  const bool any_tls =
      std::any_of(sc.upstreams.begin(), sc.upstreams.end(),
                  [](const scenario::Upstream& u) { return u.spec.tls.has_value(); });
  const scenario::UpstreamTlsSettings tls =
      p.upstream_tls.value_or(scenario::UpstreamTlsSettings{});
  c.set("upstream_tls.enabled", any_tls);
  // Exactly one of the three is true; with proxy_default a template says nothing about
  // verification and gives the proxy no CA.
  c.set("upstream_tls.verify", tls.verify == scenario::TlsVerify::on);
  c.set("upstream_tls.no_verify", tls.verify == scenario::TlsVerify::off);
  c.set("upstream_tls.proxy_default", tls.verify == scenario::TlsVerify::proxy_default);
  c.set("upstream_tls.sni", tls.sni.empty() ? std::string(sim::default_server_name) : tls.sni);
  c.set("upstream_ca", b.upstream_ca);
  c.set("upstream_ca_chain", b.upstream_ca_chain);

  c.set("health.enabled", p.health.max_fails > 0);
  c.set("health.max_fails", TemplateValue::number(p.health.max_fails));
  c.set("health.fail_window", duration_value(p.health.fail_window));

  TemplateValue knobs;
  std::vector<TemplateValue> lines;
  for (const auto& o : p.overrides) {
    if (o.proxy != proxy) continue;
    for (const auto& k : o.knobs) {
      knobs.set(k.key, knob_value(k.value));
      append_override_lines(k, lines);
    }
  }
  c.set("knobs", std::move(knobs));
  c.set("has_overrides", !lines.empty());
  c.set("overrides", std::move(lines));
  return c;
}

}  // namespace bgw::proxy
