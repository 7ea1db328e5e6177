// Which proxies become columns, and which of them can run. A proxy that is not installed, or
// whose adapter says `verified = false`, is a column of skips with the reason, never an error
// for the whole matrix; only a proxy the user named that does not exist or does not load is a
// usage error.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "harness/proxy/adapter.hpp"

namespace bgw::matrix {

struct ProxyPlan {
  std::string name;  ///< the adapter's name (the file's stem when it did not load)
  std::string adapter_path;
  std::optional<proxy::Adapter> adapter;  ///< set when the adapter loaded
  std::string version;                    ///< read from the installed proxy; empty if unknown
  std::string skip_reason;                ///< non-empty: do not run; every cell is skip
};

struct ProxyPlans {
  std::vector<ProxyPlan> plans;
  std::vector<std::string> errors;  ///< usage problems: unknown proxy, invalid adapter, duplicate
};

/// The adapter files in `dir` (every *.toml), sorted by name.
std::vector<std::string> adapter_files(const std::string& dir);

/// `requested` (NAME or FILE each) empty: every adapter in `proxies_dir`, where one that does not
/// load becomes a skipped column. Otherwise each must exist and load. Adapter diagnostics go to
/// `diagnostics` as file:line:col lines.
ProxyPlans plan_proxies(const std::vector<std::string>& requested, const std::string& proxies_dir,
                        std::ostream& diagnostics);

}  // namespace bgw::matrix
