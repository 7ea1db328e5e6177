#include "bench_merge.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <set>

namespace bgw::bench {
namespace {

namespace json = boost::json;

// What one agent's report says, as far as the merge needs it.
struct Part {
  std::string file;
  json::object doc;
  unsigned index = 0, count = 0;
  std::int64_t start_ms = 0;
};

const json::object* object_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v ? v->if_object() : nullptr;
}
const json::array* array_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v ? v->if_array() : nullptr;
}
std::uint64_t count_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v) return 0;
  if (v->is_uint64()) return v->as_uint64();
  if (v->is_int64()) return static_cast<std::uint64_t>(std::max<std::int64_t>(0, v->as_int64()));
  if (v->is_double()) return static_cast<std::uint64_t>(std::max(0.0, v->as_double()));
  return 0;
}
double number_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v) return 0;
  if (v->is_double()) return v->as_double();
  if (v->is_int64()) return static_cast<double>(v->as_int64());
  if (v->is_uint64()) return static_cast<double>(v->as_uint64());
  return 0;
}
std::string text_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}
Nanos ms_at(const json::object& o, std::string_view key) {
  return Nanos(std::llround(number_at(o, key) * 1e6));
}
std::optional<Nanos> opt_ms_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return std::nullopt;
  return ms_at(o, key);
}

template <class Key>
void add_counts(const json::object* from, std::map<Key, std::uint64_t>& into) {
  if (!from) return;
  for (const auto& [k, v] : *from) {
    const std::uint64_t n = v.is_uint64() ? v.as_uint64() : v.is_int64() ? v.as_int64() : 0;
    if constexpr (std::is_same_v<Key, int>)
      into[std::atoi(std::string(k).c_str())] += n;
    else
      into[std::string(k)] += n;
  }
}

bool read_histogram(const json::object* h, load::Histogram& out, std::uint64_t& failed) {
  if (!h) return false;
  std::vector<std::pair<std::uint32_t, std::uint64_t>> buckets;
  if (const json::array* b = array_at(*h, "buckets")) {
    for (const json::value& pair : *b) {
      const json::array* p = pair.if_array();
      if (!p || p->size() != 2 || !(*p)[0].is_number() || !(*p)[1].is_number()) return false;
      buckets.emplace_back(static_cast<std::uint32_t>((*p)[0].to_number<std::uint64_t>()),
                           (*p)[1].to_number<std::uint64_t>());
    }
  }
  failed = count_at(*h, "failed");
  return out.restore(buckets, count_at(*h, "min_ns"), count_at(*h, "max_ns"),
                     static_cast<long double>(number_at(*h, "sum_ns")));
}

LatencySummary summary(const load::Histogram& h, std::uint64_t failed) {
  LatencySummary s;
  s.count = h.count();
  s.failed = failed;
  if (s.count == 0) return s;
  s.p50 = Nanos(static_cast<Nanos::rep>(h.percentile(0.5)));
  s.p99 = Nanos(static_cast<Nanos::rep>(h.percentile(0.99)));
  s.max = Nanos(static_cast<Nanos::rep>(h.max()));
  return s;
}

}  // namespace

MergedReport merge_agent_reports(const std::vector<std::pair<std::string, std::string>>& files) {
  MergedReport out;
  std::vector<Part> parts;
  for (const auto& [name, text] : files) {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec || !v.is_object()) {
      out.errors.push_back(name + ": not JSON (" + (ec ? ec.message() : "not an object") + ")");
      continue;
    }
    Part p{.file = name, .doc = std::move(v.as_object())};
    const json::object* agent = object_at(p.doc, "agent");
    if (text_at(p.doc, "schema") != "badgateway.bench/1" || !agent ||
        !object_at(p.doc, "histograms")) {
      out.errors.push_back(name +
                           ": not a bench agent's report (written by `badgateway bench "
                           "--agent I/N --start-at T --json FILE`)");
      continue;
    }
    p.index = static_cast<unsigned>(count_at(*agent, "index"));
    p.count = static_cast<unsigned>(count_at(*agent, "count"));
    p.start_ms = static_cast<std::int64_t>(number_at(*agent, "start_at_unix_ms"));
    parts.push_back(std::move(p));
  }
  if (!out.errors.empty()) return out;
  if (parts.empty()) {
    out.errors.push_back("no reports to merge");
    return out;
  }
  std::sort(parts.begin(), parts.end(),
            [](const Part& a, const Part& b) { return a.index < b.index; });
  const Part& first = parts.front();
  const std::string scenario = text_at(*object_at(first.doc, "scenario"), "name");
  std::set<unsigned> seen;
  for (const Part& p : parts) {
    const json::object* sc = object_at(p.doc, "scenario");
    if (!sc || text_at(*sc, "name") != scenario)
      out.errors.push_back(p.file + ": scenario '" + (sc ? text_at(*sc, "name") : "") + "', not '" +
                           scenario + "' as in " + first.file);
    if (p.count != first.count)
      out.errors.push_back(p.file + ": agent of " + std::to_string(p.count) + ", not of " +
                           std::to_string(first.count) + " as in " + first.file);
    if (p.start_ms != first.start_ms)
      out.errors.push_back(p.file + ": started at another instant than " + first.file +
                           " (start_at_unix_ms " + std::to_string(p.start_ms) + " vs " +
                           std::to_string(first.start_ms) + "): not the same run");
    if (p.index < 1 || p.index > p.count || !seen.insert(p.index).second)
      out.errors.push_back(p.file + ": agent " + std::to_string(p.index) + " of " +
                           std::to_string(p.count) + " given twice or out of range");
  }
  if (!out.errors.empty()) return out;

  BenchReport& r = out.report;
  r.scenario = scenario;
  const json::object& sc = *object_at(first.doc, "scenario");
  r.file = text_at(sc, "file");
  r.description = text_at(sc, "description");
  if (const json::object* px = object_at(first.doc, "proxy")) {
    r.proxy = text_at(*px, "name");
    r.proxy_version = text_at(*px, "version");
  }
  r.started = std::chrono::system_clock::time_point(std::chrono::milliseconds(first.start_ms));
  if (const json::object* c = object_at(first.doc, "config")) {
    BenchConfig& cf = r.config;
    cf.duration = ms_at(*c, "duration_ms");
    cf.connections = static_cast<int>(count_at(*c, "connections"));
    cf.rate = number_at(*c, "rate");
    cf.warmup = ms_at(*c, "warmup_ms");
    cf.method = text_at(*c, "method");
    cf.target = text_at(*c, "target");
    cf.request_timeout = ms_at(*c, "request_timeout_ms");
    cf.bucket = ms_at(*c, "bucket_ms");
    cf.margin = ms_at(*c, "margin_ms");
    cf.threads = static_cast<unsigned>(count_at(*c, "threads"));
  }
  for (unsigned i = 1; i <= first.count; ++i)
    if (!seen.count(i))
      r.warnings.push_back("agent " + std::to_string(i) + " of " + std::to_string(first.count) +
                           " is missing: the figures are the other agents' only");
  r.warnings.push_back(
      "agents see the proxy, not the upstreams: requests per upstream, duplicates and recovery "
      "times are in serve's journal (and GET /upstreams)");

  BenchMetrics& m = r.metrics;
  auto h = std::make_shared<LatencyHistograms>();
  bool sent_matches = true;
  for (const Part& p : parts) {
    r.merged_from.push_back(p.file);
    const json::object* t = object_at(p.doc, "totals");
    if (t) {
      m.totals.sent += count_at(*t, "sent");
      m.totals.responses += count_at(*t, "responses");
      m.totals.transport_errors += count_at(*t, "transport_errors");
      m.totals.failed += count_at(*t, "failed");
      m.totals.records += count_at(*t, "records");
      m.totals.connects += count_at(*t, "connects");
      m.totals.elapsed = std::max(m.totals.elapsed, ms_at(*t, "elapsed_ms"));
      add_counts(object_at(*t, "statuses"), m.totals.statuses);
      add_counts(object_at(*t, "errors"), m.totals.errors);
    }
    if (const json::object* b = object_at(p.doc, "bookkeeping"))
      sent_matches = sent_matches && b->if_contains("sent_matches") &&
                     b->at("sent_matches").is_bool() && b->at("sent_matches").as_bool();
    const json::object& hs = *object_at(p.doc, "histograms");
    load::Histogram one;
    std::uint64_t failed = 0;
    bool ok = read_histogram(object_at(hs, "all"), one, failed);
    h->all.merge(one);
    h->all_failed += failed;
    ok = read_histogram(object_at(hs, "steady"), one, failed) && ok;
    h->steady.merge(one);
    h->steady_failed += failed;
    ok = read_histogram(object_at(hs, "failover"), one, failed) && ok;
    h->failover.merge(one);
    h->failover_failed += failed;
    if (!ok) out.errors.push_back(p.file + ": a latency histogram is malformed");

    // The same scenario and schedule: event k is the same event in every report.
    if (const json::array* events = array_at(p.doc, "events")) {
      for (std::size_t k = 0; k < events->size(); ++k) {
        const json::object* e = (*events)[k].if_object();
        if (!e) continue;
        if (k >= m.events.size()) {
          EventMetrics em;
          em.mark.upstream = text_at(*e, "upstream");
          em.mark.action = text_at(*e, "action");
          em.mark.fault = text_at(*e, "fault");
          em.mark.disruptive = text_at(*e, "kind") == "disruptive";
          em.mark.at = ms_at(*e, "at_ms");
          em.mark.scheduled = ms_at(*e, "scheduled_ms");
          em.mark.source = text_at(*e, "source");
          m.events.push_back(std::move(em));
        }
        EventMetrics& em = m.events[k];
        em.failed += count_at(*e, "failed");
        add_counts(object_at(*e, "errors"), em.errors);
        if (const auto f = opt_ms_at(*e, "first_failure_ms"))
          em.first_failure = em.first_failure ? std::min(*em.first_failure, *f) : *f;
        if (const auto l = opt_ms_at(*e, "last_failure_ms"))
          em.last_failure = em.last_failure ? std::max(*em.last_failure, *l) : *l;
      }
    }
    if (const json::array* buckets = array_at(p.doc, "buckets")) {
      for (std::size_t k = 0; k < buckets->size(); ++k) {
        const json::object* b = (*buckets)[k].if_object();
        if (!b) continue;
        if (k >= m.buckets.size()) m.buckets.push_back(BucketRow{.start = ms_at(*b, "start_ms")});
        BucketRow& row = m.buckets[k];
        row.ended += count_at(*b, "ended");
        row.s2xx += count_at(*b, "2xx");
        row.s3xx += count_at(*b, "3xx");
        row.s4xx += count_at(*b, "4xx");
        row.s5xx += count_at(*b, "5xx");
        row.other += count_at(*b, "other");
        row.errors += count_at(*b, "errors");
        row.p99 = std::max(row.p99, ms_at(*b, "p99_ms"));  // a bound: the worst agent's
      }
    }
    for (const json::value& w :
         array_at(p.doc, "warnings") ? *array_at(p.doc, "warnings") : json::array{})
      if (w.is_string())
        r.warnings.push_back("agent " + std::to_string(p.index) + ": " +
                             std::string(w.as_string()));
    if (const json::value* i = p.doc.if_contains("interrupted"); i && i->is_bool() && i->as_bool())
      r.interrupted = true;
    if (const std::string exit = text_at(p.doc, "proxy_exit");
        !exit.empty() && r.proxy_exit.empty())
      r.proxy_exit = exit;
  }
  if (!out.errors.empty()) return out;

  Totals& t = m.totals;
  const double seconds = std::chrono::duration<double>(t.elapsed).count();
  t.throughput = seconds > 0 ? static_cast<double>(t.responses) / seconds : 0;
  m.bookkeeping.sent_matches = sent_matches && t.sent == t.responses + t.transport_errors;
  m.all = summary(h->all, h->all_failed);
  m.steady = summary(h->steady, h->steady_failed);
  m.failover = summary(h->failover, h->failover_failed);
  m.histograms = std::move(h);
  std::vector<std::pair<Nanos, Nanos>> windows;
  for (EventMetrics& e : m.events) {
    if (!e.mark.disruptive) continue;
    if (e.last_failure && e.first_failure) {
      e.time_to_detect = *e.last_failure - e.mark.at;
      e.error_window = *e.last_failure - *e.first_failure;
    }
    windows.emplace_back(std::max(Nanos{}, e.mark.at - r.config.margin),
                         std::max(e.mark.at, e.last_failure.value_or(e.mark.at)) + r.config.margin);
  }
  std::sort(windows.begin(), windows.end());
  for (const auto& w : windows) {
    if (!m.failover_windows.empty() && w.first <= m.failover_windows.back().second)
      m.failover_windows.back().second = std::max(m.failover_windows.back().second, w.second);
    else
      m.failover_windows.push_back(w);
  }
  return out;
}

}  // namespace bgw::bench
