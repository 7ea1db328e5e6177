#include "delivery_journal.hpp"

#include <cctype>
#include <cstdint>

namespace bgw::bench {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

}  // namespace

bool is_disruptive(const std::string& action) {
  return action == "crash" || action == "refuse" || action == "blackhole" || action == "set_fault";
}

std::optional<std::uint64_t> request_id(std::string_view head) {
  constexpr std::string_view name = "x-bgw-request";
  // Field lines start after a line break; the request line never carries the header.
  std::size_t pos = head.find('\n');
  while (pos != std::string_view::npos) {
    const std::string_view line = head.substr(pos + 1);
    const std::size_t end = line.find('\n');
    const std::string_view field = line.substr(0, end);
    if (field.size() > name.size() && iequals(field.substr(0, name.size()), name) &&
        field[name.size()] == ':') {
      std::string_view v = field.substr(name.size() + 1);
      while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
      while (!v.empty() && (v.back() == '\r' || v.back() == ' ' || v.back() == '\t'))
        v.remove_suffix(1);
      if (v.empty()) return std::nullopt;
      std::uint64_t id = 0;
      for (const char c : v) {
        if (c < '0' || c > '9') return std::nullopt;
        const auto digit = static_cast<std::uint64_t>(c - '0');
        if (id > (UINT64_MAX - digit) / 10) return std::nullopt;  // would overflow
        id = id * 10 + digit;
      }
      return id;
    }
    if (end == std::string_view::npos) break;
    pos = pos + 1 + end;
  }
  return std::nullopt;
}

void collect_deliveries(const std::vector<sim::Event>& events, std::size_t upstream,
                        sim::Clock::time_point origin, std::vector<Delivery>& out) {
  for (const sim::Event& e : events) {
    if (e.kind != sim::EventKind::request_head || e.at < origin) continue;
    out.push_back(Delivery{.upstream = upstream,
                           .id = request_id(e.detail).value_or(0),
                           .at = std::chrono::duration_cast<Nanos>(e.at - origin)});
  }
}

UpstreamJournalCounts journal_counts(const std::vector<sim::Event>& events,
                                     sim::Clock::time_point origin) {
  UpstreamJournalCounts c;
  for (const sim::Event& e : events) {
    if (e.kind == sim::EventKind::accepted && e.at >= origin) ++c.connections;
  }
  return c;
}

std::optional<Nanos> journaled_time(const std::vector<sim::Event>& events, std::string_view action,
                                    sim::Clock::time_point origin, Nanos scheduled) {
  sim::EventKind kind{};
  std::string_view mode;
  if (action == "crash") {
    kind = sim::EventKind::crashed;
  } else if (action == "restart") {
    kind = sim::EventKind::restarted;
  } else if (action == "refuse" || action == "blackhole" || action == "accept") {
    kind = sim::EventKind::listening;
    mode = action;
  } else {
    return std::nullopt;
  }
  // Timers never fire early: the event is the first matching entry at or after its schedule.
  const auto from = origin + scheduled;
  for (const sim::Event& e : events) {
    if (e.kind != kind || e.at < from) continue;
    if (!mode.empty() && e.detail != mode) continue;
    return std::chrono::duration_cast<Nanos>(e.at - origin);
  }
  return std::nullopt;
}

}  // namespace bgw::bench
