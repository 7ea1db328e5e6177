#include "vocabulary.hpp"

#include <array>

#include "harness/scenario/decode.hpp"

namespace bgw::scenario {

std::string closest_word(std::string_view word, std::span<const std::string_view> candidates) {
  return detail::closest(word, candidates);
}

template <>
std::span<const Spelling<sim::ListenerMode>> spellings() {
  static constexpr std::array<Spelling<sim::ListenerMode>, 3> table{{
      {"accept", sim::ListenerMode::accept},
      {"refuse", sim::ListenerMode::refuse},
      {"blackhole", sim::ListenerMode::blackhole},
  }};
  return table;
}

// The TLS words come from the simulator's own table (sim/tls_spec.hpp), in its order.
template <class E, std::size_t N>
std::array<Spelling<E>, N> tls_table(std::span<const std::string_view> names) {
  std::array<Spelling<E>, N> t{};
  for (std::size_t i = 0; i < N; ++i) t[i] = {names[i], static_cast<E>(i)};
  return t;
}

template <>
std::span<const Spelling<sim::CertKind>> spellings() {
  static const auto table = tls_table<sim::CertKind, 8>(sim::cert_kind_names());
  return table;
}

template <>
std::span<const Spelling<sim::KeyKind>> spellings() {
  static const auto table = tls_table<sim::KeyKind, 2>(sim::key_kind_names());
  return table;
}

template <>
std::span<const Spelling<sim::TlsVersion>> spellings() {
  static const auto table = tls_table<sim::TlsVersion, 4>(sim::tls_version_names());
  return table;
}

template <>
std::span<const Spelling<sim::RuleScope>> spellings() {
  static constexpr std::array<Spelling<sim::RuleScope>, 2> table{{
      {"request", sim::RuleScope::request},
      {"connection", sim::RuleScope::connection},
  }};
  return table;
}

template <>
std::span<const Spelling<sim::ReadPart>> spellings() {
  static constexpr std::array<Spelling<sim::ReadPart>, 2> table{{
      {"head", sim::ReadPart::head},
      {"whole", sim::ReadPart::whole},
  }};
  return table;
}

// What a custom `handshake` step offers, and which alert `provoke_alert` makes the server send.
template <>
std::span<const Spelling<sim::TlsOffer>> spellings() {
  static constexpr std::array<Spelling<sim::TlsOffer>, 3> table{{
      {"upstream", sim::TlsOffer::upstream},
      {"legacy_versions", sim::TlsOffer::legacy_versions},
      {"no_shared_cipher", sim::TlsOffer::no_shared_cipher},
  }};
  return table;
}

template <>
std::span<const Spelling<sim::TlsAlertCause>> spellings() {
  static constexpr std::array<Spelling<sim::TlsAlertCause>, 2> table{{
      {"bad_record_mac", sim::TlsAlertCause::bad_record_mac},
      {"record_overflow", sim::TlsAlertCause::record_overflow},
  }};
  return table;
}

template <>
std::span<const Spelling<EventAction>> spellings() {
  static constexpr std::array<Spelling<EventAction>, 7> table{{
      {"crash", EventAction::crash},
      {"restart", EventAction::restart},
      {"refuse", EventAction::refuse},
      {"blackhole", EventAction::blackhole},
      {"accept", EventAction::accept},
      {"set_fault", EventAction::set_fault},
      {"clear_faults", EventAction::clear_faults},
  }};
  return table;
}

template <>
std::span<const Spelling<RetryOn>> spellings() {
  static constexpr std::array<Spelling<RetryOn>, 9> table{{
      {"connect_error", RetryOn::connect_error},
      {"timeout", RetryOn::timeout},
      {"reset", RetryOn::reset},
      {"invalid_response", RetryOn::invalid_response},
      {"http_5xx", RetryOn::http_5xx},
      {"http_500", RetryOn::http_500},
      {"http_502", RetryOn::http_502},
      {"http_503", RetryOn::http_503},
      {"http_504", RetryOn::http_504},
  }};
  return table;
}

template <>
std::span<const Spelling<Severity>> spellings() {
  static constexpr std::array<Spelling<Severity>, 2> table{{
      {"must", Severity::must},
      {"should", Severity::should},
  }};
  return table;
}

template <>
std::span<const Spelling<BodyState>> spellings() {
  static constexpr std::array<Spelling<BodyState>, 4> table{{
      {"complete", BodyState::complete},
      {"truncated", BodyState::truncated},
      {"truncated_silently", BodyState::truncated_silently},
      {"absent", BodyState::absent},
  }};
  return table;
}

template <>
std::span<const Spelling<ConnectionEnd>> spellings() {
  static constexpr std::array<Spelling<ConnectionEnd>, 3> table{{
      {"close", ConnectionEnd::close},
      {"reset", ConnectionEnd::reset},
      {"open", ConnectionEnd::open},
  }};
  return table;
}

std::span<const std::string_view> known_proxies() {
  static constexpr std::array<std::string_view, 13> names{
      "nginx",         "haproxy", "envoy",   "varnish",  "caddy",     "h2o",    "apache2",
      "trafficserver", "squid",   "traefik", "lighttpd", "tinyproxy", "nghttpx"};
  return names;
}

std::span<const std::string_view> known_features() {
  static constexpr std::array<std::string_view, 12> names{
      "retries",               // retries to another upstream on failure
      "retry_non_idempotent",  // may retry POST and other non-idempotent methods
      // with non_idempotent = false, still retries a POST whose connect failed (never sent)
      "retry_unsent_non_idempotent",
      "retry_same_upstream",  // retries on the same upstream before moving on
      "backup",               // backup upstreams used only when every primary is down
      "weights",              // weighted balancing between upstreams
      "passive_health",       // marks upstreams down after failures
      "upstream_keepalive",   // reuses upstream connections
      "client_keepalive",     // keeps client connections open
      "send_timeout",         // a separate timeout for sending the request upstream
      "upstream_tls",         // speaks TLS to upstreams, with or without verification
      "upstream_tls_mixed",   // one pool mixes TLS and cleartext upstreams
  };
  return names;
}

}  // namespace bgw::scenario
