// `badgateway bench`: one scenario's topology under load, the timeline firing meanwhile, and
// what clients suffered during failover (console summary, JSON, HTML timeline).
#pragma once

#include <string>
#include <vector>

namespace bgw::cli {

/// Parses the arguments after "bench" and runs. Returns the exit code: 0 measured, 1 the proxy
/// died during the load, 2 usage or scenario error, 3 harness or setup error, 130 interrupted.
int bench_command(const std::vector<std::string>& args);

/// The usage text of `bench`; `--proxy` lists the adapters find_proxies_dir() holds.
std::string bench_usage();

}  // namespace bgw::cli
