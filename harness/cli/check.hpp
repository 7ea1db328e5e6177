// `badgateway check FILE|DIR...`: load every scenario (directories recursively, *.toml), print
// each problem as `file:line:col: error: message` on stderr and a summary line on stdout.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace bgw::cli {

/// Exit code: 0 when every file is valid, 2 when any is invalid or no file was found.
int run_check(const std::vector<std::string>& paths, std::ostream& out, std::ostream& err);

}  // namespace bgw::cli
