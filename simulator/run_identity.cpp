#include "run_identity.hpp"

#include <strings.h>

namespace bgw::sim {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::string_view> run_identity_of(std::string_view head) {
  std::size_t pos = head.find('\n');  // skip the request line
  while (pos != std::string_view::npos && pos + 1 < head.size()) {
    const std::size_t start = pos + 1;
    pos = head.find('\n', start);
    const std::string_view line =
        head.substr(start, (pos == std::string_view::npos ? head.size() : pos) - start);
    const auto colon = line.find(':');
    if (colon != run_header.size()) continue;
    if (::strncasecmp(line.data(), run_header.data(), run_header.size()) == 0)
      return trim(line.substr(colon + 1));
  }
  return std::nullopt;
}

std::string foreign_response(std::string_view ours, std::string_view theirs) {
  const std::string body = "badgateway: this upstream belongs to run " + std::string(ours) +
                           "; the request came from run " + std::string(theirs) + "\n";
  return "HTTP/1.1 421 Misdirected Request\r\n" + std::string(foreign_header) + ": " +
         std::string(ours) +
         "\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + body;
}

}  // namespace bgw::sim
