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
  out["faults"] = std::move(faults);
  out["counters"] = std::move(counters);
  return out;
}

}  // namespace bgw::control
