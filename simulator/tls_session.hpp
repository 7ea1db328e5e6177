// Serving one accepted connection of a TLS upstream: the session (session.hpp) on a TlsStream.
// Declared without OpenSSL so upstream.cpp stays free of it; tls_session.cpp instantiates the
// session for TLS once.
#pragma once

#include <cstdint>
#include <memory>

#include "net.hpp"
#include "upstream_state.hpp"

namespace bgw::sim {

class TlsContext;

/// Runs the upstream's scripts on `socket` as a TLS connection of `context` (the handshake
/// happens where the script says, or before the first request) until the connection ends.
net::awaitable<void> serve_tls(std::shared_ptr<TlsContext> context, tcp::socket& socket,
                               net::steady_timer& timer, std::shared_ptr<UpstreamState> state,
                               std::uint64_t connection, const Kill& kill);

}  // namespace bgw::sim
