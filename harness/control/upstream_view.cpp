#include "upstream_view.hpp"

#include <boost/json/array.hpp>

#include "harness/scenario/vocabulary.hpp"

namespace bgw::control {

boost::json::object upstream_view(std::string_view name, const sim::Upstream& upstream) {
  boost::json::array faults;
  for (const sim::Rule& r : upstream.rules()) {
    boost::json::object f;
    f["fault"] = r.name;
    f["on"] = scenario::spelling(r.scope);
    f["first"] = r.match.first;
    if (r.match.last != sim::Match::every().last) f["last"] = r.match.last;
    f["probability"] = r.match.probability;
    f["steps"] = r.script.size();
    faults.push_back(std::move(f));
  }
  const sim::Journal& j = upstream.journal();
  boost::json::object counters;
  counters["connections"] = j.connections();
  counters["requests"] = j.requests();
  counters["live_connections"] = upstream.live_connections();
  counters["crashes"] = j.total(sim::EventKind::crashed);

  boost::json::object out;
  out["name"] = name;
  out["address"] = upstream.address();
  out["port"] = upstream.port();
  out["listener"] = sim::to_string(upstream.mode());
  // A TLS upstream says so, with what it presents: a test can check it added what it meant.
  if (const sim::TlsSpec* tls = upstream.tls()) {
    boost::json::array versions;
    for (const auto v : tls->versions) versions.emplace_back(sim::to_string(v));
    boost::json::array alpn;
    for (const auto& p : tls->alpn) alpn.emplace_back(p);
    out["tls"] = boost::json::object{{"cert", sim::to_string(tls->cert)},
                                     {"key", sim::to_string(tls->key)},
                                     {"versions", std::move(versions)},
                                     {"alpn", std::move(alpn)},
                                     {"server_name", tls->server_name}};
  }
  out["faults"] = std::move(faults);
  out["counters"] = std::move(counters);
  return out;
}

}  // namespace bgw::control
