// Reading an upstream's journal for the bench: which client request (by its X-Bgw-Request id)
// reached the upstream and when, and where the timeline events really ran.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "harness/bench/bench_data.hpp"
#include "simulator/journal.hpp"

namespace bgw::bench {

/// The X-Bgw-Request id in a request head (field names compare case-insensitively: HAProxy
/// lowercases them). nullopt when the head has none, or the value is not a decimal number.
std::optional<std::uint64_t> request_id(std::string_view head);

/// Every request head in `events` (one upstream's journal snapshot) as a Delivery of
/// `upstream`, timed from `origin` (the start of the load). Heads before `origin` are dropped.
void collect_deliveries(const std::vector<sim::Event>& events, std::size_t upstream,
                        sim::Clock::time_point origin, std::vector<Delivery>& out);

/// Connections accepted at or after `origin`.
UpstreamJournalCounts journal_counts(const std::vector<sim::Event>& events,
                                     sim::Clock::time_point origin);

/// When `action` (scheduled at `scheduled` from `origin`) shows in the upstream's journal:
/// crash -> crashed, restart -> restarted, refuse/blackhole/accept -> listening in that mode.
/// nullopt for actions the journal does not record (set_fault, clear_faults) or when not found.
std::optional<Nanos> journaled_time(const std::vector<sim::Event>& events, std::string_view action,
                                    sim::Clock::time_point origin, Nanos scheduled);

}  // namespace bgw::bench
