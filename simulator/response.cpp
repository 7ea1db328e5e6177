#include "response.hpp"

#include <strings.h>

#include <cstdio>
#include <ctime>

namespace bgw::sim {
namespace {

bool iequals(const std::string& a, const char* b) {
  return ::strcasecmp(a.c_str(), b) == 0;
}

}  // namespace

const char* reason_phrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 408:
      return "Request Timeout";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Unknown";
  }
}

std::string encode_chunked(const std::string& body, std::size_t chunk_size, bool last_chunk) {
  std::string out;
  const std::size_t step = chunk_size == 0 ? body.size() : chunk_size;
  for (std::size_t at = 0; at < body.size(); at += step) {
    const std::size_t n = std::min(step, body.size() - at);
    char size_line[32];
    const int len = std::snprintf(size_line, sizeof size_line, "%zx\r\n", n);
    out.append(size_line, static_cast<std::size_t>(len));
    out.append(body, at, n);
    out += "\r\n";
  }
  if (last_chunk) out += "0\r\n\r\n";
  return out;
}

std::string pattern_body(std::size_t size) {
  static constexpr char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string body(size, '\0');
  for (std::size_t i = 0; i < size; ++i) body[i] = alphabet[i % (sizeof alphabet - 1)];
  return body;
}

WireResponse serialize(const Response& r) {
  WireResponse out;
  std::string& head = out.head;
  head.reserve(128 + r.body.size() / 8);
  head += "HTTP/1.1 ";
  head += std::to_string(r.status);
  head += ' ';
  head += r.reason.empty() ? reason_phrase(r.status) : r.reason;
  head += "\r\n";

  bool explicit_framing = false;
  for (const auto& [name, value] : r.headers) {
    if (iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding"))
      explicit_framing = true;
  }
  if (!explicit_framing) {
    if (r.chunked) {
      head += "Transfer-Encoding: chunked\r\n";
    } else {
      head += "Content-Length: ";
      head += std::to_string(r.body.size());
      head += "\r\n";
    }
  }
  for (const auto& [name, value] : r.headers) {
    head += name;
    head += ": ";
    head += value;
    head += "\r\n";
  }
  if (r.close) head += "Connection: close\r\n";
  head += "\r\n";
  out.body = r.chunked ? encode_chunked(r.body, r.chunk_size) : r.body;
  return out;
}

Respond plain_response(const Response& r) {
  Response keep = r;
  Response close = r;
  close.close = true;
  Respond out{serialize(keep).all(), serialize(close).all()};
  if (r.date) {
    // After the status line, so both variants have it at the same offset.
    const std::string line = "Date: " + std::string(http_date_size, 'X') + "\r\n";
    const std::size_t at = out.keep_alive.find("\r\n") + 2;
    out.keep_alive.insert(at, line);
    out.close.insert(at, line);
    out.date_at = at + 6;
  }
  return out;
}

std::string_view http_date_now() {
  struct Cache {
    std::time_t second = -1;
    char text[64] = {};  // 29 bytes are used; the rest quiets -Wformat-truncation
  };
  thread_local Cache cache;
  const std::time_t now = std::time(nullptr);
  if (now != cache.second) {
    static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::tm tm{};
    ::gmtime_r(&now, &tm);
    // Formatted by hand: strftime's %a and %b follow the locale, IMF-fixdate does not.
    std::snprintf(cache.text, sizeof cache.text, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                  days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour,
                  tm.tm_min, tm.tm_sec);
    cache.second = now;
  }
  return {cache.text, http_date_size};
}

}  // namespace bgw::sim
