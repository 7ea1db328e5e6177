// `bench --agent ... --allow-remote-proxy`: a load agent on Kubernetes reaches the proxy
// through a Service, by name and not on loopback. The one place badgateway sends traffic off
// the machine, and only when asked: http://HOST[:PORT][/...], HOST resolved once, now.
#pragma once

#include <optional>
#include <string>

#include "harness/run/runner.hpp"

namespace bgw::cli {

/// The URL's host resolved to an address (IPv4 first), and its port (default 80). nullopt with
/// `error` set for another scheme, a bad port or a name that does not resolve.
std::optional<run::ProxyUrl> resolve_remote_proxy_url(const std::string& text, std::string& error);

}  // namespace bgw::cli
