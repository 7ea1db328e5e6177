#include "discover.hpp"

#include <algorithm>
#include <system_error>

namespace bgw::scenario {

Discovered find_scenario_files(const std::vector<std::filesystem::path>& paths) {
  namespace fs = std::filesystem;
  Discovered out;
  for (const fs::path& p : paths) {
    std::error_code ec;
    const auto st = fs::status(p, ec);
    if (ec || !fs::exists(st)) {
      out.errors.push_back(p.string() + ": no such file or directory");
      continue;
    }
    if (!fs::is_directory(st)) {
      out.files.push_back(p);
      continue;
    }
    std::vector<fs::path> found;
    fs::recursive_directory_iterator it(p, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file(ec) && it->path().extension() == ".toml") found.push_back(it->path());
    }
    if (ec) out.errors.push_back(p.string() + ": " + ec.message());
    std::sort(found.begin(), found.end());
    out.files.insert(out.files.end(), found.begin(), found.end());
  }
  return out;
}

}  // namespace bgw::scenario
