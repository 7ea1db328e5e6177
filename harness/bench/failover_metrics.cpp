#include "failover_metrics.hpp"

#include <algorithm>
#include <cmath>

#include "harness/bench/failover_fold.hpp"

namespace bgw::bench {

Nanos percentile(const std::vector<Nanos>& sorted, double q) {
  if (sorted.empty()) return Nanos{};
  q = std::clamp(q, 0.0, 1.0);
  const auto n = static_cast<double>(sorted.size());
  auto rank = static_cast<std::size_t>(std::ceil(q * n));
  if (rank == 0) rank = 1;
  return sorted[std::min(rank, sorted.size()) - 1];
}

std::string error_kind(const load::RequestRecord& r) {
  if (r.outcome != load::Outcome::response) return load::to_string(r.outcome);
  return "http_" + std::to_string(r.status);
}

BenchMetrics derive_metrics(const BenchData& data, const MetricsOptions& o) {
  // A replay of recorded data through the fold the runner uses live: one definition of each
  // metric.
  FailoverFold fold(FailoverFold::Setup{
      .upstreams = data.upstreams, .marks = data.events, .placed = true, .options = o});
  for (const Delivery& d : data.deliveries) fold.add_delivery(d);
  for (const auto& r : data.load.records) fold.add_record(r);
  BenchMetrics m = fold.finish(FailoverFold::LoadTotals{
      .sent = data.load.sent, .connects = data.load.connects, .elapsed = data.load.elapsed});
  for (std::size_t i = 0; i < data.journal.size() && i < m.upstreams.size(); ++i)
    m.upstreams[i].connections = data.journal[i].connections;
  return m;
}

}  // namespace bgw::bench
