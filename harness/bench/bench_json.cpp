// The JSON report of a bench run, schema badgateway.bench/1 (docs/bench.md).
#include <ctime>

#include "bgw_version.hpp"
#include "harness/bench/bench_report.hpp"
#include "harness/text/escape.hpp"
#include "harness/text/time_text.hpp"
#include "simulator/journal.hpp"
#include "simulator/units.hpp"

namespace bgw::bench {
namespace {

std::string str(const std::string& s) {
  return text::json_text(s);  // names, descriptions, reasons: UTF-8 text
}

std::string ms(Nanos d) {
  return sim::format_ms(d);
}

std::string opt_ms(const std::optional<Nanos>& d) {
  return d ? ms(*d) : "null";
}

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

std::string iso8601(std::chrono::system_clock::time_point t) {
  return text::iso8601_utc(t);
}

template <class Map>
std::string counts(const Map& m) {
  std::string out = "{";
  for (const auto& [k, n] : m) {
    if (out.size() > 1) out += ",";
    if constexpr (std::is_same_v<typename Map::key_type, int>)
      out += "\"" + std::to_string(k) + "\":" + std::to_string(n);
    else
      out += str(k) + ":" + std::to_string(n);
  }
  return out + "}";
}

std::string latency(const LatencySummary& s) {
  return "{\"count\":" + std::to_string(s.count) + ",\"failed\":" + std::to_string(s.failed) +
         ",\"p50_ms\":" + ms(s.p50) + ",\"p99_ms\":" + ms(s.p99) + ",\"max_ms\":" + ms(s.max) + "}";
}

}  // namespace

void write_json(const BenchReport& r, std::ostream& out) {
  const BenchMetrics& m = r.metrics;
  const Totals& t = m.totals;
  const BenchConfig& c = r.config;
  out << "{\"schema\":\"badgateway.bench/1\",\"badgateway_version\":"
      << str(std::string(bgw::version));
  out << ",\"scenario\":{\"name\":" << str(r.scenario) << ",\"file\":" << str(r.file)
      << ",\"description\":" << str(r.description) << "}";
  out << ",\"proxy\":{\"name\":" << str(r.proxy) << ",\"version\":" << str(r.proxy_version) << "}";
  out << ",\"started\":" << str(iso8601(r.started));
  out << ",\"config\":{\"duration_ms\":" << ms(c.duration) << ",\"connections\":" << c.connections
      << ",\"rate\":" << number(c.rate) << ",\"warmup_ms\":" << ms(c.warmup)
      << ",\"method\":" << str(c.method) << ",\"target\":" << str(c.target)
      << ",\"request_timeout_ms\":" << ms(c.request_timeout) << ",\"bucket_ms\":" << ms(c.bucket)
      << ",\"margin_ms\":" << ms(c.margin) << "}";
  out << ",\"totals\":{\"sent\":" << t.sent << ",\"responses\":" << t.responses
      << ",\"transport_errors\":" << t.transport_errors << ",\"failed\":" << t.failed
      << ",\"records\":" << t.records
      << ",\"records_truncated\":" << (t.records_truncated ? "true" : "false")
      << ",\"connects\":" << t.connects << ",\"elapsed_ms\":" << ms(t.elapsed)
      << ",\"throughput_rps\":" << number(t.throughput) << ",\"statuses\":" << counts(t.statuses)
      << ",\"errors\":" << counts(t.errors) << "}";
  out << ",\"bookkeeping\":{\"sent_matches\":" << (m.bookkeeping.sent_matches ? "true" : "false")
      << ",\"served_without_delivery\":" << m.bookkeeping.served_without_delivery
      << ",\"failed_after_delivery\":" << m.bookkeeping.failed_after_delivery << "}";
  out << ",\"latency\":{\"steady\":" << latency(m.steady) << ",\"failover\":" << latency(m.failover)
      << ",\"all\":" << latency(m.all) << ",\"failover_windows\":[";
  for (std::size_t i = 0; i < m.failover_windows.size(); ++i) {
    out << (i ? "," : "") << "{\"from_ms\":" << ms(m.failover_windows[i].first)
        << ",\"to_ms\":" << ms(m.failover_windows[i].second) << "}";
  }
  out << "]}";
  out << ",\"events\":[";
  for (std::size_t i = 0; i < m.events.size(); ++i) {
    const EventMetrics& e = m.events[i];
    out << (i ? "," : "") << "{\"upstream\":" << str(e.mark.upstream)
        << ",\"action\":" << str(e.mark.action)
        << ",\"fault\":" << (e.mark.fault.empty() ? "null" : str(e.mark.fault))
        << ",\"kind\":" << (e.mark.disruptive ? "\"disruptive\"" : "\"recovery\"")
        << ",\"at_ms\":" << ms(e.mark.at) << ",\"scheduled_ms\":" << ms(e.mark.scheduled)
        << ",\"source\":" << str(e.mark.source) << ",\"failed\":" << e.failed
        << ",\"first_failure_ms\":" << opt_ms(e.first_failure)
        << ",\"last_failure_ms\":" << opt_ms(e.last_failure)
        << ",\"time_to_detect_ms\":" << opt_ms(e.time_to_detect)
        << ",\"error_window_ms\":" << opt_ms(e.error_window)
        << ",\"time_to_recover_ms\":" << opt_ms(e.time_to_recover)
        << ",\"errors\":" << counts(e.errors) << "}";
  }
  out << "]";
  out << ",\"upstreams\":[";
  for (std::size_t i = 0; i < m.upstreams.size(); ++i) {
    const UpstreamMetrics& u = m.upstreams[i];
    out << (i ? "," : "") << "{\"name\":" << str(u.name) << ",\"requests\":" << u.requests
        << ",\"served\":" << u.served << ",\"unidentified\":" << u.unidentified
        << ",\"connections\":" << u.connections << "}";
  }
  out << "]";
  const Duplicates& d = m.duplicates;
  out << ",\"duplicates\":{\"requests\":" << d.requests
      << ",\"across_upstreams\":" << d.across_upstreams << ",\"same_upstream\":" << d.same_upstream
      << ",\"extra_deliveries\":" << d.extra_deliveries << ",\"examples\":[";
  for (std::size_t i = 0; i < d.examples.size(); ++i) {
    out << (i ? "," : "") << "{\"id\":" << d.examples[i].id << ",\"upstreams\":[";
    for (std::size_t j = 0; j < d.examples[i].upstreams.size(); ++j)
      out << (j ? "," : "") << str(d.examples[i].upstreams[j]);
    out << "]}";
  }
  out << "]}";
  out << ",\"buckets\":[";
  for (std::size_t i = 0; i < m.buckets.size(); ++i) {
    const BucketRow& b = m.buckets[i];
    out << (i ? "," : "") << "{\"start_ms\":" << ms(b.start) << ",\"ended\":" << b.ended
        << ",\"2xx\":" << b.s2xx << ",\"3xx\":" << b.s3xx << ",\"4xx\":" << b.s4xx
        << ",\"5xx\":" << b.s5xx << ",\"other\":" << b.other << ",\"errors\":" << b.errors
        << ",\"p99_ms\":" << ms(b.p99) << "}";
  }
  out << "]";
  out << ",\"proxy_exit\":" << (r.proxy_exit.empty() ? "null" : str(r.proxy_exit));
  out << ",\"warnings\":[";
  for (std::size_t i = 0; i < r.warnings.size(); ++i) out << (i ? "," : "") << str(r.warnings[i]);
  out << "],\"run_dir\":" << str(r.run_dir)
      << ",\"interrupted\":" << (r.interrupted ? "true" : "false") << "}\n";
}

}  // namespace bgw::bench
