#include "list.hpp"

#include <algorithm>
#include <ostream>

#include "harness/cli/data_dirs.hpp"
#include "harness/scenario/discover.hpp"
#include "harness/scenario/load.hpp"

namespace bgw::cli {
namespace {

struct Row {
  std::string name, tags, description;
};

std::string first_line(const std::string& text) {
  const auto end = text.find('\n');
  return end == std::string::npos ? text : text.substr(0, end);
}

}  // namespace

int run_list(const std::vector<std::string>& dirs, std::ostream& out, std::ostream& err) {
  const std::vector<std::string> where =
      dirs.empty() ? std::vector<std::string>{find_scenarios_dir()} : dirs;
  const auto found =
      scenario::find_scenario_files(std::vector<std::filesystem::path>(where.begin(), where.end()));
  int status = found.errors.empty() ? 0 : 2;
  for (const auto& e : found.errors) err << "badgateway list: " << e << "\n";
  std::vector<Row> rows;
  for (const auto& file : found.files) {
    const auto result = scenario::load_scenario(file);
    if (!result.ok()) {
      err << file.string() << ": invalid (" << result.diagnostics.size()
          << (result.diagnostics.size() == 1 ? " error" : " errors") << "; run badgateway check "
          << file.string() << ")\n";
      status = 2;
      continue;
    }
    const scenario::Meta& m = result.scenario->meta;
    std::string tags = "[";
    for (std::size_t i = 0; i < m.tags.size(); ++i) tags += (i ? ", " : "") + m.tags[i];
    rows.push_back(Row{m.name, tags + "]", first_line(m.description)});
  }
  std::size_t name_w = 0, tags_w = 0;
  for (const Row& r : rows) {
    name_w = std::max(name_w, r.name.size());
    tags_w = std::max(tags_w, r.tags.size());
  }
  for (const Row& r : rows) {
    out << r.name << std::string(name_w - r.name.size() + 2, ' ') << r.tags
        << std::string(tags_w - r.tags.size() + 2, ' ') << r.description << "\n";
  }
  return status;
}

}  // namespace bgw::cli
