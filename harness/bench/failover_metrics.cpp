#include "failover_metrics.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace bgw::bench {
namespace {

Nanos end_of(const load::RequestRecord& r) {
  return r.intended + r.latency;
}

LatencySummary summarize(std::vector<Nanos> latencies, std::uint64_t failed) {
  LatencySummary s;
  s.count = latencies.size();
  s.failed = failed;
  if (latencies.empty()) return s;
  std::sort(latencies.begin(), latencies.end());
  s.p50 = percentile(latencies, 0.50);
  s.p99 = percentile(latencies, 0.99);
  s.max = latencies.back();
  return s;
}

// Merge overlapping [from, to] ranges (sorted by `from` on return).
std::vector<std::pair<Nanos, Nanos>> merged(std::vector<std::pair<Nanos, Nanos>> ranges) {
  std::sort(ranges.begin(), ranges.end());
  std::vector<std::pair<Nanos, Nanos>> out;
  for (const auto& r : ranges) {
    if (!out.empty() && r.first <= out.back().second)
      out.back().second = std::max(out.back().second, r.second);
    else
      out.push_back(r);
  }
  return out;
}

// Whether [begin, end] overlaps one of `ranges`.
bool overlaps(const std::vector<std::pair<Nanos, Nanos>>& ranges, Nanos begin, Nanos end) {
  for (const auto& [from, to] : ranges) {
    if (begin <= to && end >= from) return true;
  }
  return false;
}

void totals_from_buckets(const load::LoadResult& load, Totals& t) {
  // Records were truncated: the buckets still count every request.
  t.statuses.clear();
  t.errors.clear();
  t.transport_errors = 0;
  for (const load::Bucket& b : load.buckets) {
    for (const auto& [status, n] : b.statuses) {
      t.statuses[status] += n;
      if (status >= 500) t.errors["http_" + std::to_string(status)] += n;
    }
    for (std::size_t i = 0; i < load::outcome_count; ++i) {
      const auto o = static_cast<load::Outcome>(i);
      if (o == load::Outcome::response || b.outcomes[i] == 0) continue;
      t.transport_errors += b.outcomes[i];
      t.errors[load::to_string(o)] += b.outcomes[i];
    }
  }
}

}  // namespace

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
  BenchMetrics m;
  const load::LoadResult& load = data.load;
  const auto& records = load.records;

  // ---- totals and errors by kind ----
  Totals& t = m.totals;
  t.sent = load.sent;
  t.responses = load.completed;
  t.failed = load.failed;
  t.records = records.size();
  t.records_truncated = load.records_truncated;
  t.connects = load.connects;
  t.elapsed = load.elapsed;
  for (const auto& r : records) {
    if (r.outcome == load::Outcome::response)
      ++t.statuses[r.status];
    else
      ++t.transport_errors;
    if (r.failed()) ++t.errors[error_kind(r)];
  }
  if (load.records_truncated) totals_from_buckets(load, t);
  const double seconds = std::chrono::duration<double>(load.elapsed).count();
  t.throughput = seconds > 0 ? static_cast<double>(t.responses) / seconds : 0;
  m.bookkeeping.sent_matches =
      t.sent == t.responses + t.transport_errors && (load.records_truncated || t.records == t.sent);

  // ---- the client's view by request id ----
  std::unordered_map<std::uint64_t, const load::RequestRecord*> by_id;
  by_id.reserve(records.size());
  for (const auto& r : records) by_id.emplace(r.id, &r);
  auto good = [&](std::uint64_t id) {
    const auto it = by_id.find(id);
    return it != by_id.end() && !it->second->failed();
  };

  // ---- upstreams: requests, served, duplicates ----
  m.upstreams.resize(data.upstreams.size());
  for (std::size_t i = 0; i < data.upstreams.size(); ++i) {
    m.upstreams[i].name = data.upstreams[i];
    if (i < data.journal.size()) m.upstreams[i].connections = data.journal[i].connections;
  }
  std::unordered_map<std::uint64_t, std::vector<std::size_t>> delivered;  // id -> upstreams
  std::vector<std::uint64_t> order;  // ids in order of first delivery, for stable examples
  for (const Delivery& d : data.deliveries) {
    if (d.upstream >= m.upstreams.size()) continue;
    ++m.upstreams[d.upstream].requests;
    if (d.id == 0) {
      ++m.upstreams[d.upstream].unidentified;
      continue;
    }
    auto& list = delivered[d.id];
    if (list.empty()) order.push_back(d.id);
    list.push_back(d.upstream);
  }
  for (const std::uint64_t id : order) {
    const auto& list = delivered[id];
    if (good(id)) ++m.upstreams[list.back()].served;
    if (list.size() < 2) continue;
    Duplicates& dup = m.duplicates;
    ++dup.requests;
    dup.extra_deliveries += list.size() - 1;
    const bool across =
        std::any_of(list.begin(), list.end(), [&](std::size_t u) { return u != list.front(); });
    ++(across ? dup.across_upstreams : dup.same_upstream);
    if (dup.examples.size() < o.max_examples) {
      DuplicateExample ex{.id = id, .upstreams = {}};
      for (const std::size_t u : list) ex.upstreams.push_back(data.upstreams[u]);
      dup.examples.push_back(std::move(ex));
    }
  }
  for (const auto& r : records) {
    const bool reached = delivered.count(r.id) > 0;
    if (!r.failed() && !reached) ++m.bookkeeping.served_without_delivery;
    if (r.failed() && reached) ++m.bookkeeping.failed_after_delivery;
  }

  // ---- events: attribution of failures, time to detect, error windows, recovery ----
  std::vector<TimelineMark> marks = data.events;
  std::stable_sort(marks.begin(), marks.end(),
                   [](const TimelineMark& a, const TimelineMark& b) { return a.at < b.at; });
  m.events.reserve(marks.size());
  for (const auto& mark : marks) m.events.push_back(EventMetrics{.mark = mark});
  std::vector<std::size_t> disruptive;  // indices into m.events, in time order
  for (std::size_t i = 0; i < m.events.size(); ++i) {
    if (m.events[i].mark.disruptive) disruptive.push_back(i);
  }
  for (const auto& r : records) {
    if (!r.failed()) continue;
    const Nanos end = end_of(r);
    // The latest disruptive event at or before the failure; of simultaneous ones, the first.
    std::optional<std::size_t> owner;
    for (const std::size_t i : disruptive) {
      if (m.events[i].mark.at > end) break;
      if (!owner || m.events[i].mark.at > m.events[*owner].mark.at) owner = i;
    }
    if (!owner) continue;  // a failure before anything was broken: the steady state's
    EventMetrics& e = m.events[*owner];
    ++e.failed;
    ++e.errors[error_kind(r)];
    if (!e.first_failure || end < *e.first_failure) e.first_failure = end;
    if (!e.last_failure || end > *e.last_failure) e.last_failure = end;
  }
  std::unordered_map<std::string, std::size_t> upstream_index;
  for (std::size_t i = 0; i < data.upstreams.size(); ++i) upstream_index[data.upstreams[i]] = i;
  std::vector<std::pair<Nanos, Nanos>> windows;
  for (EventMetrics& e : m.events) {
    if (e.mark.disruptive) {
      if (e.last_failure) {
        e.time_to_detect = *e.last_failure - e.mark.at;
        e.error_window = *e.last_failure - *e.first_failure;
      }
      const Nanos from = e.mark.at - o.margin;
      const Nanos to = std::max(e.mark.at, e.last_failure.value_or(e.mark.at)) + o.margin;
      windows.emplace_back(std::max(from, Nanos{}), to);
      continue;
    }
    const auto u = upstream_index.find(e.mark.upstream);
    if (u == upstream_index.end()) continue;
    for (const Delivery& d : data.deliveries) {
      if (d.upstream != u->second || d.at < e.mark.at || d.id == 0 || !good(d.id)) continue;
      e.time_to_recover = d.at - e.mark.at;
      break;  // deliveries are in time order
    }
  }
  m.failover_windows = merged(std::move(windows));

  // ---- latency: all, steady state (before the first event), around the failovers ----
  std::optional<Nanos> first_event;
  if (!m.events.empty()) first_event = m.events.front().mark.at;
  std::vector<Nanos> all, steady, failover;
  std::uint64_t all_failed = 0, steady_failed = 0, failover_failed = 0;
  all.reserve(records.size());
  for (const auto& r : records) {
    const Nanos end = end_of(r);
    all.push_back(r.latency);
    all_failed += r.failed();
    if (r.intended >= o.warmup && (!first_event || end < *first_event)) {
      steady.push_back(r.latency);
      steady_failed += r.failed();
    }
    // In flight at any moment of a window: a request sent before the crash and held by a
    // retry belongs to the failover as much as one that failed inside it.
    if (overlaps(m.failover_windows, r.intended, end)) {
      failover.push_back(r.latency);
      failover_failed += r.failed();
    }
  }
  m.all = summarize(std::move(all), all_failed);
  m.steady = summarize(std::move(steady), steady_failed);
  m.failover = summarize(std::move(failover), failover_failed);

  // ---- the timeline's buckets, by the time requests ended ----
  if (o.bucket > Nanos{}) {
    Nanos span = load.elapsed;
    for (const auto& r : records) span = std::max(span, end_of(r) + Nanos(1));
    const auto count = static_cast<std::size_t>((span + o.bucket - Nanos(1)) / o.bucket);
    m.buckets.resize(count);
    std::vector<std::vector<Nanos>> latencies(count);
    for (std::size_t i = 0; i < count; ++i)
      m.buckets[i].start = o.bucket * static_cast<Nanos::rep>(i);
    for (const auto& r : records) {
      const auto i = static_cast<std::size_t>(std::max(end_of(r), Nanos{}) / o.bucket);
      if (i >= count) continue;
      BucketRow& b = m.buckets[i];
      ++b.ended;
      latencies[i].push_back(r.latency);
      if (r.outcome != load::Outcome::response) {
        ++b.errors;
        continue;
      }
      switch (r.status / 100) {
        case 2:
          ++b.s2xx;
          break;
        case 3:
          ++b.s3xx;
          break;
        case 4:
          ++b.s4xx;
          break;
        case 5:
          ++b.s5xx;
          break;
        default:
          ++b.other;
      }
    }
    for (std::size_t i = 0; i < count; ++i) {
      std::sort(latencies[i].begin(), latencies[i].end());
      m.buckets[i].p99 = percentile(latencies[i], 0.99);
    }
  }
  return m;
}

}  // namespace bgw::bench
