#include "control_endpoint.hpp"

#include <boost/asio/ip/address.hpp>

#include <charconv>

namespace bgw::control {

std::variant<ControlEndpoint, std::string> parse_control_endpoint(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos)
    return "'" + std::string(text) + "' is not HOST:PORT (e.g. 127.0.0.1:0)";
  std::string host(text.substr(0, colon));
  const std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host == "localhost") host = "127.0.0.1";
  unsigned port = 0;
  const auto r = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || r.ec != std::errc() || r.ptr != port_text.data() + port_text.size() ||
      port > 65535)
    return "'" + std::string(port_text) + "' is not a port (0 to 65535) in '" + std::string(text) +
           "'";
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(host, ec);
  if (ec) return "'" + host + "' is not an IP address in '" + std::string(text) + "'";
  return ControlEndpoint{address.to_string(), static_cast<std::uint16_t>(port),
                         address.is_loopback()};
}

}  // namespace bgw::control
