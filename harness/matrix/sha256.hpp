// SHA-256 (FIPS 180-4) and base64, for one purpose: the HTML report's Content-Security-Policy
// names its one inline script by hash, so a script that got into the page any other way would
// not run. Not for anything secret.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace bgw::matrix {

std::array<std::uint8_t, 32> sha256(std::string_view data);

/// Standard base64 with padding (RFC 4648 §4).
std::string base64(std::string_view data);

/// "sha256-<base64 of the digest>", as CSP's script-src and style-src take it.
std::string csp_hash(std::string_view source);

}  // namespace bgw::matrix
