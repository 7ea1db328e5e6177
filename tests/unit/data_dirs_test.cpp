// An installed badgateway finds share/badgateway beside its own bin/, wherever the prefix; a
// build tree (no share/ beside it) has none, and falls back to the source tree.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "harness/cli/data_dirs.hpp"
#include "support/test_files.hpp"

namespace {

namespace fs = std::filesystem;
using bgw::cli::installed_data_dir;

TEST(DataDirs, InstalledPrefixIsFoundFromTheExecutableDirectory) {
  const fs::path prefix = bgw::test::fresh_temp_dir("data-dirs-installed");
  fs::create_directories(prefix / "bin");
  fs::create_directories(prefix / "share" / "badgateway" / "proxies");
  EXPECT_EQ(installed_data_dir(prefix / "bin"),
            (prefix / "share" / "badgateway").lexically_normal());
  fs::remove_all(prefix);
}

TEST(DataDirs, ABuildTreeHasNoInstalledDataDirectory) {
  const fs::path build = bgw::test::fresh_temp_dir("data-dirs-build");
  fs::create_directories(build / "harness");
  // share/badgateway without adapters is not an installation (another package's directory).
  fs::create_directories(build / "share" / "badgateway");
  EXPECT_TRUE(installed_data_dir(build / "harness").empty());
  fs::remove_all(build);
}

}  // namespace
