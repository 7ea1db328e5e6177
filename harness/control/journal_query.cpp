#include "journal_query.hpp"

#include <boost/url/params_view.hpp>

#include <charconv>
#include <optional>
#include <string>

namespace bgw::control {
namespace {

std::optional<std::uint64_t> parse_count(std::string_view s) {
  std::uint64_t v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

ApiError bad(std::string message) {
  return ApiError{400, std::move(message), {}};
}

}  // namespace

std::variant<JournalQuery, ApiError> decode_journal_query(boost::urls::url_view url, bool events,
                                                          std::string_view last_event_id) {
  JournalQuery q;
  if (events && !last_event_id.empty()) {
    auto v = parse_count(last_event_id);
    if (!v) return bad("Last-Event-ID must be a sequence number");
    q.since = *v;
  }
  for (const auto& p : url.params()) {
    if (p.key == "since") {
      auto v = parse_count(p.value);
      if (!v) return bad("'since' must be a sequence number (0 or more)");
      q.since = *v;
    } else if (p.key == "wait_ms" && !events) {
      auto v = parse_count(p.value);
      if (!v || *v > static_cast<std::uint64_t>(max_journal_wait.count()))
        return bad("'wait_ms' must be 0 to " + std::to_string(max_journal_wait.count()));
      q.wait = std::chrono::milliseconds(*v);
    } else if (p.key == "limit" && !events) {
      auto v = parse_count(p.value);
      if (!v || *v == 0 || *v > max_journal_limit)
        return bad("'limit' must be 1 to " + std::to_string(max_journal_limit));
      q.limit = static_cast<std::size_t>(*v);
    } else {
      return bad(
          "unknown query parameter '" + std::string(p.key) + "' (" +
          (events ? "GET /events takes since" : "GET /journal takes since, wait_ms and limit") +
          ")");
    }
  }
  return q;
}

}  // namespace bgw::control
