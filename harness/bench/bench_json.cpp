// The JSON report of a bench run, schema badgateway.bench/1 (docs/bench.md), through Boost.JSON.
#include <boost/json.hpp>

#include <type_traits>

#include "bgw_version.hpp"
#include "harness/bench/bench_report.hpp"
#include "harness/run/result_json.hpp"
#include "harness/text/escape.hpp"
#include "harness/text/time_text.hpp"
#include "simulator/json_text.hpp"

namespace bgw::bench {
namespace {

namespace json = boost::json;
using run::ms_value;
using run::text_value;

json::value opt_ms(const std::optional<Nanos>& d) {
  if (!d) return nullptr;
  return ms_value(*d);
}

// Rates to the thousandth, as the console shows them.
double rounded(double v) {
  return static_cast<double>(static_cast<long long>(v * 1000.0 + (v < 0 ? -0.5 : 0.5))) / 1000.0;
}

template <class Map>
json::object counts(const Map& m) {
  json::object out;
  for (const auto& [k, n] : m) {
    if constexpr (std::is_same_v<typename Map::key_type, int>)
      out[std::to_string(k)] = n;
    else
      out[text::valid_utf8(k)] = n;
  }
  return out;
}

json::object latency(const LatencySummary& s) {
  return {{"count", s.count},
          {"failed", s.failed},
          {"p50_ms", ms_value(s.p50)},
          {"p99_ms", ms_value(s.p99)},
          {"max_ms", ms_value(s.max)}};
}

// A histogram as its non-empty buckets, [[index, count], ...], with the exact extremes and sum:
// what `bench merge` adds up (load::Histogram::restore).
json::object histogram(const load::Histogram& h, std::uint64_t failed) {
  json::array buckets;
  for (const auto& [i, n] : h.nonzero()) buckets.push_back(json::array{i, n});
  return {{"count", h.count()},
          {"failed", failed},
          {"min_ns", h.min()},
          {"max_ns", h.max()},
          {"sum_ns", static_cast<double>(h.sum())},
          {"buckets", std::move(buckets)}};
}

json::value text_or_null(const std::string& s) {
  if (s.empty()) return nullptr;
  return text_value(s);
}

}  // namespace

void write_json(const BenchReport& r, std::ostream& out) {
  const BenchMetrics& m = r.metrics;
  const Totals& t = m.totals;
  const BenchConfig& c = r.config;

  json::array windows;
  for (const auto& [from, to] : m.failover_windows)
    windows.push_back(json::object{{"from_ms", ms_value(from)}, {"to_ms", ms_value(to)}});
  json::array events;
  for (const EventMetrics& e : m.events) {
    events.push_back(json::object{{"upstream", text_value(e.mark.upstream)},
                                  {"action", text_value(e.mark.action)},
                                  {"fault", text_or_null(e.mark.fault)},
                                  {"kind", e.mark.disruptive ? "disruptive" : "recovery"},
                                  {"at_ms", ms_value(e.mark.at)},
                                  {"scheduled_ms", ms_value(e.mark.scheduled)},
                                  {"source", text_value(e.mark.source)},
                                  {"failed", e.failed},
                                  {"first_failure_ms", opt_ms(e.first_failure)},
                                  {"last_failure_ms", opt_ms(e.last_failure)},
                                  {"time_to_detect_ms", opt_ms(e.time_to_detect)},
                                  {"error_window_ms", opt_ms(e.error_window)},
                                  {"time_to_recover_ms", opt_ms(e.time_to_recover)},
                                  {"errors", counts(e.errors)}});
  }
  json::array upstreams;
  for (const UpstreamMetrics& u : m.upstreams)
    upstreams.push_back(json::object{{"name", text_value(u.name)},
                                     {"requests", u.requests},
                                     {"served", u.served},
                                     {"unidentified", u.unidentified},
                                     {"connections", u.connections}});
  const Duplicates& d = m.duplicates;
  json::array examples;
  for (const auto& ex : d.examples) {
    json::array names;
    for (const auto& u : ex.upstreams) names.push_back(text_value(u));
    examples.push_back(json::object{{"id", ex.id}, {"upstreams", std::move(names)}});
  }
  json::array buckets;
  for (const BucketRow& b : m.buckets)
    buckets.push_back(json::object{{"start_ms", ms_value(b.start)},
                                   {"ended", b.ended},
                                   {"2xx", b.s2xx},
                                   {"3xx", b.s3xx},
                                   {"4xx", b.s4xx},
                                   {"5xx", b.s5xx},
                                   {"other", b.other},
                                   {"errors", b.errors},
                                   {"p99_ms", ms_value(b.p99)}});
  json::array warnings;
  for (const auto& w : r.warnings) warnings.push_back(text_value(w));

  json::object doc{{"schema", "badgateway.bench/1"},
                   {"badgateway_version", std::string(bgw::version)},
                   {"scenario", json::object{{"name", text_value(r.scenario)},
                                             {"file", text_value(r.file)},
                                             {"description", text_value(r.description)}}},
                   {"proxy", json::object{{"name", text_value(r.proxy)},
                                          {"version", text_value(r.proxy_version)}}},
                   {"started", text::iso8601_utc(r.started)},
                   {"config", json::object{{"duration_ms", ms_value(c.duration)},
                                           {"connections", c.connections},
                                           {"rate", rounded(c.rate)},
                                           {"warmup_ms", ms_value(c.warmup)},
                                           {"method", text_value(c.method)},
                                           {"target", text_value(c.target)},
                                           {"request_timeout_ms", ms_value(c.request_timeout)},
                                           {"bucket_ms", ms_value(c.bucket)},
                                           {"margin_ms", ms_value(c.margin)},
                                           {"threads", c.threads}}},
                   {"totals", json::object{{"sent", t.sent},
                                           {"responses", t.responses},
                                           {"transport_errors", t.transport_errors},
                                           {"failed", t.failed},
                                           {"records", t.records},
                                           {"connects", t.connects},
                                           {"elapsed_ms", ms_value(t.elapsed)},
                                           {"throughput_rps", rounded(t.throughput)},
                                           {"statuses", counts(t.statuses)},
                                           {"errors", counts(t.errors)}}},
                   {"bookkeeping",
                    json::object{{"sent_matches", m.bookkeeping.sent_matches},
                                 {"served_without_delivery", m.bookkeeping.served_without_delivery},
                                 {"failed_after_delivery", m.bookkeeping.failed_after_delivery}}},
                   {"latency", json::object{{"steady", latency(m.steady)},
                                            {"failover", latency(m.failover)},
                                            {"all", latency(m.all)},
                                            {"failover_windows", std::move(windows)}}},
                   {"events", std::move(events)},
                   {"upstreams", std::move(upstreams)},
                   {"duplicates", json::object{{"requests", d.requests},
                                               {"across_upstreams", d.across_upstreams},
                                               {"same_upstream", d.same_upstream},
                                               {"extra_deliveries", d.extra_deliveries},
                                               {"examples", std::move(examples)}}},
                   {"buckets", std::move(buckets)},
                   {"proxy_exit", text_or_null(r.proxy_exit)},
                   {"warnings", std::move(warnings)},
                   {"run_dir", text_value(r.run_dir)},
                   {"interrupted", r.interrupted}};
  if (r.agent) {
    const auto start_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(r.agent->start_at.time_since_epoch())
            .count();
    doc["agent"] = json::object{{"index", r.agent->index},
                                {"count", r.agent->count},
                                {"start_at", text::iso8601_utc(r.agent->start_at)},
                                {"start_at_unix_ms", start_ms}};
  }
  if ((r.agent || !r.merged_from.empty()) && m.histograms) {
    const LatencyHistograms& h = *m.histograms;
    doc["histograms"] = json::object{{"all", histogram(h.all, h.all_failed)},
                                     {"steady", histogram(h.steady, h.steady_failed)},
                                     {"failover", histogram(h.failover, h.failover_failed)}};
  }
  if (!r.merged_from.empty()) {
    json::array files;
    for (const auto& f : r.merged_from) files.push_back(text_value(f));
    doc["merged_from"] = std::move(files);
  }
  out << sim::json_text(doc) << "\n";
}

}  // namespace bgw::bench
