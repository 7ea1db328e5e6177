// The console summary of a bench run.
#include <cstdio>

#include "bgw_version.hpp"
#include "harness/bench/bench_report.hpp"
#include "simulator/units.hpp"

namespace bgw::bench {
namespace {

std::string fmt(const char* format, auto... args) {
  char buf[256];
  std::snprintf(buf, sizeof buf, format, args...);
  return buf;
}

std::string kinds(const std::map<std::string, std::uint64_t>& errors) {
  std::string out;
  for (const auto& [kind, n] : errors) {
    if (!out.empty()) out += ", ";
    out += kind + " " + std::to_string(n);
  }
  return out;
}

std::string load_shape(const BenchConfig& c) {
  std::string out = sim::format_duration(c.duration) + ", " + std::to_string(c.connections) +
                    " connection" + (c.connections == 1 ? "" : "s") + ", ";
  out += c.rate > 0 ? fmt("%g requests/s (open loop)", c.rate) : std::string("closed loop");
  out += ", " + c.method + " " + c.target + ", request timeout " +
         sim::format_duration(c.request_timeout);
  if (c.warmup > Nanos{}) out += ", warmup " + sim::format_duration(c.warmup);
  if (c.threads > 1) out += ", " + std::to_string(c.threads) + " client threads";
  return out;
}

void latency_row(std::ostream& out, const char* label, const LatencySummary& s) {
  if (s.count == 0) {
    out << fmt("    %-18s %9s\n", label, "-");
    return;
  }
  out << fmt("    %-18s %9llu %8llu %9s %9s %9s\n", label, static_cast<unsigned long long>(s.count),
             static_cast<unsigned long long>(s.failed), human(s.p50).c_str(), human(s.p99).c_str(),
             human(s.max).c_str());
}

std::string event_line(const EventMetrics& e) {
  std::string what = e.mark.upstream + " " + e.mark.action;
  if (!e.mark.fault.empty()) what += " " + e.mark.fault;
  std::string out = fmt("    %9s  %-26s ", human(e.mark.at).c_str(), what.c_str());
  if (e.mark.disruptive) {
    if (e.failed == 0) return out + "no failed request";
    out += std::to_string(e.failed) + " failed (" + kinds(e.errors) + "); detected after " +
           human(*e.time_to_detect) + "; error window " + human(*e.first_failure) + "–" +
           human(*e.last_failure) + " (" + human(*e.error_window) + ")";
    return out;
  }
  if (e.time_to_recover)
    return out + "recovered after " + human(*e.time_to_recover) + " (first good request read by " +
           e.mark.upstream + ")";
  return out + "not recovered: " + e.mark.upstream + " served no good request afterwards";
}

}  // namespace

std::string human(Nanos d) {
  const double ms = static_cast<double>(d.count()) / 1e6;
  const double a = ms < 0 ? -ms : ms;
  if (a < 1) return fmt("%.0fus", ms * 1000);
  if (a < 10) return fmt("%.2fms", ms);
  if (a < 1000) return fmt("%.1fms", ms);
  return fmt("%.3fs", ms / 1000);
}

void write_console(const BenchReport& r, std::ostream& out) {
  const BenchMetrics& m = r.metrics;
  const Totals& t = m.totals;
  out << "badgateway bench " << r.scenario << " -> " << r.proxy
      << (r.proxy_version.empty() ? "" : " " + r.proxy_version) << " (badgateway " << bgw::version
      << ")\n";
  out << "  load: " << load_shape(r.config) << "\n";
  const double failed_pct =
      t.sent ? 100.0 * static_cast<double>(t.failed) / static_cast<double>(t.sent) : 0;
  out << fmt(
      "  sent %llu, responses %llu, transport errors %llu, failed %llu (%.2f%%); "
      "%.1f responses/s\n",
      static_cast<unsigned long long>(t.sent), static_cast<unsigned long long>(t.responses),
      static_cast<unsigned long long>(t.transport_errors),
      static_cast<unsigned long long>(t.failed), failed_pct, t.throughput);
  std::string statuses;
  for (const auto& [status, n] : t.statuses) {
    if (!statuses.empty()) statuses += ", ";
    statuses += std::to_string(status) + " x" + std::to_string(n);
  }
  out << "  statuses: " << (statuses.empty() ? "none" : statuses) << "\n";
  out << "  errors: " << (t.errors.empty() ? "none" : kinds(t.errors)) << "\n";

  out << fmt("  latency %21s %8s %9s %9s %9s\n", "requests", "failed", "p50", "p99", "max");
  latency_row(out, "steady state", m.steady);
  latency_row(out, "around failover", m.failover);
  latency_row(out, "whole run", m.all);

  if (!m.events.empty()) {
    out << "  timeline (t = 0 is the start of the load)\n";
    for (const auto& e : m.events) out << event_line(e) << "\n";
  }
  out << fmt("  %-20s %9s %9s %12s\n", "upstreams", "requests", "served", "connections");
  for (const auto& u : m.upstreams) {
    out << fmt(
        "    %-18s %9llu %9llu %12llu", u.name.c_str(), static_cast<unsigned long long>(u.requests),
        static_cast<unsigned long long>(u.served), static_cast<unsigned long long>(u.connections));
    if (u.unidentified) out << "  (" << u.unidentified << " without a request id)";
    out << "\n";
  }
  const Duplicates& d = m.duplicates;
  if (d.requests == 0) {
    out << "  duplicates: none (no request reached an upstream twice)\n";
  } else {
    out << "  duplicates: " << d.requests << " request" << (d.requests == 1 ? "" : "s")
        << " reached an upstream more than once (" << d.across_upstreams
        << " on two or more upstreams, " << d.same_upstream << " on the same one twice)";
    if (!d.examples.empty()) {
      out << "; e.g. #" << d.examples.front().id << ":";
      for (const auto& u : d.examples.front().upstreams) out << " " << u;
    }
    out << "\n";
  }
  const Bookkeeping& b = m.bookkeeping;
  out << "  bookkeeping: sent " << (b.sent_matches ? "=" : "!=")
      << " responses + transport errors; " << b.served_without_delivery
      << " good responses no upstream read; " << b.failed_after_delivery
      << " failed requests an upstream had read\n";
  if (!r.proxy_exit.empty()) out << "  the proxy died during the load: " << r.proxy_exit << "\n";
  for (const auto& w : r.warnings) out << "  warning: " << w << "\n";
  if (r.interrupted) out << "  interrupted: the figures cover only part of the run\n";
  if (!r.run_dir.empty()) out << "  run directory: " << r.run_dir << "\n";
}

}  // namespace bgw::bench
