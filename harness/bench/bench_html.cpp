// The HTML report of a bench run: one self-contained page (inline CSS and SVG, no script, no
// external resource) with the timeline and the metric tables. Every text is escaped.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "bgw_version.hpp"
#include "harness/bench/bench_report.hpp"
#include "harness/text/escape.hpp"
#include "simulator/units.hpp"

namespace bgw::bench {
namespace {

// Names, descriptions and reasons come from files and proxies: escaped, valid UTF-8 kept.
std::string esc(std::string_view s) {
  return text::html_text(s);
}

std::string num(double v, int decimals = 1) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

double seconds(Nanos d) {
  return std::chrono::duration<double>(d).count();
}

double millis(Nanos d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

// A "nice" step (1, 2 or 5 times a power of ten) that splits `range` into about `parts`.
double nice_step(double range, int parts) {
  if (range <= 0) return 1;
  const double raw = range / parts;
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double f : {1.0, 2.0, 5.0, 10.0}) {
    if (f * p >= raw) return f * p;
  }
  return 10 * p;
}

std::string opt(const std::optional<Nanos>& d) {
  return d ? esc(human(*d)) : "&ndash;";
}

std::string counts_text(const std::map<std::string, std::uint64_t>& m) {
  std::string out;
  for (const auto& [k, n] : m) out += (out.empty() ? "" : ", ") + k + " " + std::to_string(n);
  return out.empty() ? "none" : out;
}

struct Series {
  const char* name;
  const char* color;
  std::uint64_t BucketRow::*field;
};

constexpr Series series[] = {
    {"2xx", "#43a047", &BucketRow::s2xx},    {"3xx", "#1e88e5", &BucketRow::s3xx},
    {"4xx", "#fb8c00", &BucketRow::s4xx},    {"5xx", "#e53935", &BucketRow::s5xx},
    {"other", "#9e9e9e", &BucketRow::other}, {"no response", "#6a1b9a", &BucketRow::errors},
};

void timeline_svg(const BenchReport& r, std::ostream& out) {
  const BenchMetrics& m = r.metrics;
  constexpr double W = 1000, H = 400, left = 64, right = 72, top = 40, bottom = 44;
  const double pw = W - left - right, ph = H - top - bottom;
  const double bucket_s = seconds(r.config.bucket);
  double span =
      std::max(seconds(r.config.duration), bucket_s * static_cast<double>(m.buckets.size()));
  for (const auto& e : m.events) span = std::max(span, seconds(e.mark.at));
  if (span <= 0) span = 1;
  double max_rps = 0, max_p99 = 0;
  for (const auto& b : m.buckets) {
    max_rps = std::max(max_rps, static_cast<double>(b.ended) / bucket_s);
    max_p99 = std::max(max_p99, millis(b.p99));
  }
  const double rps_step = nice_step(std::max(max_rps, 1.0), 5);
  const double rps_top = std::max(rps_step, std::ceil(max_rps / rps_step) * rps_step);
  const double p99_step = nice_step(std::max(max_p99, 0.001), 5);
  const double p99_top = std::max(p99_step, std::ceil(max_p99 / p99_step) * p99_step);
  auto x = [&](double s) { return left + pw * s / span; };
  auto y_rps = [&](double v) { return top + ph - ph * v / rps_top; };
  auto y_p99 = [&](double v) { return top + ph - ph * v / p99_top; };

  out << "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " << W << " " << H
      << "\" width=\"" << W << "\" height=\"" << H
      << "\" role=\"img\" aria-label=\"requests per second by outcome, p99 latency and timeline "
         "events over time\">\n";
  out << "<rect x=\"0\" y=\"0\" width=\"" << W << "\" height=\"" << H << "\" fill=\"#fff\"/>\n";
  // Failover windows behind everything.
  for (const auto& [from, to] : m.failover_windows) {
    const double x0 = x(std::max(0.0, seconds(from))), x1 = x(std::min(span, seconds(to)));
    out << "<rect class=\"window\" x=\"" << num(x0) << "\" y=\"" << top << "\" width=\""
        << num(std::max(0.0, x1 - x0)) << "\" height=\"" << ph
        << "\"><title>failover window (error window &#177; margin): " << esc(human(from))
        << " &#8211; " << esc(human(to)) << "</title></rect>\n";
  }
  // Grid and axes.
  for (double v = 0; v <= rps_top + 1e-9; v += rps_step) {
    out << "<line class=\"grid\" x1=\"" << left << "\" x2=\"" << left + pw << "\" y1=\""
        << num(y_rps(v)) << "\" y2=\"" << num(y_rps(v)) << "\"/>"
        << "<text class=\"tick\" x=\"" << left - 6 << "\" y=\"" << num(y_rps(v) + 4)
        << "\" text-anchor=\"end\">" << num(v, rps_step < 1 ? 1 : 0) << "</text>\n";
  }
  for (double v = 0; v <= p99_top + 1e-9; v += p99_step) {
    out << "<text class=\"tick p99\" x=\"" << left + pw + 6 << "\" y=\"" << num(y_p99(v) + 4)
        << "\">" << num(v, p99_step < 1 ? (p99_step < 0.1 ? 2 : 1) : 0) << "</text>\n";
  }
  const double x_step = nice_step(span, 10);
  for (double s = 0; s <= span + 1e-9; s += x_step) {
    out << "<line class=\"axis\" x1=\"" << num(x(s)) << "\" x2=\"" << num(x(s)) << "\" y1=\""
        << top + ph << "\" y2=\"" << top + ph + 5 << "\"/><text class=\"tick\" x=\"" << num(x(s))
        << "\" y=\"" << top + ph + 18 << "\" text-anchor=\"middle\">" << num(s, x_step < 1 ? 1 : 0)
        << "s</text>\n";
  }
  out << "<text class=\"label\" x=\"" << left - 48 << "\" y=\"" << top + ph / 2
      << "\" transform=\"rotate(-90 " << left - 48 << " " << top + ph / 2
      << ")\" text-anchor=\"middle\">requests/s (by end time)</text>\n";
  out << "<text class=\"label p99\" x=\"" << W - 14 << "\" y=\"" << top + ph / 2
      << "\" transform=\"rotate(90 " << W - 14 << " " << top + ph / 2
      << ")\" text-anchor=\"middle\">p99 latency (ms)</text>\n";
  out << "<text class=\"label\" x=\"" << left + pw / 2 << "\" y=\"" << H - 6
      << "\" text-anchor=\"middle\">time since the start of the load</text>\n";

  // Stacked bars, one per bucket, with a tooltip.
  const double bw = std::max(0.5, pw * bucket_s / span - 0.5);
  for (const auto& b : m.buckets) {
    if (b.ended == 0) continue;
    const double bx = x(seconds(b.start));
    double acc = 0;
    std::string tip = esc(human(b.start)) + ": " + std::to_string(b.ended) + " ended";
    for (const auto& s : series) {
      const std::uint64_t n = b.*(s.field);
      if (n == 0) continue;
      tip += ", " + std::to_string(n) + " " + s.name;
    }
    tip += "; p99 " + esc(human(b.p99));
    out << "<g><title>" << tip << "</title>";
    for (const auto& s : series) {
      const std::uint64_t n = b.*(s.field);
      if (n == 0) continue;
      const double v = static_cast<double>(n) / bucket_s;
      const double y0 = y_rps(acc + v), y1 = y_rps(acc);
      out << "<rect x=\"" << num(bx, 2) << "\" y=\"" << num(y0, 2) << "\" width=\"" << num(bw, 2)
          << "\" height=\"" << num(std::max(0.0, y1 - y0), 2) << "\" fill=\"" << s.color << "\"/>";
      acc += v;
    }
    out << "</g>\n";
  }
  // The p99 line, broken where a bucket saw no request end (nothing to measure there).
  std::string points;
  int count = 0;
  double last_x = 0, last_y = 0;
  auto flush = [&] {
    if (count == 1)  // a lone bucket: a dot, since a one-point line draws nothing
      out << "<circle class=\"p99dot\" cx=\"" << num(last_x, 2) << "\" cy=\"" << num(last_y, 2)
          << "\" r=\"2\"/>\n";
    else if (count > 1)
      out << "<polyline class=\"p99line\" points=\"" << points << "\"/>\n";
    points.clear();
    count = 0;
  };
  for (const auto& b : m.buckets) {
    if (b.ended == 0) {
      flush();
      continue;
    }
    last_x = x(seconds(b.start) + bucket_s / 2);
    last_y = y_p99(millis(b.p99));
    points += num(last_x, 2) + "," + num(last_y, 2) + " ";
    ++count;
  }
  flush();
  // Events: vertical lines with labels, staggered so neighbours do not overlap.
  for (std::size_t i = 0; i < m.events.size(); ++i) {
    const auto& e = m.events[i];
    const double ex = x(seconds(e.mark.at));
    const double ly = top - 22 + 11 * static_cast<double>(i % 2);
    std::string label = e.mark.upstream + " " + e.mark.action;
    if (!e.mark.fault.empty()) label += " " + e.mark.fault;
    out << "<g class=\"" << (e.mark.disruptive ? "event bad" : "event good") << "\"><title>"
        << esc(label) << " at " << esc(human(e.mark.at)) << " (" << esc(e.mark.source)
        << ")</title><line x1=\"" << num(ex, 2) << "\" x2=\"" << num(ex, 2) << "\" y1=\"" << ly + 3
        << "\" y2=\"" << top + ph << "\"/><text x=\"" << num(ex + 3, 2) << "\" y=\"" << ly << "\">"
        << esc(label) << "</text></g>\n";
  }
  out << "<rect class=\"frame\" x=\"" << left << "\" y=\"" << top << "\" width=\"" << pw
      << "\" height=\"" << ph << "\"/>\n";
  out << "</svg>\n";
  out << "<p class=\"legend\">";
  for (const auto& s : series)
    out << "<span><i style=\"background:" << s.color << "\"></i>" << esc(s.name) << "</span>";
  out << "<span><i class=\"line\"></i>p99 latency (right axis)</span>"
         "<span><i class=\"win\"></i>failover window</span>"
         "<span><i class=\"bad\"></i>disruptive event</span>"
         "<span><i class=\"good\"></i>recovery event</span></p>\n";
}

void latency_row(std::ostream& out, const char* label, const LatencySummary& s) {
  out << "<tr><th>" << label << "</th><td>" << s.count << "</td><td>" << s.failed << "</td>";
  if (s.count == 0) {
    out << "<td>&ndash;</td><td>&ndash;</td><td>&ndash;</td></tr>\n";
    return;
  }
  out << "<td>" << esc(human(s.p50)) << "</td><td>" << esc(human(s.p99)) << "</td><td>"
      << esc(human(s.max)) << "</td></tr>\n";
}

}  // namespace

void write_html(const BenchReport& r, std::ostream& out) {
  const BenchMetrics& m = r.metrics;
  const Totals& t = m.totals;
  const BenchConfig& c = r.config;
  const std::string title = "badgateway bench: " + r.scenario + " → " + r.proxy;
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<title>"
      << esc(title) << "</title>\n<style>\n"
      << "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px;"
         "color:#222;max-width:1040px}\n"
         "h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}\n"
         "p.sub{color:#555;margin:0 0 12px}\n"
         "table{border-collapse:collapse;margin:4px 0 12px}th,td{border:1px solid #ddd;"
         "padding:3px 8px;text-align:right}th{background:#f5f5f5}td.l,th.l{text-align:left}\n"
         "svg{max-width:100%;height:auto;font-size:11px}\n"
         "svg .grid{stroke:#eee}svg .axis{stroke:#999}svg .frame{fill:none;stroke:#bbb}\n"
         "svg .tick{fill:#555}svg .label{fill:#333;font-size:12px}svg .p99{fill:#111}\n"
         "svg .window{fill:#fff3c4}svg .p99line{fill:none;stroke:#111;stroke-width:1.6}"
         "svg .p99dot{fill:#111}\n"
         "svg .event line{stroke-width:1.5;stroke-dasharray:5 3}svg .event text{font-size:11px}\n"
         "svg .bad line{stroke:#c62828}svg .bad text{fill:#c62828}\n"
         "svg .good line{stroke:#2e7d32}svg .good text{fill:#2e7d32}\n"
         ".legend span{margin-right:14px;white-space:nowrap}.legend i{display:inline-block;"
         "width:12px;height:12px;margin-right:4px;vertical-align:-1px}\n"
         ".legend i.line{height:2px;background:#111;vertical-align:3px}"
         ".legend i.win{background:#fff3c4;border:1px solid #e0d090}"
         ".legend i.bad{width:2px;background:#c62828}.legend i.good{width:2px;background:#2e7d32}\n"
         ".warn{color:#b71c1c}code{background:#f5f5f5;padding:0 3px}\n"
         "</style>\n</head>\n<body>\n";
  out << "<h1>" << esc(title) << "</h1>\n";
  out << "<p class=\"sub\">" << esc(r.description) << "<br>" << esc(r.file) << " &middot; "
      << esc(r.proxy) << (r.proxy_version.empty() ? "" : " " + esc(r.proxy_version)) << " &middot; "
      << esc(sim::format_duration(c.duration)) << ", " << c.connections << " connections, "
      << (c.rate > 0 ? num(c.rate, 0) + " requests/s (open loop)" : std::string("closed loop"))
      << ", <code>" << esc(c.method) << " " << esc(c.target) << "</code> &middot; badgateway "
      << bgw::version << "</p>\n";
  if (!r.proxy_exit.empty())
    out << "<p class=\"warn\">The proxy died during the load: " << esc(r.proxy_exit) << "</p>\n";
  if (r.interrupted)
    out << "<p class=\"warn\">Interrupted: the figures cover only part of the run.</p>\n";
  for (const auto& w : r.warnings) out << "<p class=\"warn\">" << esc(w) << "</p>\n";

  out << "<h2>Timeline</h2>\n";
  timeline_svg(r, out);

  out << "<h2>Totals</h2>\n<table>\n<tr><th>sent</th><th>responses</th><th>transport "
         "errors</th><th>failed (errors + 5xx)</th><th>responses/s</th><th>client "
         "connections</th></tr>\n<tr><td>"
      << t.sent << "</td><td>" << t.responses << "</td><td>" << t.transport_errors << "</td><td>"
      << t.failed << "</td><td>" << num(t.throughput) << "</td><td>" << t.connects
      << "</td></tr>\n</table>\n";
  out << "<table>\n<tr><th class=\"l\">statuses</th><td class=\"l\">";
  bool first = true;
  for (const auto& [status, n] : t.statuses) {
    out << (first ? "" : ", ") << status << " &times;" << n;
    first = false;
  }
  if (first) out << "none";
  out << "</td></tr>\n<tr><th class=\"l\">failures by kind</th><td class=\"l\">"
      << esc(counts_text(t.errors)) << "</td></tr>\n</table>\n";

  out << "<h2>Latency</h2>\n<table>\n<tr><th class=\"l\"></th><th>requests</th><th>failed</th>"
         "<th>p50</th><th>p99</th><th>max</th></tr>\n";
  latency_row(out, "steady state (before the first event)", m.steady);
  latency_row(out, "around failover (error windows &#177; margin)", m.failover);
  latency_row(out, "whole run", m.all);
  out << "</table>\n";

  if (!m.events.empty()) {
    out << "<h2>Events</h2>\n<table>\n<tr><th>at</th><th class=\"l\">event</th><th>failed</th>"
           "<th>time to detect</th><th>error window</th><th>first &#8211; last failure</th>"
           "<th>time to recover</th><th class=\"l\">failures by kind</th><th "
           "class=\"l\">source</th></tr>\n";
    for (const auto& e : m.events) {
      std::string what = e.mark.upstream + " " + e.mark.action;
      if (!e.mark.fault.empty()) what += " " + e.mark.fault;
      out << "<tr><td>" << esc(human(e.mark.at)) << "</td><td class=\"l\">" << esc(what) << "</td>";
      if (e.mark.disruptive) {
        out << "<td>" << e.failed << "</td><td>" << opt(e.time_to_detect) << "</td><td>"
            << opt(e.error_window) << "</td><td>"
            << (e.first_failure ? opt(e.first_failure) + " &#8211; " + opt(e.last_failure)
                                : std::string("&ndash;"))
            << "</td><td>&ndash;</td><td class=\"l\">"
            << esc(e.errors.empty() ? std::string("none") : counts_text(e.errors)) << "</td>";
      } else {
        out << "<td>&ndash;</td><td>&ndash;</td><td>&ndash;</td><td>&ndash;</td><td>"
            << (e.time_to_recover ? esc(human(*e.time_to_recover)) : "not recovered")
            << "</td><td class=\"l\"></td>";
      }
      out << "<td class=\"l\">" << esc(e.mark.source) << "</td></tr>\n";
    }
    out << "</table>\n";
  }

  out << "<h2>Upstreams</h2>\n<table>\n<tr><th class=\"l\">upstream</th><th>requests "
         "read</th><th>served (last delivery of a good response)</th><th>without a request "
         "id</th><th>connections</th></tr>\n";
  for (const auto& u : m.upstreams) {
    out << "<tr><td class=\"l\">" << esc(u.name) << "</td><td>" << u.requests << "</td><td>"
        << u.served << "</td><td>" << u.unidentified << "</td><td>" << u.connections
        << "</td></tr>\n";
  }
  out << "</table>\n";
  const Duplicates& d = m.duplicates;
  out << "<h2>Duplicate deliveries</h2>\n<p>" << d.requests
      << " request(s) reached an upstream more than once: " << d.across_upstreams
      << " on two or more upstreams, " << d.same_upstream << " on the same upstream twice ("
      << d.extra_deliveries << " extra deliveries).</p>\n";
  if (!d.examples.empty()) {
    out << "<table>\n<tr><th>X-Bgw-Request</th><th class=\"l\">delivered to, in order</th></tr>\n";
    for (const auto& ex : d.examples) {
      std::string list;
      for (const auto& u : ex.upstreams) list += (list.empty() ? "" : " → ") + u;
      out << "<tr><td>" << ex.id << "</td><td class=\"l\">" << esc(list) << "</td></tr>\n";
    }
    out << "</table>\n";
  }
  const Bookkeeping& b = m.bookkeeping;
  out << "<h2>Bookkeeping</h2>\n<p>sent " << (b.sent_matches ? "=" : "&ne;")
      << " responses + transport errors; " << b.served_without_delivery
      << " good responses that no upstream read; " << b.failed_after_delivery
      << " failed requests that an upstream had read.</p>\n";
  out << "<p class=\"sub\">Buckets of " << esc(human(c.bucket))
      << " by the time each request ended; failures belong to the latest disruptive event "
         "before they ended; failover windows extend each error window by "
      << esc(human(c.margin)) << ". Schema and definitions: docs/bench.md.</p>\n";
  if (!r.run_dir.empty()) out << "<p class=\"sub\">Run directory: " << esc(r.run_dir) << "</p>\n";
  out << "</body>\n</html>\n";
}

}  // namespace bgw::bench
