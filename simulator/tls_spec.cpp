#include "tls_spec.hpp"

#include <array>

namespace bgw::sim {
namespace {

using namespace std::string_view_literals;

constexpr std::array cert_names{"good"sv,       "wrong_name"sv,          "ip_only"sv,
                                "expired"sv,    "not_yet_valid"sv,       "self_signed"sv,
                                "unknown_ca"sv, "missing_intermediate"sv};
constexpr std::array key_names{"rsa"sv, "ecdsa"sv};
constexpr std::array version_names{"1.0"sv, "1.1"sv, "1.2"sv, "1.3"sv};

template <class Enum, std::size_t N>
std::optional<Enum> parse(const std::array<std::string_view, N>& names, std::string_view text) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == text) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

}  // namespace

const char* to_string(CertKind kind) {
  return cert_names.at(static_cast<std::size_t>(kind)).data();
}
const char* to_string(KeyKind kind) {
  return key_names.at(static_cast<std::size_t>(kind)).data();
}
const char* to_string(TlsVersion version) {
  return version_names.at(static_cast<std::size_t>(version)).data();
}

std::optional<CertKind> parse_cert_kind(std::string_view text) {
  return parse<CertKind>(cert_names, text);
}
std::optional<KeyKind> parse_key_kind(std::string_view text) {
  return parse<KeyKind>(key_names, text);
}
std::optional<TlsVersion> parse_tls_version(std::string_view text) {
  return parse<TlsVersion>(version_names, text);
}

std::span<const std::string_view> cert_kind_names() {
  return cert_names;
}
std::span<const std::string_view> key_kind_names() {
  return key_names;
}
std::span<const std::string_view> tls_version_names() {
  return version_names;
}

}  // namespace bgw::sim
