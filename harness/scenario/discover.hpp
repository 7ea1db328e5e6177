// Finding scenario files: a file argument is taken as is, a directory is searched recursively
// for *.toml, in a stable (sorted) order so output and reports do not depend on the file system.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace bgw::scenario {

struct Discovered {
  std::vector<std::filesystem::path> files;
  std::vector<std::string> errors;  ///< "path: no such file or directory", ...
};

Discovered find_scenario_files(const std::vector<std::filesystem::path>& paths);

}  // namespace bgw::scenario
