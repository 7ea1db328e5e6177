// What an upstream is told to do, as plain data: where it listens, how its listener behaves,
// what it answers by default, and which rules inject faults. Built by tests, the CLI or the
// scenario loader; consumed by Upstream. No Asio, no TOML.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "response.hpp"
#include "script.hpp"
#include "tls_spec.hpp"

namespace bgw::sim {

/// How the listening port behaves. Switchable while the upstream runs.
enum class ListenerMode : std::uint8_t {
  accept,     ///< listen and serve connections
  refuse,     ///< bound, never listening: connects get RST (ECONNREFUSED); the port stays ours
  blackhole,  ///< listen(0) with the one queue slot filled by us: new SYNs are dropped, connects
              ///< hang
};

const char* to_string(ListenerMode mode);

/// Which connections (or requests) a rule applies to. Indices are 1-based and count per upstream:
/// the Nth accepted connection, the Nth request read by any of its connections.
struct Match {
  std::uint64_t first = 1;
  std::uint64_t last = std::numeric_limits<std::uint64_t>::max();
  double probability = 1.0;  ///< drawn from the upstream's seeded generator when < 1

  static Match every() { return {}; }
  static Match nth(std::uint64_t n) { return {.first = n, .last = n}; }
  static Match from(std::uint64_t n) { return {.first = n}; }
  bool covers(std::uint64_t index) const { return index >= first && index <= last; }
};

enum class RuleScope : std::uint8_t {
  connection,  ///< the script runs as soon as the connection is accepted
  request,     ///< the script runs when a request starts arriving (it reads the request itself)
};

/// A fault rule: when `match` selects a connection or request, run `script` instead of the
/// default. `name` is the catalogue fault it came from ("custom" for an explicit step list).
struct Rule {
  RuleScope scope = RuleScope::request;
  Match match;
  std::string name = "custom";
  Script script;
};

/// How much of the traffic the journal keeps.
enum class JournalLevel : std::uint8_t {
  counters,  ///< connection and request counters only (benchmarks)
  events,    ///< every event, without payload bytes
  bytes,     ///< every event with the bytes read and written (capped per event): transcripts
};

struct UpstreamSpec {
  std::string name = "upstream";
  std::string address = "127.0.0.1";  ///< loopback only: 127.0.0.0/8 or ::1
  std::uint16_t port = 0;             ///< 0: the kernel picks; read it back from Upstream::port()
  ListenerMode mode = ListenerMode::accept;
  Response response;        ///< the default answer when no rule applies
  std::vector<Rule> rules;  ///< first match wins, per scope
  std::uint64_t seed = 1;   ///< for probabilistic rules: same seed, same choices
  JournalLevel journal = JournalLevel::bytes;
  std::size_t journal_byte_cap = 4096;  ///< bytes kept per read/write event at JournalLevel::bytes
  int adopt_fd = -1;  ///< an already bound socket to use instead of binding (child processes)
  /// The run this upstream belongs to (run_identity.hpp): a request whose X-Bgw-Run names
  /// another run is journalled as foreign and answered with a marked 421. Empty: no check.
  std::string run_identity;
  /// Set: the upstream speaks TLS (tls_spec.hpp); its connections handshake before requests.
  std::optional<TlsSpec> tls;
};

}  // namespace bgw::sim
