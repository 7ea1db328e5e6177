#include "journal.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include "json_text.hpp"

#include <algorithm>
#include <cstdio>

#include "units.hpp"

namespace bgw::sim {

const char* to_string(EventKind kind) {
  switch (kind) {
    case EventKind::listening:
      return "listening";
    case EventKind::accepted:
      return "accepted";
    case EventKind::request_head:
      return "request_head";
    case EventKind::request_body:
      return "request_body";
    case EventKind::request_bytes:
      return "request_bytes";
    case EventKind::bad_request:
      return "bad_request";
    case EventKind::wrote:
      return "wrote";
    case EventKind::write_failed:
      return "write_failed";
    case EventKind::step:
      return "step";
    case EventKind::peer_closed:
      return "peer_closed";
    case EventKind::peer_reset:
      return "peer_reset";
    case EventKind::closed:
      return "closed";
    case EventKind::crashed:
      return "crashed";
    case EventKind::restarted:
      return "restarted";
    case EventKind::stopped:
      return "stopped";
    case EventKind::internal_error:
      return "internal_error";
    case EventKind::foreign_request:
      return "foreign_request";
  }
  return "?";
}

Journal::Journal(std::string upstream, JournalLevel level, std::size_t byte_cap)
    : upstream_(std::move(upstream)), level_(level), byte_cap_(byte_cap), origin_(Clock::now()) {}

void Journal::add(Event event) {
  // Writers may be several (the journal is thread-safe): an atomic add, uncontended in practice.
  totals_[static_cast<std::size_t>(event.kind)].fetch_add(1, std::memory_order_relaxed);
  if (level_ == JournalLevel::counters && event.kind != EventKind::internal_error &&
      event.kind != EventKind::foreign_request)
    return;
  if (listener_) listener_(event);
  if (keep_.load(std::memory_order_relaxed) == 0) return;
  std::lock_guard lock(mutex_);
  const std::size_t keep = keep_.load(std::memory_order_relaxed);
  if (keep == 0) return;
  if (events_.size() < keep) {
    events_.push_back(std::move(event));
    return;
  }
  // Full: the oldest slot takes the new event (its old detail is freed, nothing is moved).
  events_[head_] = std::move(event);
  if (++head_ == events_.size()) head_ = 0;
}

void Journal::unwrap() {
  if (head_ == 0) return;
  std::rotate(events_.begin(), events_.begin() + static_cast<std::ptrdiff_t>(head_), events_.end());
  head_ = 0;
}

void Journal::keep_at_most(std::size_t n) {
  std::lock_guard lock(mutex_);
  unwrap();
  keep_.store(n, std::memory_order_relaxed);
  if (events_.size() > n) {
    events_.erase(events_.begin(),
                  events_.begin() + static_cast<std::ptrdiff_t>(events_.size() - n));
    events_.shrink_to_fit();
  }
  // The ring's slots once, now: filling it never reallocates on the data path.
  if (n <= 1'000'000) events_.reserve(n);
}

void Journal::set_listener(std::function<void(const Event&)> listener) {
  listener_ = std::move(listener);
}

std::vector<Event> Journal::snapshot() const {
  std::lock_guard lock(mutex_);
  std::vector<Event> out;
  out.reserve(events_.size());
  const auto head = events_.begin() + static_cast<std::ptrdiff_t>(head_);
  out.insert(out.end(), head, events_.end());
  out.insert(out.end(), events_.begin(), head);
  return out;
}

std::size_t Journal::count(EventKind kind) const {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(std::count_if(events_.begin(), events_.end(),
                                                [&](const Event& e) { return e.kind == kind; }));
}

std::size_t Journal::count_if(const std::function<bool(const Event&)>& pred) const {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(std::count_if(events_.begin(), events_.end(), pred));
}

std::string json_escape(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() + 8);
  for (const unsigned char c : bytes) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c >= 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

std::string bytes_as_text(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (const unsigned char c : bytes) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(0xc0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3f));
    }
  }
  return out;
}

std::string Journal::to_json(const Event& e, std::string_view upstream, Clock::time_point origin) {
  // One line per event, about four per request of a streaming serve: the object's memory comes
  // from the stack (bench/journal_line_bench.cpp measures the line).
  unsigned char buffer[2048];
  boost::json::monotonic_resource memory(buffer, sizeof buffer);
  boost::json::object o(&memory);
  o["t_ms"] = ms_value(e.at - origin);
  o["upstream"] = upstream;
  o["event"] = to_string(e.kind);
  if (e.connection) o["conn"] = e.connection;
  if (e.request) o["request"] = e.request;
  if (e.bytes) o["bytes"] = e.bytes;
  if (e.kind == EventKind::step) {
    o["requested_ms"] = ms_value(e.requested);
    o["actual_ms"] = ms_value(e.actual);
  }
  if (!e.detail.empty()) o["detail"] = bytes_as_text(e.detail);
  std::string line;
  line.reserve(96 + e.detail.size() + e.detail.size() / 4);
  append_json_text(line, o);
  return line;
}

std::string Journal::to_json_lines() const {
  std::string out;
  for (const Event& e : snapshot()) {
    out += to_json(e, upstream_, origin_);
    out += '\n';
  }
  return out;
}

}  // namespace bgw::sim
