// `badgateway serve FILE [--journal PATH]`: start only the scenario's upstreams, print their
// bindings as one JSON line on stdout (with the control API's address when --control is given), run
// the timeline, stream every journal line to the journal file as it happens (at a level, and
// rotated past a size cap), and stop on SIGINT/SIGTERM. Lets other harnesses and languages use
// the simulator.
#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>

#include "simulator/upstream_spec.hpp"

namespace bgw::cli {

struct ServeOptions {
  std::string file;
  std::string journal;  ///< empty: <run dir>/journal.jsonl, see default_serve_dir()
  /// What every upstream journals (and so what the file and the control API's feed get).
  sim::JournalLevel journal_level = sim::JournalLevel::bytes;
  /// Past this size the journal file becomes PATH.1 (replacing the previous one) and a new PATH
  /// starts: the disk holds at most about twice this. 0: no cap.
  std::uint64_t journal_max_bytes = default_journal_max_bytes;
  static constexpr std::uint64_t default_journal_max_bytes = 1024ull * 1024 * 1024;  // 1 GiB
  /// Threads serving the upstreams (ServeThreads): each has its own listener on every
  /// upstream's port; state, timeline and journal are shared. 1: serve's one thread, as ever.
  unsigned threads = 1;
  /// Non-empty: serve the control API (docs/control-api.md) at this HOST:PORT.
  std::string control;
  /// The control API's bearer token; required with control_allow_remote.
  std::string control_token;
  /// Allow a non-loopback control address (only with a token).
  bool control_allow_remote = false;
  /// The timeline's t = 0 at this wall-clock instant (load agents share it); unset: at once.
  std::optional<std::chrono::system_clock::time_point> start_at;
};

/// Why the control options cannot be used together, or empty (a usage error: exit 2).
std::string check_control_options(const ServeOptions& options);

/// ${TMPDIR:-/tmp}/badgateway/serve-<scenario>-<pid>
std::string default_serve_dir(const std::string& scenario_name);

/// Runs until SIGINT or SIGTERM. Exit code: 0 stopped cleanly, 2 invalid scenario, 3 an
/// upstream could not bind or the journal could not be written.
int run_serve(const ServeOptions& options, std::ostream& out, std::ostream& err);

}  // namespace bgw::cli
