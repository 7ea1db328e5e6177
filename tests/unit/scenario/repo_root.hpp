// The repository root: BGW_SOURCE_DIR (tests/CMakeLists.txt passes the absolute source dir, so
// tests pass in any build directory); without it, walk up from this source file, then from the
// working directory, to the first directory holding docs/scenario-format.md.
#pragma once

#include <filesystem>
#include <optional>

namespace bgw::test {

inline std::optional<std::filesystem::path> repo_root() {
  namespace fs = std::filesystem;
  std::error_code ec;
#ifdef BGW_SOURCE_DIR
  if (fs::exists(fs::path(BGW_SOURCE_DIR) / "docs" / "scenario-format.md", ec))
    return fs::path(BGW_SOURCE_DIR);
#endif
  for (fs::path start : {fs::path(__FILE__).parent_path(), fs::current_path(ec)}) {
    for (fs::path p = fs::absolute(start, ec); !p.empty(); p = p.parent_path()) {
      if (fs::exists(p / "docs" / "scenario-format.md", ec)) return p;
      if (p == p.parent_path()) break;
    }
  }
  return std::nullopt;
}

}  // namespace bgw::test
