// The TLS rows of the fault catalogue: handshake faults (before and after the ServerHello, alerts,
// versions, ciphers, ALPN) and record-layer faults after it (truncation without close_notify,
// an alert or a corrupted record mid-body). Lowered into the TLS steps of script.hpp.
#pragma once

#include <vector>

#include "fault_builder.hpp"

namespace bgw::sim::detail {

std::vector<FaultEntry> tls_fault_entries();

}  // namespace bgw::sim::detail
