// The query of GET /journal (since, wait_ms, limit) and GET /events (since, or the
// Last-Event-ID header of a client that reconnects), each value checked against its range.
#pragma once

#include <boost/url/url_view.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "harness/control/api_error.hpp"

namespace bgw::control {

/// Longest wait a GET /journal may ask for, and the default when it names none.
inline constexpr std::chrono::milliseconds max_journal_wait{60'000};
inline constexpr std::chrono::milliseconds default_journal_wait{10'000};
/// Most entries one GET /journal returns, and the default.
inline constexpr std::size_t max_journal_limit = 10'000;
inline constexpr std::size_t default_journal_limit = 1'000;

struct JournalQuery {
  std::uint64_t since = 0;
  std::size_t limit = default_journal_limit;
  std::chrono::milliseconds wait = default_journal_wait;
};

/// `events`: the query of GET /events, which takes only `since`. A 400 names the parameter.
std::variant<JournalQuery, ApiError> decode_journal_query(boost::urls::url_view url, bool events,
                                                          std::string_view last_event_id);

}  // namespace bgw::control
