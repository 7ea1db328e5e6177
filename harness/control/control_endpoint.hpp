// "127.0.0.1:PORT", "[::1]:PORT", "localhost:PORT": where the control API listens (serve
// --control) or is reached (ctl --control), and whether that address is loopback.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace bgw::control {

struct ControlEndpoint {
  std::string address;  ///< an IP literal ("localhost" becomes 127.0.0.1), brackets removed
  std::uint16_t port = 0;
  bool loopback = false;
};

/// The endpoint, or why `text` is not one.
std::variant<ControlEndpoint, std::string> parse_control_endpoint(std::string_view text);

}  // namespace bgw::control
