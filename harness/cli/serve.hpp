// `badgateway serve FILE [--journal PATH]`: start only the scenario's upstreams, print their
// bindings as one JSON line on stdout, run the timeline, and on SIGINT/SIGTERM stop and write
// every upstream's journal as JSON lines. Lets other harnesses and languages use the simulator.
#pragma once

#include <iosfwd>
#include <string>

namespace bgw::cli {

struct ServeOptions {
  std::string file;
  std::string journal;  ///< empty: <run dir>/journal.jsonl, see default_serve_dir()
};

/// ${TMPDIR:-/tmp}/badgateway/serve-<scenario>-<pid>
std::string default_serve_dir(const std::string& scenario_name);

/// Runs until SIGINT or SIGTERM. Exit code: 0 stopped cleanly, 2 invalid scenario, 3 an
/// upstream could not bind or the journal could not be written.
int run_serve(const ServeOptions& options, std::ostream& out, std::ostream& err);

}  // namespace bgw::cli
