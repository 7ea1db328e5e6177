#include "remote_proxy_url.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <charconv>
#include <memory>
#include <string_view>

namespace bgw::cli {

std::optional<run::ProxyUrl> resolve_remote_proxy_url(const std::string& text, std::string& error) {
  constexpr std::string_view scheme = "http://";
  std::string_view rest = text;
  if (rest.substr(0, scheme.size()) != scheme) {
    error = "--proxy-url: '" + text + "' is not an http:// URL";
    return std::nullopt;
  }
  rest.remove_prefix(scheme.size());
  rest = rest.substr(0, rest.find('/'));
  std::string_view host = rest;
  std::uint16_t port = 80;
  if (!rest.empty() && rest.front() == '[') {  // [v6]:port
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos) {
      error = "--proxy-url: unclosed '[' in '" + text + "'";
      return std::nullopt;
    }
    host = rest.substr(1, close - 1);
    rest.remove_prefix(close + 1);
    if (!rest.empty() && rest.front() != ':') {
      error = "--proxy-url: expected ':PORT' after ']' in '" + text + "'";
      return std::nullopt;
    }
  } else if (const std::size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    rest.remove_prefix(colon);
  } else {
    rest = {};
  }
  if (!rest.empty()) {  // ":PORT"
    const std::string_view p = rest.substr(1);
    const auto r = std::from_chars(p.data(), p.data() + p.size(), port);
    if (p.empty() || r.ec != std::errc() || r.ptr != p.data() + p.size() || port == 0) {
      error = "--proxy-url: bad port in '" + text + "'";
      return std::nullopt;
    }
  }
  if (host.empty()) {
    error = "--proxy-url: no host in '" + text + "'";
    return std::nullopt;
  }
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string name(host);
  if (const int rc = ::getaddrinfo(name.c_str(), nullptr, &hints, &found); rc != 0) {
    error = "--proxy-url: cannot resolve '" + name + "': " + ::gai_strerror(rc);
    return std::nullopt;
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owner(found, &::freeaddrinfo);
  const addrinfo* pick = found;
  for (const addrinfo* a = found; a; a = a->ai_next)
    if (a->ai_family == AF_INET) {
      pick = a;
      break;
    }
  char buf[INET6_ADDRSTRLEN] = {};
  const void* addr =
      pick->ai_family == AF_INET
          ? static_cast<const void*>(&reinterpret_cast<const sockaddr_in*>(pick->ai_addr)->sin_addr)
          : static_cast<const void*>(
                &reinterpret_cast<const sockaddr_in6*>(pick->ai_addr)->sin6_addr);
  if (!::inet_ntop(pick->ai_family, addr, buf, sizeof buf)) {
    error = "--proxy-url: '" + name + "' resolved to an address that cannot be written";
    return std::nullopt;
  }
  return run::ProxyUrl{.host = buf, .port = port};
}

}  // namespace bgw::cli
