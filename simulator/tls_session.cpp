#include "tls_session.hpp"

#include "session.hpp"
#include "tls_stream.hpp"

namespace bgw::sim {

// The TLS instantiation lives here, beside the cleartext one in session.cpp.
template class Session<TlsStream>;

net::awaitable<void> serve_tls(std::shared_ptr<TlsContext> context, tcp::socket& socket,
                               net::steady_timer& timer, std::shared_ptr<UpstreamState> state,
                               std::uint64_t connection, const Kill& kill) {
  TlsStream stream(socket, *context);
  Session<TlsStream> session(stream, timer, std::move(state), connection, kill);
  co_await session.run();
}

}  // namespace bgw::sim
