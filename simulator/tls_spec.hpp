// How a TLS upstream presents itself, as plain data: which certificate it shows, with which key,
// which protocol versions and ALPN protocols it accepts. No OpenSSL here: the scenario loader,
// the CLI and tests build it; tls_context.cpp turns it into an OpenSSL context.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bgw::sim {

/// The certificate an upstream presents. Every one but self_signed and unknown_ca is issued by
/// the run's CA through an intermediate (tls_material.hpp).
enum class CertKind : std::uint8_t {
  good,                  ///< the right DNS name and the upstream's IP, valid now, chain complete
  wrong_name,            ///< valid, but for another DNS name and no IP
  ip_only,               ///< the upstream's IP as the only SAN (no DNS name, a non-matching CN)
  expired,               ///< the right names; notAfter is yesterday
  not_yet_valid,         ///< the right names; notBefore is tomorrow
  self_signed,           ///< the right names, signed by its own key
  unknown_ca,            ///< the right names, issued by a CA nobody was given
  missing_intermediate,  ///< a good certificate sent without the intermediate that issued it
};

enum class KeyKind : std::uint8_t { rsa, ecdsa };  ///< RSA 2048 or ECDSA P-256

enum class TlsVersion : std::uint8_t { tls1_0, tls1_1, tls1_2, tls1_3 };

struct TlsSpec {
  CertKind cert = CertKind::good;
  KeyKind key = KeyKind::ecdsa;
  /// Accepted versions; empty: 1.2 and 1.3. From the lowest to the highest listed (OpenSSL
  /// takes a range), so a gap ([1.0, 1.3]) accepts the versions between too.
  std::vector<TlsVersion> versions;
  /// ALPN protocols accepted; empty: ALPN is not answered. A client offering none of them gets
  /// a no_application_protocol alert (RFC 7301 §3.2).
  std::vector<std::string> alpn;
  /// The "right" DNS name the certificates carry (the upstream's IP is added by the upstream).
  std::string server_name = "upstream.badgateway.test";
};

/// The default for TlsSpec::server_name: what a proxy verifying by name must expect.
inline constexpr std::string_view default_server_name = "upstream.badgateway.test";

/// Spellings for files, journals and reports ("good", "rsa", "1.2").
const char* to_string(CertKind kind);
const char* to_string(KeyKind kind);
const char* to_string(TlsVersion version);
std::optional<CertKind> parse_cert_kind(std::string_view text);
std::optional<KeyKind> parse_key_kind(std::string_view text);
std::optional<TlsVersion> parse_tls_version(std::string_view text);
/// Every spelling, in declaration order (for did-you-mean and docs).
std::span<const std::string_view> cert_kind_names();
std::span<const std::string_view> key_kind_names();
std::span<const std::string_view> tls_version_names();

}  // namespace bgw::sim
