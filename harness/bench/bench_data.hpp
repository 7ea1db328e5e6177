// What one bench run recorded, as plain data: the client's per-request results from the load
// generator, the timeline events as they really ran, and every request the upstreams read.
// Times are offsets from the start of the load (LoadResult::start). The metrics, the reports
// and the unit tests read only this: no Asio, no sockets.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "harness/load/load_result.hpp"

namespace bgw::bench {

using Nanos = std::chrono::nanoseconds;

/// One timeline event of the scenario, placed on the load's clock.
struct TimelineMark {
  std::string upstream;
  std::string action;  ///< as spelled in scenario files: "crash", "restart", "set_fault", ...
  std::string fault;   ///< set_fault: the fault's name ("custom" for steps)
  Nanos at{};          ///< when it ran (from the upstream's journal where it says so)
  Nanos scheduled{};   ///< when the timeline asked for it
  std::string source;  ///< file:line:col of the event
  /// crash, refuse, blackhole and set_fault make things worse: failures are attributed to
  /// them. restart, accept and clear_faults make things better: they get a time to recover.
  bool disruptive = true;
};

/// True for the actions that can make requests fail (see TimelineMark::disruptive).
bool is_disruptive(const std::string& action);

/// One request an upstream started to read, identified by the X-Bgw-Request header the load
/// generator sends (0 when absent: a health check, or a request without the header).
struct Delivery {
  std::size_t upstream = 0;  ///< index into BenchData::upstreams
  std::uint64_t id = 0;
  Nanos at{};
};

/// Per-upstream figures read straight from its journal.
struct UpstreamJournalCounts {
  std::uint64_t connections = 0;  ///< connections accepted during the run
};

struct BenchData {
  load::LoadResult load;
  std::vector<TimelineMark> events;            ///< in the order they ran
  std::vector<std::string> upstreams;          ///< names, in file order
  std::vector<UpstreamJournalCounts> journal;  ///< parallel to `upstreams`
  std::vector<Delivery> deliveries;            ///< every upstream, ordered by time
};

}  // namespace bgw::bench
