#include "bench_config.hpp"
#include <algorithm>

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
  if (o.threads) c.threads = *o.threads;
  if (c.warmup >= c.duration) c.warmup = Nanos{};
  // 100 ms buckets up to a minute; beyond that, at most 600 of them. Each bucket holds a full
  // latency histogram (~42 KB), so an hour at 100 ms would take 1.5 GB, and a timeline of 600
  // bars already shows every failover a person can see.
  c.bucket = std::max<Nanos>(std::chrono::milliseconds(100), c.duration / 600);
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
