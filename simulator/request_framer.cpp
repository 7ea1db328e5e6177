#include "request_framer.hpp"

#include <strings.h>
#include <cstring>

namespace bgw::sim {
namespace {

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// "chunked" as the last coding of a Transfer-Encoding list.
bool last_coding_is_chunked(std::string_view value) {
  const auto comma = value.rfind(',');
  if (comma != std::string_view::npos) value = value.substr(comma + 1);
  return iequal(trim(value), "chunked");
}

// A comma-separated list contains `token` (case-insensitive).
bool has_token(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    if (iequal(trim(list.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

std::size_t find_head_end(std::string_view data) {
  for (std::size_t i = 0; i + 1 < data.size(); ++i) {
    const void* nl = std::memchr(data.data() + i, '\n', data.size() - i);
    if (nl == nullptr) return 0;
    i = static_cast<std::size_t>(static_cast<const char*>(nl) - data.data());
    // "\n\r\n" or "\n\n" ends the head.
    if (i + 1 < data.size() && data[i + 1] == '\n') return i + 2;
    if (i + 2 < data.size() && data[i + 1] == '\r' && data[i + 2] == '\n') return i + 3;
  }
  return 0;
}

RequestHead parse_request_head(std::string_view head) {
  RequestHead r;
  std::size_t eol = head.find('\n');
  if (eol == std::string_view::npos) {
    r.valid = false;
    r.error = "no request line";
    return r;
  }
  r.request_line = trim(head.substr(0, eol));
  const auto sp1 = r.request_line.find(' ');
  const auto sp2 = sp1 == std::string_view::npos ? sp1 : r.request_line.find(' ', sp1 + 1);
  if (sp1 == std::string_view::npos || sp2 == std::string_view::npos) {
    r.valid = false;
    r.error = "malformed request line";
    return r;
  }
  r.method = r.request_line.substr(0, sp1);
  r.target = r.request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = trim(r.request_line.substr(sp2 + 1));
  const bool http10 = version == "HTTP/1.0";
  bool keep_alive_token = false;
  r.close = http10;

  std::size_t pos = eol + 1;
  bool have_length = false;
  while (pos < head.size()) {
    eol = head.find('\n', pos);
    if (eol == std::string_view::npos) eol = head.size();
    const std::string_view line = head.substr(pos, eol - pos);
    pos = eol + 1;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;  // blank line or junk: the proxy's problem
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = trim(line.substr(colon + 1));
    if (iequal(name, "Content-Length")) {
      std::uint64_t n = 0;
      if (value.empty()) {
        r.valid = false;
        r.error = "empty Content-Length";
      }
      for (const char c : value) {
        if (c < '0' || c > '9' || n > (UINT64_MAX - 9) / 10) {
          r.valid = false;
          r.error = "invalid Content-Length";
          break;
        }
        n = n * 10 + static_cast<std::uint64_t>(c - '0');
      }
      if (have_length && n != r.content_length) {
        r.valid = false;
        r.error = "conflicting Content-Length";
      }
      have_length = true;
      r.content_length = n;
    } else if (iequal(name, "Transfer-Encoding")) {
      r.chunked = last_coding_is_chunked(value);
    } else if (iequal(name, "Connection")) {
      if (has_token(value, "close")) r.close = true;
      if (has_token(value, "keep-alive")) keep_alive_token = true;
    }
  }
  if (http10 && keep_alive_token) r.close = false;
  if (r.chunked) r.content_length = 0;  // RFC 9112 §6.3: Transfer-Encoding overrides
  return r;
}

}  // namespace bgw::sim
