// The one parser for the URLs a user gives the harness: `--proxy-url` (run, bench) and
// `badgateway load URL`. Built on Boost.URL (RFC 3986), then narrowed to what the harness may
// talk to: plain http to a loopback address, no user info.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace bgw::client {

struct LoopbackUrl {
  std::string host;     ///< as written, without IPv6 brackets: "127.0.0.1", "::1", "localhost"
  std::string address;  ///< the loopback IP to connect to ("localhost" becomes "127.0.0.1")
  std::uint16_t port = 80;
  std::string target = "/";  ///< origin-form request target: path and query, no fragment
};

/// What a URL is for: a proxy origin must name its port and carry no path beyond "/"; a load
/// target defaults to port 80 and may have any path and query.
enum class UrlUse { proxy_origin, load_target };

/// Parses `text`; on failure, a message that quotes the URL and says what is wrong.
std::variant<LoopbackUrl, std::string> parse_loopback_url(std::string_view text, UrlUse use);

}  // namespace bgw::client
