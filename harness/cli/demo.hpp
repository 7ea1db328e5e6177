// `badgateway demo`: start one fake upstream per fault, hit each with a raw client, and print
// what the client observed. The smallest end-to-end look at the fault engine.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace bgw::cli {

struct DemoOptions {
  std::vector<std::string> faults;  ///< empty: a representative selection
  bool all = false;                 ///< every catalogue fault
};

/// Returns the process exit code (0 unless a fault name is unknown: 2).
int run_demo(const DemoOptions& options, std::ostream& out, std::ostream& err);

/// The representative selection used when no fault is named.
std::vector<std::string> default_demo_faults();

}  // namespace bgw::cli
