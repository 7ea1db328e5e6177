// `badgateway merge`: the JSON reports of the shards of a run into one JUnit, JSON (and TAP)
// report, checked to belong together (run/merge_reports.hpp).
#pragma once

#include <string>
#include <vector>

namespace bgw::cli {

/// Parses the arguments after "merge" and merges. Returns the merged run's exit code (what one
/// unsharded run would have exited with: 0, 1, 3, 4, 77, 130), 2 on a usage error or inputs
/// that cannot be merged, 3 when an output cannot be written.
int merge_command(const std::vector<std::string>& args);

std::string merge_usage();

}  // namespace bgw::cli
