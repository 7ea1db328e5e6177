#include "bench_config.hpp"

#include "harness/scenario/vocabulary.hpp"
#include "simulator/units.hpp"

namespace bgw::bench {

BenchConfig resolve_config(const scenario::Scenario& sc, const BenchOverrides& o) {
  BenchConfig c;
  if (sc.bench) {
    const scenario::BenchSettings& b = *sc.bench;
    c.duration = b.duration;
    c.connections = b.connections;
    c.rate = b.rate;
    c.warmup = b.warmup;
    c.method = b.method;
    c.target = b.target;
    c.request_timeout = b.request_timeout;
  }
  if (o.duration) c.duration = *o.duration;
  if (o.connections) c.connections = *o.connections;
  if (o.rate) c.rate = *o.rate;
  if (o.warmup) c.warmup = *o.warmup;
  if (o.request_timeout) c.request_timeout = *o.request_timeout;
  if (c.warmup >= c.duration) c.warmup = Nanos{};
  return c;
}

std::vector<std::string> events_after_load(const scenario::Scenario& sc, Nanos duration) {
  std::vector<std::string> out;
  for (const auto& u : sc.upstreams) {
    for (const auto& e : u.timeline) {
      if (e.at.value < duration) continue;
      out.push_back(u.name + " " + std::string(scenario::spelling(e.action)) + " at " +
                    sim::format_duration(e.at.value) + " (" + e.where.to_string() + ")");
    }
  }
  return out;
}

}  // namespace bgw::bench
