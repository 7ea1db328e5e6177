#include "data_dirs.hpp"

#include <cstdlib>
#include <system_error>

namespace bgw::cli {

namespace fs = std::filesystem;

fs::path self_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::current_path() : exe.parent_path();
}

fs::path installed_data_dir(const fs::path& exe_dir) {
  std::error_code ec;
  const fs::path share = (exe_dir / ".." / "share" / "badgateway").lexically_normal();
  return fs::is_directory(share / "proxies", ec) ? share : fs::path();
}

std::string find_proxies_dir() {
  if (const char* env = std::getenv("BGW_PROXIES_DIR"); env && *env) return env;
  const fs::path here = self_dir();
  // Installed first: /usr/bin/badgateway -> /usr/share/badgateway/proxies, wherever the prefix.
  if (const fs::path share = installed_data_dir(here); !share.empty())
    return (share / "proxies").string();
  std::error_code ec;
  // build/<preset>/harness/badgateway -> <source>/proxies
  for (fs::path p = here; !p.empty() && p != p.parent_path(); p = p.parent_path()) {
    if (fs::exists(p / "proxies" / "nginx.toml", ec)) return (p / "proxies").string();
  }
  return "proxies";
}

std::string find_scenarios_dir() {
  std::error_code ec;
  if (fs::is_directory("scenarios", ec)) return "scenarios";
  if (const fs::path share = installed_data_dir(self_dir()); !share.empty())
    return (share / "scenarios").string();
  return "scenarios";
}

}  // namespace bgw::cli
