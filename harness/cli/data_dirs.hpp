// Where the shipped data is: the adapters (proxies/) and the scenario suites (scenarios/). Two
// layouts: a build tree inside the source tree (build/<preset>/harness/badgateway), and an
// installed tree (<prefix>/bin/badgateway beside <prefix>/share/badgateway/), so an installed
// badgateway never needs the source tree and never depends on the current directory.
#pragma once

#include <filesystem>
#include <string>

namespace bgw::cli {

/// The directory of the running executable (/proc/self/exe); the current directory if unreadable.
std::filesystem::path self_dir();

/// The installed data directory of an executable in `exe_dir`: `exe_dir`/../share/badgateway
/// when it exists, else empty.
std::filesystem::path installed_data_dir(const std::filesystem::path& exe_dir);

/// Where the shipped adapters are: $BGW_PROXIES_DIR, an installed share/badgateway/proxies
/// beside the executable, the source tree above the build tree, or ./proxies.
std::string find_proxies_dir();

/// Where `badgateway list` looks without arguments: ./scenarios when the current directory has
/// one (a source checkout), else the installed share/badgateway/scenarios, else "scenarios" (whose
/// absence `list` then reports).
std::string find_scenarios_dir();

}  // namespace bgw::cli
