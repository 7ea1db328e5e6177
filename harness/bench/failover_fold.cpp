#include "failover_fold.hpp"

#include <algorithm>
#include <array>
#include <queue>
#include <unordered_map>

namespace bgw::bench {
namespace {

using load::Histogram;
using load::Outcome;
using load::RequestRecord;

Nanos end_of(const RequestRecord& r) {
  return r.intended + r.latency;
}

bool journaled(const std::string& action) {
  return action == "crash" || action == "restart" || action == "refuse" || action == "blackhole" ||
         action == "accept";
}

// A latency histogram with the counts a LatencySummary needs.
struct Latencies {
  Histogram h;
  std::uint64_t failed = 0;
  void add(Nanos latency, bool failed_request) {
    h.record(static_cast<std::uint64_t>(std::max(Nanos{}, latency).count()));
    failed += failed_request;
  }
  void take(Latencies& other) {
    h.merge(other.h);
    failed += other.failed;
    other.h.reset();
    other.failed = 0;
  }
  LatencySummary summary() const {
    LatencySummary s;
    s.count = h.count();
    s.failed = failed;
    if (s.count == 0) return s;
    s.p50 = Nanos(static_cast<Nanos::rep>(h.percentile(0.50)));
    s.p99 = Nanos(static_cast<Nanos::rep>(h.percentile(0.99)));
    s.max = Nanos(static_cast<Nanos::rep>(h.max()));
    return s;
  }
};

// Every read of one request id by the upstreams, until the client's outcome is folded. Reads
// beyond `kept` still count; an id read that often is an example, not a statistic.
struct Reads {
  static constexpr std::size_t kept = 8;
  std::uint32_t count = 0;
  std::uint8_t n = 0;
  bool across = false;  ///< read by two upstreams or more
  std::array<std::uint8_t, kept> upstream{};
  std::array<Nanos, kept> at{};
  void add(std::size_t u, Nanos t) {
    if (count > 0 && upstream[std::min<std::size_t>(n, kept) - 1] != u) across = true;
    ++count;
    if (n < kept) {
      upstream[n] = static_cast<std::uint8_t>(u);
      at[n] = t;
      ++n;
    }
  }
  std::size_t last() const { return upstream[n - 1]; }
};

// A held request or read, folded in order of `key`.
struct Held {
  Nanos key{};
  bool is_record = false;
  RequestRecord record{};
  Delivery delivery{};
  bool operator>(const Held& o) const { return key > o.key; }
};

}  // namespace

struct FailoverFold::State {
  MetricsOptions o;
  std::vector<std::string> upstreams;
  std::vector<TimelineMark> marks;  // in the order given (ties between marks go to the first)
  std::vector<bool> placed;
  bool with_reads = true;  // reads arrive: a good response nobody read is worth a count
  Nanos horizon{};         // a request is folded this long after it ended
  Nanos read_delay{};      // a read is folded this long after it happened
  Nanos orphan_after{};    // reads of an id no request claimed are dropped after this

  std::priority_queue<Held, std::vector<Held>, std::greater<>> held;
  // Reads by id, in two generations: every `orphan_after`, the old generation is dropped (its
  // duplicates counted) and the young one becomes old, so an id nobody claims does not stay.
  std::unordered_map<std::uint64_t, Reads> young, old;
  Nanos generation_started{};

  BenchMetrics m;
  std::vector<EventMetrics> events;  // parallel to `marks`
  Latencies all, steady, failover;
  // Requests that may still fall into the failover window of `deferred_owner`, if a later
  // failure is attributed to it (see fold_record).
  Latencies deferred;
  std::optional<std::size_t> deferred_owner;
  struct Example {
    Nanos first{};
    DuplicateExample ex;
  };
  std::vector<Example> examples;  // the earliest by first read
  std::size_t row = SIZE_MAX;     // the bucket row `row_latency` holds
  Histogram row_latency;
  std::uint64_t records = 0;

  // The mark failures ending at `end` belong to: the latest disruptive one placed at or before
  // it; of simultaneous ones, the first given.
  std::optional<std::size_t> owner(Nanos end) const {
    std::optional<std::size_t> best;
    for (std::size_t i = 0; i < marks.size(); ++i) {
      if (!placed[i] || !marks[i].disruptive || marks[i].at > end) continue;
      if (!best || marks[i].at > marks[*best].at) best = i;
    }
    return best;
  }

  Nanos window_end(std::size_t i) const {
    return std::max(marks[i].at, events[i].last_failure.value_or(marks[i].at)) + o.margin;
  }

  Reads* reads_of(std::uint64_t id) {
    if (auto it = young.find(id); it != young.end()) return &it->second;
    if (auto it = old.find(id); it != old.end()) return &it->second;
    return nullptr;
  }
  void forget(std::uint64_t id) {
    if (young.erase(id) == 0) old.erase(id);
  }

  void count_duplicate(std::uint64_t id, const Reads& r) {
    if (r.count < 2) return;
    Duplicates& d = m.duplicates;
    ++d.requests;
    d.extra_deliveries += r.count - 1;
    ++(r.across ? d.across_upstreams : d.same_upstream);
    if (o.max_examples == 0) return;
    if (examples.size() == o.max_examples && examples.back().first <= r.at[0]) return;
    Example e{.first = r.at[0], .ex = DuplicateExample{.id = id, .upstreams = {}}};
    for (std::size_t i = 0; i < r.n; ++i) e.ex.upstreams.push_back(upstreams[r.upstream[i]]);
    auto pos = std::upper_bound(examples.begin(), examples.end(), e.first,
                                [](Nanos t, const Example& x) { return t < x.first; });
    examples.insert(pos, std::move(e));
    if (examples.size() > o.max_examples) examples.pop_back();
  }

  void fold_read(const Delivery& d) {
    if (d.upstream >= m.upstreams.size()) return;
    ++m.upstreams[d.upstream].requests;
    if (d.id == 0) {
      ++m.upstreams[d.upstream].unidentified;
      return;
    }
    Reads* r = reads_of(d.id);
    if (!r) r = &young[d.id];
    r->add(d.upstream, d.at);
  }

  void fold_record(const RequestRecord& r) {
    ++records;
    const Nanos end = end_of(r);
    const bool failed = r.failed();
    Totals& t = m.totals;
    if (r.outcome == Outcome::response)
      ++t.statuses[r.status];
    else
      ++t.transport_errors;
    if (failed) ++t.errors[error_kind(r)];

    // ---- the upstreams' reads of this id: served, duplicates, recovery ----
    if (Reads* reads = r.id != 0 ? reads_of(r.id) : nullptr) {
      if (failed) {
        ++m.bookkeeping.failed_after_delivery;
      } else {
        ++m.upstreams[reads->last()].served;
        for (std::size_t i = 0; i < marks.size(); ++i) {
          if (!placed[i] || marks[i].disruptive) continue;
          for (std::size_t k = 0; k < reads->n; ++k) {
            if (upstreams[reads->upstream[k]] != marks[i].upstream || reads->at[k] < marks[i].at)
              continue;
            const Nanos ttr = reads->at[k] - marks[i].at;
            if (!events[i].time_to_recover || ttr < *events[i].time_to_recover)
              events[i].time_to_recover = ttr;
          }
        }
      }
      count_duplicate(r.id, *reads);
      forget(r.id);
    } else if (!failed && with_reads) {
      ++m.bookkeeping.served_without_delivery;
    }

    // ---- attribution to the timeline ----
    const auto own = owner(end);
    if (failed && own) {
      EventMetrics& e = events[*own];
      ++e.failed;
      ++e.errors[error_kind(r)];
      if (!e.first_failure || end < *e.first_failure) e.first_failure = end;
      if (!e.last_failure || end > *e.last_failure) e.last_failure = end;
      // Requests are folded in order of their end: whatever was held back for this event
      // began before this failure ended, so its window now reaches them.
      if (deferred_owner == own) failover.take(deferred);
    }

    // ---- latency: all, steady state, failover ----
    all.add(r.latency, failed);
    bool before_any = true;
    for (std::size_t i = 0; i < marks.size(); ++i)
      if (placed[i] && marks[i].at <= end) before_any = false;
    if (r.intended >= o.warmup && before_any) steady.add(r.latency, failed);
    // In flight at some moment of a window [at - margin, max(at, last failure) + margin]. Every
    // event within `margin` after this end is placed by now (the horizon); only the owner's
    // window can still grow, by a later failure: hold the request for it until then.
    bool in = false;
    for (std::size_t i = 0; i < marks.size() && !in; ++i) {
      if (!placed[i] || !marks[i].disruptive) continue;
      const Nanos from = std::max(Nanos{}, marks[i].at - o.margin);
      in = end >= from && r.intended <= window_end(i);
    }
    if (in) {
      failover.add(r.latency, failed);
    } else if (own) {
      if (deferred_owner != own) {
        deferred = Latencies{};
        deferred_owner = own;
      }
      deferred.add(r.latency, failed);
    }

    // ---- the timeline's buckets, by the time requests ended ----
    if (o.bucket > Nanos{}) {
      const auto i = static_cast<std::size_t>(std::max(end, Nanos{}) / o.bucket);
      auto& rows = m.buckets;
      if (i >= rows.size()) {
        const std::size_t from = rows.size();
        rows.resize(i + 1);
        for (std::size_t k = from; k < rows.size(); ++k)
          rows[k].start = o.bucket * static_cast<Nanos::rep>(k);
      }
      if (i != row) close_row();
      row = i;
      BucketRow& b = rows[i];
      ++b.ended;
      row_latency.record(static_cast<std::uint64_t>(std::max(Nanos{}, r.latency).count()));
      if (r.outcome != Outcome::response) {
        ++b.errors;
      } else {
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
    }
  }

  // Requests are folded in order of their end, so a row is complete once the next one starts.
  void close_row() {
    if (row < m.buckets.size())
      m.buckets[row].p99 = Nanos(static_cast<Nanos::rep>(row_latency.percentile(0.99)));
    row_latency.reset();
    row = SIZE_MAX;
  }

  void expire_reads(Nanos now) {
    if (now - generation_started < orphan_after) return;
    for (const auto& [id, r] : old) count_duplicate(id, r);
    old = std::move(young);
    young = {};
    generation_started = now;
  }

  void fold_until(Nanos now, std::optional<Nanos> cut) {
    while (!held.empty() && held.top().key <= now) {
      const Held h = held.top();
      held.pop();
      if (h.is_record) {
        if (!cut || end_of(h.record) < *cut) fold_record(h.record);
      } else if (!cut || h.delivery.at < *cut) {
        fold_read(h.delivery);
      }
    }
    expire_reads(now);
  }
};

FailoverFold::FailoverFold(Setup setup) : s_(std::make_unique<State>()) {
  State& s = *s_;
  s.o = setup.options;
  s.upstreams = std::move(setup.upstreams);
  s.marks = std::move(setup.marks);
  s.placed.resize(s.marks.size());
  s.with_reads = setup.reads;
  for (std::size_t i = 0; i < s.marks.size(); ++i) {
    TimelineMark& mk = s.marks[i];
    s.placed[i] = setup.placed || !journaled(mk.action);
    if (!setup.placed) mk.at = mk.scheduled;  // until ran() says otherwise
  }
  s.events.resize(s.marks.size());
  s.read_delay = std::chrono::milliseconds(50);
  s.horizon = s.o.margin + std::max(setup.slack, s.read_delay + std::chrono::milliseconds(50));
  // Reads live one to two generations: at least a request's whole life plus the horizon.
  s.orphan_after = std::max<Nanos>(
      {std::chrono::seconds(10), 4 * s.horizon, setup.request_timeout + 2 * s.horizon});
  s.m.upstreams.resize(s.upstreams.size());
  for (std::size_t i = 0; i < s.upstreams.size(); ++i) s.m.upstreams[i].name = s.upstreams[i];
}

FailoverFold::~FailoverFold() = default;
FailoverFold::FailoverFold(FailoverFold&&) noexcept = default;
FailoverFold& FailoverFold::operator=(FailoverFold&&) noexcept = default;

void FailoverFold::add_record(const load::RequestRecord& record) {
  s_->held.push(Held{.key = end_of(record) + s_->horizon, .is_record = true, .record = record});
}

void FailoverFold::add_delivery(const Delivery& delivery) {
  s_->held.push(
      Held{.key = delivery.at + s_->read_delay, .is_record = false, .delivery = delivery});
}

void FailoverFold::ran(std::string_view upstream, std::string_view action, Nanos at) {
  State& s = *s_;
  std::optional<std::size_t> pick;
  for (std::size_t i = 0; i < s.marks.size(); ++i) {
    const TimelineMark& mk = s.marks[i];
    if (s.placed[i] || mk.upstream != upstream || mk.action != action || mk.scheduled > at)
      continue;
    if (!pick || mk.scheduled < s.marks[*pick].scheduled) pick = i;
  }
  if (!pick) return;
  s.marks[*pick].at = at;
  s.placed[*pick] = true;
}

void FailoverFold::advance(Nanos now) {
  s_->fold_until(now, std::nullopt);
}

std::size_t FailoverFold::held() const {
  return s_->held.size() + s_->young.size() + s_->old.size();
}

BenchMetrics FailoverFold::finish(const LoadTotals& totals, std::optional<Nanos> cut) {
  State& s = *s_;
  // A journaled action the journal never showed is placed at its schedule, as before.
  for (std::size_t i = 0; i < s.marks.size(); ++i) s.placed[i] = true;
  s.fold_until(Nanos::max(), cut);
  s.close_row();
  for (const auto& [id, r] : s.old) s.count_duplicate(id, r);
  for (const auto& [id, r] : s.young) s.count_duplicate(id, r);
  s.old.clear();
  s.young.clear();

  BenchMetrics& m = s.m;
  m.totals.sent = cut ? s.records : totals.sent;
  m.totals.records = s.records;
  m.totals.connects = totals.connects;
  m.totals.elapsed = cut ? std::max(Nanos{}, std::min(totals.elapsed, *cut)) : totals.elapsed;
  std::uint64_t responses = 0;
  for (const auto& [status, n] : m.totals.statuses) responses += n;
  m.totals.responses = responses;
  m.totals.failed = 0;
  for (const auto& [kind, n] : m.totals.errors) m.totals.failed += n;
  const double seconds = std::chrono::duration<double>(m.totals.elapsed).count();
  m.totals.throughput = seconds > 0 ? static_cast<double>(responses) / seconds : 0;
  m.bookkeeping.sent_matches =
      m.totals.sent == responses + m.totals.transport_errors && m.totals.records == m.totals.sent;

  // ---- events in time order, left out when the load ended before them ----
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < s.marks.size(); ++i)
    if (s.marks[i].scheduled < m.totals.elapsed) order.push_back(i);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return s.marks[a].at < s.marks[b].at; });
  std::vector<std::pair<Nanos, Nanos>> windows;
  for (const std::size_t i : order) {
    if (s.marks[i].disruptive)
      windows.emplace_back(std::max(Nanos{}, s.marks[i].at - s.o.margin), s.window_end(i));
    EventMetrics e = std::move(s.events[i]);
    e.mark = s.marks[i];
    if (e.mark.disruptive && e.last_failure) {
      e.time_to_detect = *e.last_failure - e.mark.at;
      e.error_window = *e.last_failure - *e.first_failure;
    }
    m.events.push_back(std::move(e));
  }
  std::sort(windows.begin(), windows.end());
  for (const auto& w : windows) {
    if (!m.failover_windows.empty() && w.first <= m.failover_windows.back().second)
      m.failover_windows.back().second = std::max(m.failover_windows.back().second, w.second);
    else
      m.failover_windows.push_back(w);
  }

  m.all = s.all.summary();
  m.steady = s.steady.summary();
  m.failover = s.failover.summary();
  auto h = std::make_shared<LatencyHistograms>();
  h->all = s.all.h;
  h->steady = s.steady.h;
  h->failover = s.failover.h;
  h->all_failed = s.all.failed;
  h->steady_failed = s.steady.failed;
  h->failover_failed = s.failover.failed;
  m.histograms = std::move(h);
  for (auto& e : s.examples) m.duplicates.examples.push_back(std::move(e.ex));

  // Rows up to the end of the load, empty ones included, as the timeline draws them.
  if (s.o.bucket > Nanos{}) {
    const auto count =
        static_cast<std::size_t>((m.totals.elapsed + s.o.bucket - Nanos(1)) / s.o.bucket);
    for (std::size_t k = m.buckets.size(); k < count; ++k)
      m.buckets.push_back(BucketRow{.start = s.o.bucket * static_cast<Nanos::rep>(k)});
  }
  return std::move(m);
}

}  // namespace bgw::bench
