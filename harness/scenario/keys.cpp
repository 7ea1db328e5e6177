#include "keys.hpp"

#include <array>

namespace bgw::scenario::keys {
namespace {

using K = std::string_view;
constexpr std::array<K, 6> root_keys{"scenario", "upstream", "proxy", "step", "expect", "bench"};
constexpr std::array<K, 6> scenario_keys{"name", "description", "tags",
                                         "spec", "requires",    "timeout"};
constexpr std::array<K, 9> upstream_keys{"name", "address", "port",  "listener", "response",
                                         "seed", "fault",   "event", "tls"};
// upstream.tls: how a TLS upstream presents itself (sim::TlsSpec).
constexpr std::array<K, 4> upstream_tls_keys{"cert", "key", "versions", "alpn"};
constexpr std::array<K, 9> response_keys{"status",  "reason",     "headers", "body", "body_size",
                                         "chunked", "chunk_size", "close",   "date"};
// [[upstream.fault]] keys; set_fault events take the same ones after `at` and `action`.
constexpr std::array<K, 8> fault_keys{"fault", "params", "steps", "on",
                                      "nth",   "first",  "last",  "probability"};
constexpr std::array<K, 10> event_keys{"at", "action", "fault", "params", "steps",
                                       "on", "nth",    "first", "last",   "probability"};
constexpr std::array<K, 18> fault_step_keys{
    "read", "write", "respond", "drip", "chunk", "interval", "delay", "stall", "close",
    "graceful_close", "reset", "half_close", "serve",
    // TLS steps (a TLS upstream only)
    "await_client_hello", "handshake", "server_hello_only", "provoke_alert", "corrupt_next_record"};
// { handshake = { ... } }: what the server offers (sim::Handshake).
constexpr std::array<K, 3> fault_step_handshake_keys{"offer", "alpn", "alpn_select"};
constexpr std::array<K, 8> proxy_keys{"listener", "pool",   "upstream_keepalive", "timeouts",
                                      "retry",    "health", "override",           "upstream_tls"};
// proxy.upstream_tls: how the proxy talks to TLS upstreams.
constexpr std::array<K, 2> proxy_upstream_tls_keys{"verify", "sni"};
constexpr std::array<K, 2> listener_keys{"keepalive", "idle_timeout"};
constexpr std::array<K, 3> pool_member_keys{"upstream", "backup", "weight"};
constexpr std::array<K, 4> timeouts_keys{"connect", "read", "send", "idle"};
constexpr std::array<K, 4> retry_keys{"attempts", "on", "non_idempotent", "same_upstream"};
constexpr std::array<K, 2> health_keys{"max_fails", "fail_window"};
constexpr std::array<K, 7> step_keys{
    "request", "reuse_connection", "repeat", "concurrency", "pause", "at", "expect"};
constexpr std::array<K, 5> request_keys{"method", "target", "headers", "body", "body_size"};
// An override takes every key of its expectation but `override`.
constexpr std::array<K, 12> step_expect_keys{
    "severity",    "why",        "status",  "within",        "not_before", "body",
    "body_equals", "connection", "headers", "head_contains", "any_of",     "override"};
constexpr std::array<K, 11> step_expect_override_keys{
    "severity",    "why",        "status",  "within",        "not_before", "body",
    "body_equals", "connection", "headers", "head_contains", "any_of"};
// An alternative of any_of: the checks only (no severity, why, override or nested any_of).
constexpr std::array<K, 8> any_of_keys{"status",      "within",     "not_before", "body",
                                       "body_equals", "connection", "headers",    "head_contains"};
constexpr std::array<K, 3> expect_headers_keys{"present", "absent", "equal"};
constexpr std::array<K, 7> expect_keys{
    "severity", "why", "upstream", "connections", "requests", "non_idempotent_once", "override"};
constexpr std::array<K, 5> expect_override_keys{"severity", "why", "connections", "requests",
                                                "non_idempotent_once"};
constexpr std::array<K, 2> range_keys{"min", "max"};
// [bench]: the load of `badgateway bench`.
constexpr std::array<K, 7> bench_keys{"duration", "connections", "rate",           "warmup",
                                      "method",   "target",      "request_timeout"};

}  // namespace

const KeyTable root{"root", "the top level", root_keys};
const KeyTable scenario{"scenario", "[scenario]", scenario_keys};
const KeyTable upstream{"upstream", "[[upstream]]", upstream_keys};
const KeyTable response{"upstream.response", "upstream.response", response_keys};
const KeyTable upstream_tls{"upstream.tls", "upstream.tls", upstream_tls_keys};
const KeyTable fault{"upstream.fault", "[[upstream.fault]]", fault_keys};
const KeyTable fault_step{"upstream.fault.steps", "a step of 'steps'", fault_step_keys};
const KeyTable fault_step_handshake{"upstream.fault.steps.handshake", "a 'handshake' step",
                                    fault_step_handshake_keys};
const KeyTable event{"upstream.event", "[[upstream.event]]", event_keys};
const KeyTable proxy{"proxy", "[proxy]", proxy_keys};
const KeyTable listener{"proxy.listener", "proxy.listener", listener_keys};
const KeyTable proxy_upstream_tls{"proxy.upstream_tls", "proxy.upstream_tls",
                                  proxy_upstream_tls_keys};
const KeyTable pool_member{"proxy.pool", "a proxy.pool entry", pool_member_keys};
const KeyTable timeouts{"proxy.timeouts", "proxy.timeouts", timeouts_keys};
const KeyTable retry{"proxy.retry", "proxy.retry", retry_keys};
const KeyTable health{"proxy.health", "proxy.health", health_keys};
const KeyTable step{"step", "[[step]]", step_keys};
const KeyTable request{"step.request", "step.request", request_keys};
const KeyTable step_expect{"step.expect", "[[step.expect]]", step_expect_keys};
const KeyTable expect_headers{"step.expect.headers", "step.expect.headers", expect_headers_keys};
const KeyTable step_expect_override{"step.expect.override", "[step.expect.override.<proxy>]",
                                    step_expect_override_keys};
const KeyTable any_of{"step.expect.any_of", "an 'any_of' alternative", any_of_keys};
const KeyTable expect{"expect", "[[expect]]", expect_keys};
const KeyTable expect_override{"expect.override", "[expect.override.<proxy>]",
                               expect_override_keys};
const KeyTable range{"range", "a count range", range_keys};
const KeyTable bench{"bench", "[bench]", bench_keys};

}  // namespace bgw::scenario::keys

namespace bgw::scenario {

std::span<const KeyTable* const> key_tables() {
  static const std::array<const KeyTable*, 26> all{
      &keys::root,        &keys::scenario,       &keys::upstream,
      &keys::response,    &keys::upstream_tls,   &keys::proxy_upstream_tls,
      &keys::fault,       &keys::fault_step,     &keys::fault_step_handshake,
      &keys::event,       &keys::proxy,          &keys::listener,
      &keys::pool_member, &keys::timeouts,       &keys::retry,
      &keys::health,      &keys::step,           &keys::request,
      &keys::step_expect, &keys::expect_headers, &keys::step_expect_override,
      &keys::any_of,      &keys::expect,         &keys::expect_override,
      &keys::range,       &keys::bench};
  return all;
}

}  // namespace bgw::scenario
