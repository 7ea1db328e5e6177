#include "loopback_url.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>

namespace bgw::client {

std::variant<LoopbackUrl, std::string> parse_loopback_url(std::string_view text, UrlUse use) {
  const std::string quoted = "URL '" + std::string(text) + "'";
  const auto parsed = boost::urls::parse_uri(text);
  if (!parsed)
    return quoted + " is not a valid URL (expected http://127.0.0.1:PORT" +
           (use == UrlUse::load_target ? "/path)" : ")");
  const boost::urls::url_view url = *parsed;
  if (url.scheme_id() != boost::urls::scheme::http)
    return quoted + ": only http:// is supported (got '" + std::string(url.scheme()) + ":')";
  if (!url.has_authority() || url.encoded_host().empty()) return quoted + " has no host";
  if (url.has_userinfo()) return quoted + " has user info (user@); give only host and port";

  LoopbackUrl out;
  switch (url.host_type()) {
    case boost::urls::host_type::ipv4:
    case boost::urls::host_type::ipv6:
    case boost::urls::host_type::name:
      out.host = url.host_address();
      break;
    default:
      return quoted + ": the host must be a loopback IP address or localhost";
  }
  boost::system::error_code ec;
  const auto address =
      boost::asio::ip::make_address(out.host == "localhost" ? "127.0.0.1" : out.host, ec);
  if (ec || !address.is_loopback())
    return quoted + ": host '" + out.host +
           "' is not a loopback address (127.0.0.0/8, ::1 or localhost)";
  out.address = address.to_string();

  // Boost.URL 1.81 lets a path follow the authority without its "/": "http://h:8080abc" parses
  // as port 8080 and path "abc". RFC 3986 allows only an empty path or one starting with "/"
  // there, so such text belongs to the port, which is then not a number.
  std::string port_text(url.port());
  const std::string_view path = url.encoded_path();
  if (!path.empty() && path.front() != '/') {
    if (!url.has_port())
      return quoted + " is not a valid URL (nothing may follow the host but :PORT or /)";
    port_text += std::string(path.substr(0, path.find('/')));
  }
  if (url.has_port()) {
    const std::string_view port = port_text;
    unsigned value = 0;
    const auto [end, err] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || err != std::errc{} || end != port.data() + port.size() || value < 1 ||
        value > 65535)
      return quoted + ": the port must be a number from 1 to 65535 (got '" + std::string(port) +
             "')";
    out.port = static_cast<std::uint16_t>(value);
  } else if (use == UrlUse::proxy_origin) {
    return quoted + " has no port (http://127.0.0.1:PORT)";
  }

  if (use == UrlUse::proxy_origin) {
    if ((!path.empty() && path != "/") || url.has_query() || url.has_fragment())
      return quoted + ": a proxy URL is only scheme, host and port (the scenarios give paths)";
    return out;
  }
  out.target = std::string(path.empty() ? "/" : path);
  if (url.has_query()) out.target += "?" + std::string(url.encoded_query());
  return out;
}

}  // namespace bgw::client
