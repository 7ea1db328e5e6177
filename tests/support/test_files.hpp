// Files for tests: a fresh scratch directory per test process, and whole-file reads.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace bgw::test {

/// $TMPDIR/bgw-<what>-<pid>, emptied and created: unique per test process, so parallel CTest
/// runs do not share it.
inline std::filesystem::path fresh_temp_dir(const std::string& what) {
  const std::filesystem::path p =
      std::filesystem::temp_directory_path() / ("bgw-" + what + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p;
}

/// The whole file as bytes; empty when it cannot be read.
inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace bgw::test
