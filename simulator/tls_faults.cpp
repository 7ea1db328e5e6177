#include "tls_faults.hpp"

#include <utility>

namespace bgw::sim {

namespace detail {
namespace {

// A plaintext TLS alert record: content type 21, record version 3.3, length 2, level fatal (2),
// then the description. Before the ServerHello no keys exist, so every TLS version sends its
// alerts in the clear there (RFC 8446 §6 and §5.1; RFC 5246 §7.2); the client reads this as
// the server's fatal alert.
std::string alert_record(unsigned char description) {
  return std::string("\x15\x03\x03\x00\x02\x02", 6) + static_cast<char>(description);
}

// What a cleartext HTTP server answers when a TLS ClientHello arrives on its port (the client
// reads the status line as a malformed record header).
std::string plaintext_400() {
  const std::string body =
      "<html><head><title>400 Bad Request</title></head><body>400 Bad Request</body></html>\n";
  return "HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

std::variant<Duration, FaultError> stall_of(const Args& a) {
  return non_negative(a, "duration");
}

Result build_close_before_server_hello(const Args&) {
  return script({AwaitClientHello{}, Close{}});
}

Result build_reset_before_server_hello(const Args&) {
  return script({AwaitClientHello{}, Reset{}});
}

Result build_stall_before_server_hello(const Args& a) {
  auto d = stall_of(a);
  if (auto* e = std::get_if<FaultError>(&d)) return *e;
  const Duration dur = std::get<Duration>(d);
  if (dur == Duration::zero()) return script({AwaitClientHello{}, Stall{}});
  // The handshake then goes on as usual: the connection script ends, requests come next.
  return script({AwaitClientHello{}, Stall{dur}});
}

Result build_stall_after_server_hello(const Args& a) {
  auto d = stall_of(a);
  if (auto* e = std::get_if<FaultError>(&d)) return *e;
  const Duration dur = std::get<Duration>(d);
  if (dur == Duration::zero()) return script({ServerHelloOnly{}, Stall{}});
  return script({ServerHelloOnly{}, Stall{dur}, Close{}});
}

Result build_plaintext_response(const Args&) {
  return script({AwaitClientHello{}, Write{plaintext_400()}, Close{}});
}

Result build_handshake_alert(const Args& a) {
  const std::string name = a.string("alert");
  unsigned char description = 0;
  if (name == "handshake_failure")
    description = 40;
  else if (name == "unknown_ca")
    description = 48;
  else if (name == "protocol_version")
    description = 70;
  else
    return error("alert",
                 "must be \"handshake_failure\", \"unknown_ca\" or \"protocol_version\", not \"" +
                     name + "\"");
  return script({AwaitClientHello{}, Write{alert_record(description)}, Close{}});
}

Result build_legacy_versions(const Args&) {
  return script({Handshake{.offer = TlsOffer::legacy_versions}});
}

Result build_no_shared_cipher(const Args&) {
  return script({Handshake{.offer = TlsOffer::no_shared_cipher}});
}

Result build_alpn_mismatch(const Args& a) {
  const std::string protocol = a.string("protocol");
  if (protocol.empty() || protocol.size() > 255)
    return error("protocol", "must be 1 to 255 bytes (RFC 7301 §3.1)");
  const std::string answer = a.string("answer");
  if (answer != "alert" && answer != "select")
    return error("answer",
                 "must be \"alert\" (no_application_protocol) or \"select\" (choose "
                 "the protocol anyway), not \"" +
                     answer + "\"");
  return script({Handshake{.alpn = {protocol}, .alpn_select_anyway = answer == "select"}});
}

Result build_fin_without_close_notify(const Args& a) {
  const std::string framing = a.string("framing");
  std::string response;
  if (framing == "content_length") {
    response = serialize(a.base()).all();
  } else if (framing == "close_delimited") {
    // No Content-Length, no Transfer-Encoding: the body ends where the connection does
    // (RFC 9112 §6.3 rule 8), so only close_notify tells its end from a cut.
    response = with_framing(a.base(), "Connection: close\r\n", a.base().body);
  } else {
    return error("framing",
                 "must be \"content_length\" or \"close_delimited\", not \"" + framing + "\"");
  }
  return script({ReadRequest{}, Write{std::move(response)}, Close{.close_notify = false}});
}

// The bytes before a mid-body fault, then `pause` (when > 0): a proxy that reads the head and
// the fault in one go may answer with its own error instead of relaying the head; a pause makes
// the fault land after the head went out.
std::variant<Script, FaultError> before_fault(const Args& a) {
  auto split = split_body(a);
  if (auto* e = std::get_if<FaultError>(&split)) return *e;
  auto pause = non_negative(a, "pause");
  if (auto* e = std::get_if<FaultError>(&pause)) return *e;
  Script s{ReadRequest{}, Write{std::get<SplitBody>(split).before}};
  if (std::get<Duration>(pause) > Duration::zero()) s.push_back(Delay{std::get<Duration>(pause)});
  return s;
}

Result build_alert_mid_body(const Args& a) {
  auto before = before_fault(a);
  if (auto* e = std::get_if<FaultError>(&before)) return *e;
  const std::string alert = a.string("alert");
  TlsAlertCause cause = TlsAlertCause::bad_record_mac;
  if (alert == "record_overflow")
    cause = TlsAlertCause::record_overflow;
  else if (alert != "bad_record_mac")
    return error("alert",
                 "must be \"bad_record_mac\" or \"record_overflow\", not \"" + alert + "\"");
  Script s = std::get<Script>(std::move(before));
  s.push_back(ProvokeAlert{cause});
  s.push_back(Close{.close_notify = false});
  return script(std::move(s));
}

Result build_corrupt_record_mid_body(const Args& a) {
  auto before = before_fault(a);
  if (auto* e = std::get_if<FaultError>(&before)) return *e;
  Script s = std::get<Script>(std::move(before));
  s.push_back(CorruptNextRecord{});
  s.push_back(Write{std::get<SplitBody>(split_body(a)).after});
  s.push_back(Close{.close_notify = false});
  return script(std::move(s));
}

const ParamInfo p_stall{"duration", ParamType::duration, "1s",
                        "how long to stay silent; 0s = until the peer leaves"};
const ParamInfo p_bytes_body{"bytes", ParamType::size, "10",
                             "body bytes sent before the fault (payload bytes when chunked)"};
const ParamInfo p_length{"length", ParamType::size, "100", "declared body length"};
const ParamInfo p_chunked{"chunked", ParamType::boolean, "false",
                          "frame the body with Transfer-Encoding: chunked"};
const ParamInfo p_pause{"pause", ParamType::duration, "0s",
                        "time between those bytes and the fault (lets a proxy relay the head "
                        "first)"};

}  // namespace

std::vector<FaultEntry> tls_fault_entries() {
  return {
      {{"tls_close_before_server_hello",
        FaultScope::connection,
        "read the ClientHello, then FIN (no byte, no alert)",
        "the handshake fails: EOF while waiting for the ServerHello",
        {}},
       build_close_before_server_hello},
      {{"tls_reset_before_server_hello",
        FaultScope::connection,
        "read the ClientHello, then RST",
        "the handshake fails: ECONNRESET while waiting for the ServerHello",
        {}},
       build_reset_before_server_hello},
      {{"tls_stall_before_server_hello",
        FaultScope::connection,
        "read the ClientHello, stay silent for `duration`, then finish the handshake and serve",
        "no ServerHello for `duration` (never less), then a normal handshake",
        {p_stall}},
       build_stall_before_server_hello},
      {{"tls_stall_after_server_hello",
        FaultScope::connection,
        "answer the ClientHello with the ServerHello alone, stay silent for `duration`, then FIN",
        "the ServerHello, then nothing (the handshake waits for the rest of the flight) for "
        "`duration`, then EOF",
        {p_stall}},
       build_stall_after_server_hello},
      {{"tls_plaintext_response",
        FaultScope::connection,
        "read the ClientHello, answer a cleartext \"HTTP/1.1 400 Bad Request\" with an HTML "
        "body, then FIN",
        "the handshake fails on a record that is not TLS (OpenSSL: \"wrong version number\")",
        {}},
       build_plaintext_response},
      {{"tls_handshake_alert",
        FaultScope::connection,
        "read the ClientHello, send a plaintext fatal alert record `alert`, then FIN",
        "the handshake fails with that alert from the server",
        {{"alert", ParamType::string, "handshake_failure",
          "\"handshake_failure\" (40), \"unknown_ca\" (48) or \"protocol_version\" (70)"}}},
       build_handshake_alert},
      {{"tls_legacy_versions",
        FaultScope::connection,
        "handshake offering only TLS 1.0 and 1.1, then serve",
        "a client that requires TLS 1.2 fails with a protocol_version alert; one that allows "
        "1.0 gets a TLS 1.1 connection",
        {}},
       build_legacy_versions},
      {{"tls_no_shared_cipher",
        FaultScope::connection,
        "handshake accepting only cipher suites no default client offers (eNULL; TLS 1.3 "
        "TLS_AES_128_CCM_8_SHA256)",
        "the handshake fails with a handshake_failure alert",
        {}},
       build_no_shared_cipher},
      {{"tls_alpn_mismatch",
        FaultScope::connection,
        "handshake accepting only ALPN `protocol`: \"alert\" answers a client that offers "
        "others with no_application_protocol; \"select\" picks `protocol` anyway",
        "alert: the handshake fails with no_application_protocol (a client offering no ALPN "
        "is served); select: the server names a protocol the client never offered",
        {{"protocol", ParamType::string, "h2", "the only protocol the server accepts"},
         {"answer", ParamType::string, "alert", "\"alert\" or \"select\""}}},
       build_alpn_mismatch},
      {{"tls_fin_without_close_notify",
        FaultScope::request,
        "a complete response, then FIN without close_notify; `framing` \"content_length\" "
        "(the base response) or \"close_delimited\" (no Content-Length, Connection: close)",
        "every body byte, then EOF without close_notify (OpenSSL 3: \"unexpected eof while "
        "reading\")",
        {{"framing", ParamType::string, "content_length",
          "\"content_length\" or \"close_delimited\""}}},
       build_fin_without_close_notify},
      {{"tls_alert_mid_body",
        FaultScope::request,
        "write the head and `bytes` body bytes of a `length`-byte body, then a fatal alert "
        "sent by the server's own TLS library (protected with the connection's keys), then FIN",
        "a short body, then the alert: \"bad_record_mac\" or \"record_overflow\"",
        {p_bytes_body,
         p_length,
         p_chunked,
         p_pause,
         {"alert", ParamType::string, "bad_record_mac",
          "\"bad_record_mac\" (20) or \"record_overflow\" (22)"}}},
       build_alert_mid_body},
      {{"tls_corrupt_record_mid_body",
        FaultScope::request,
        "write the head and `bytes` body bytes, then the rest of the body as a record whose "
        "last byte (its authentication tag) is flipped, then FIN without close_notify",
        "a short body, then a record that fails authentication (OpenSSL: \"decryption failed "
        "or bad record mac\")",
        {p_bytes_body, p_length, p_chunked, p_pause}},
       build_corrupt_record_mid_body},
  };
}

}  // namespace detail

bool needs_tls(const FaultInfo& info) {
  // Every row of tls_fault_entries() is named tls_*; a unit test holds the two together.
  return info.name.starts_with("tls_");
}

}  // namespace bgw::sim
