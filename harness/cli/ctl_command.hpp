// `badgateway ctl`: the command-line client of `badgateway serve --control` (docs/control-api.md):
// one action per call (crash an upstream, set its faults, read the journal, follow events...),
// the API's JSON reply on stdout, its error on stderr.
#pragma once

#include <string>
#include <vector>

namespace bgw::cli {

/// Parses the arguments after "ctl" and runs. Exit code: 0 the API answered 2xx, 1 it answered
/// an error (4xx/5xx; its message on stderr), 2 usage error, 3 the API could not be reached.
int ctl_command(const std::vector<std::string>& args);

std::string ctl_usage();

}  // namespace bgw::cli
