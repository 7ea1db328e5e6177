// An upstream's TLS settings made ready to serve (an OpenSSL context holding its certificate),
// behind an opaque handle so upstream.cpp needs no OpenSSL header. The context is complete in
// tls_stream.hpp, for the TUs that run TLS connections.
#pragma once

#include <memory>
#include <string>

#include "tls_spec.hpp"

namespace bgw::sim {

class TlsContext;

/// Builds the context for `spec`, with a leaf whose IP SAN is `address` (the upstream's bound
/// address). Throws SetupError (upstream.hpp) when OpenSSL refuses the settings.
std::shared_ptr<TlsContext> make_tls_context(const TlsSpec& spec, const std::string& address,
                                             const std::string& upstream_name);

}  // namespace bgw::sim
