#include "check.hpp"

#include <map>
#include <ostream>

#include "harness/scenario/discover.hpp"
#include "harness/scenario/load.hpp"

namespace bgw::cli {

int run_check(const std::vector<std::string>& paths, std::ostream& out, std::ostream& err) {
  const auto found =
      scenario::find_scenario_files(std::vector<std::filesystem::path>(paths.begin(), paths.end()));
  std::size_t invalid = 0, errors = 0;
  for (const auto& e : found.errors) {
    err << e << "\n";
    ++errors;
  }
  // Scenario names label reports and CTest names, so they must be unique across a suite.
  std::map<std::string, std::string, std::less<>> names;
  for (const auto& file : found.files) {
    auto result = scenario::load_scenario(file);
    if (result.ok()) {
      const scenario::Meta& meta = result.scenario->meta;
      const auto [it, fresh] = names.emplace(meta.name, file.string());
      if (!fresh) {
        result.diagnostics.push_back(scenario::Diagnostic{
            meta.where, "scenario name '" + meta.name + "' is also used by " + it->second});
      }
    }
    for (const auto& d : result.diagnostics) err << d.to_string() << "\n";
    errors += result.diagnostics.size();
    if (!result.diagnostics.empty()) ++invalid;
  }
  if (found.files.empty()) {
    err << "badgateway check: no scenario files (*.toml) found\n";
    return 2;
  }
  const std::size_t n = found.files.size();
  out << "checked " << n << (n == 1 ? " file: " : " files: ") << n - invalid << " valid, "
      << invalid << " invalid (" << errors << (errors == 1 ? " error" : " errors") << ")\n";
  return invalid == 0 && found.errors.empty() ? 0 : 2;
}

}  // namespace bgw::cli
