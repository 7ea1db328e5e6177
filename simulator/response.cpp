#include "response.hpp"

#include <strings.h>

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

}  // namespace bgw::sim
