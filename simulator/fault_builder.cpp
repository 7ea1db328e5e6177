#include "fault_builder.hpp"

#include "units.hpp"

namespace bgw::sim::detail {

LoweredFault script(Script s) {
  LoweredFault f;
  f.rule.script = std::move(s);
  return f;
}

FaultError error(std::string param, std::string message) {
  return FaultError{std::move(param), std::move(message)};
}

// The base response, serialised, with `extra` header lines inserted raw before the blank line.
std::string with_raw_header(const Response& base, std::string_view extra) {
  WireResponse w = serialize(base);
  w.head.insert(w.head.size() - 2, extra);
  return w.head + w.body;
}

// A response whose framing headers are exactly `framing` (raw lines) and whose body is `body`.
std::string with_framing(const Response& base, std::string_view framing, std::string_view body) {
  std::string head = "HTTP/1.1 " + std::to_string(base.status) + " " +
                     (base.reason.empty() ? reason_phrase(base.status) : base.reason) + "\r\n";
  head += framing;
  for (const auto& [n, v] : base.headers) head += n + ": " + v + "\r\n";
  head += "\r\n";
  return head + std::string(body);
}

std::variant<SplitBody, FaultError> split_body(const Args& a) {
  const auto length = a.integer("length");
  const auto bytes = a.integer("bytes");
  if (length < 1) return error("length", "must be at least 1");
  if (bytes < 0 || bytes >= length)
    return error("bytes", "must be from 0 to length-1 (" + std::to_string(length - 1) + ")");
  Response r = a.base();
  r.body = pattern_body(static_cast<std::size_t>(length));
  r.chunked = a.boolean("chunked");
  r.close = false;
  const WireResponse w = serialize(r);
  SplitBody s;
  if (!r.chunked) {
    s.before = w.head + r.body.substr(0, static_cast<std::size_t>(bytes));
    s.after = r.body.substr(static_cast<std::size_t>(bytes));
  } else {
    const std::string first = r.body.substr(0, static_cast<std::size_t>(bytes));
    const std::string rest = r.body.substr(static_cast<std::size_t>(bytes));
    s.before = w.head + (first.empty() ? "" : encode_chunked(first, 0, false));
    s.after = encode_chunked(rest, 0, true);
  }
  return s;
}

std::variant<std::string, FaultError> head_prefix(const Args& a) {
  const std::string head = serialize(a.base()).head;
  const auto bytes = a.integer("bytes");
  if (bytes < 1 || static_cast<std::size_t>(bytes) >= head.size())
    return error("bytes", "must be from 1 to " + std::to_string(head.size() - 1) +
                              " (the default response's head is " + std::to_string(head.size()) +
                              " bytes)");
  return head.substr(0, static_cast<std::size_t>(bytes));
}

std::variant<Duration, FaultError> non_negative(const Args& a, std::string_view name) {
  const Duration d = a.duration(name);
  if (d < Duration::zero()) return error(std::string(name), "must not be negative");
  return d;
}

}  // namespace bgw::sim::detail
