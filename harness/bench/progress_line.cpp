#include "progress_line.hpp"

#include <algorithm>
#include <cstdio>

#include "harness/bench/bench_report.hpp"

namespace bgw::bench {

std::string ProgressLine::format(const load::Progress& p, Nanos duration, double rps) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "  %6.1fs / %.1fs  %8.0f req/s  sent %llu  failed %llu  p99 %s",
                std::chrono::duration<double>(p.at).count(),
                std::chrono::duration<double>(duration).count(), rps,
                static_cast<unsigned long long>(p.sent), static_cast<unsigned long long>(p.failed),
                human(Nanos(static_cast<Nanos::rep>(p.p99_ns_last_interval))).c_str());
  return buf;
}

void ProgressLine::update(const load::Progress& p) {
  const double dt = std::chrono::duration<double>(p.at - last_at_).count();
  const double rps =
      dt > 0 ? static_cast<double>(p.completed - std::min(p.completed, last_completed_)) / dt : 0;
  last_at_ = p.at;
  last_completed_ = p.completed;
  if (!enabled_) return;
  out_ << "\r" << format(p, duration_, rps) << "\x1b[K" << std::flush;
  shown_ = true;
}

void ProgressLine::clear() {
  if (!enabled_ || !shown_) return;
  out_ << "\r\x1b[K" << std::flush;
  shown_ = false;
}

}  // namespace bgw::bench
