// `badgateway load URL [options]`: the load generator on its own, against any loopback URL (a
// proxy, an upstream, nginx). Prints requests/s, status counts, errors by kind and latency
// percentiles; bench/compare_wrk.sh puts it next to wrk.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "harness/load/load_generator.hpp"

namespace bgw::cli {

/// Parses the arguments after "load" and runs. Exit code: 0 the run completed, 1 not one
/// request got a response, 2 usage error, 3 setup error, 130 interrupted (the partial result is
/// printed first).
int load_command(const std::vector<std::string>& args);

/// The usage text of `load`.
const char* load_usage();

/// "http://127.0.0.1:8080/path?q" into host, port (default 80) and target (default "/"), by
/// client::parse_loopback_url. False, with `error` set, for anything else (https, user info, a
/// host that is not loopback, a bad port).
bool parse_load_url(const std::string& url, load::LoadOptions& options, std::string& error);

/// The human summary of a run (what `badgateway load` prints).
void print_load_summary(std::ostream& out, const load::LoadResult& result);

/// The same as one JSON object.
std::string load_summary_json(const load::LoadOptions& options, const load::LoadResult& result);

}  // namespace bgw::cli
