// The scenario loader (harness/scenario/load.hpp) on arbitrary text: no exception escapes, a
// scenario comes back exactly when there are no diagnostics, and every diagnostic has a position
// and a message. (tests/unit/scenario/fuzz_test.cpp runs a seeded loop of the same contract.)
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "harness/scenario/load.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  bgw::scenario::LoadResult r;
  try {
    r = bgw::scenario::load_scenario_text(text, "fuzz.toml");
  } catch (...) {
    std::abort();  // the loader's contract: every problem is a diagnostic
  }
  if (r.ok() != r.diagnostics.empty()) std::abort();
  for (const auto& d : r.diagnostics)
    if (d.where.line == 0 || d.where.column == 0 || d.message.empty()) std::abort();
  return 0;
}
