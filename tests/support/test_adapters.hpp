// Adapters for integration tests: the shipped ones from proxies/, and the mini proxy's adapter
// written with the built binary's path (needs BGW_MINI_PROXY_EXE, an integration-test define).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <string>

#include "harness/proxy/adapter.hpp"
#include "support/test_files.hpp"
#include "unit/scenario/repo_root.hpp"

namespace bgw::test {

/// The adapter `name` ("mini" or a file name in proxies/); the mini adapter is written to `dir`.
/// Loading problems are test failures.
inline std::optional<proxy::Adapter> load_test_adapter(const std::string& name,
                                                       const std::filesystem::path& dir) {
  const auto root = repo_root();
  if (!root) return std::nullopt;
  std::filesystem::path path = *root / "proxies" / (name + ".toml");
  if (name == "mini") {
    std::string text = read_file(*root / "tests/support/mini_proxy/mini.toml.in");
    text = std::regex_replace(text, std::regex("@PROGRAM@"), BGW_MINI_PROXY_EXE);
    text = std::regex_replace(text, std::regex("@TEMPLATE@"),
                              (*root / "tests/support/mini_proxy/mini.conf.in").string());
    path = dir / "mini.toml";
    std::ofstream(path) << text;
  }
  auto load = proxy::load_adapter(path.string());
  for (const auto& d : load.diagnostics) ADD_FAILURE() << d.to_string();
  return load.adapter;
}

}  // namespace bgw::test
