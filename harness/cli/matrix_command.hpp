// `badgateway matrix`: the scenario suite against several proxies, one after another, written
// as a self-contained HTML report, a Markdown table and JSON (docs/matrix.md).
#pragma once

#include <string>
#include <vector>

namespace bgw::cli {

/// Parses the arguments after "matrix" and runs. Returns the exit code: 0 the matrix was written
/// (whatever the proxies did: their failures are its data), 2 usage or scenario error, 3 harness
/// error (such as an output that cannot be written), 130 interrupted (what ran is still written).
int matrix_command(const std::vector<std::string>& args);

/// The usage text of `matrix`; `--proxies` lists the adapters find_proxies_dir() holds.
std::string matrix_usage();

}  // namespace bgw::cli
