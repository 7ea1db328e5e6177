#include "reference.hpp"

#include "simulator/fault_catalogue.hpp"

namespace bgw::scenario {
namespace {

// Table cells: no pipes, and no '<' that Markdown would take for an HTML tag.
std::string cell(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '|')
      out += "\\|";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else
      out += c;
  }
  return out;
}

}  // namespace

std::string fault_table_markdown() {
  std::string out = "| Fault | Scope | Parameters (type, default) | On the wire |\n";
  out += "|---|---|---|---|\n";
  for (const sim::FaultInfo& f : sim::fault_catalogue()) {
    std::string params;
    for (const sim::ParamInfo& p : f.params) {
      if (!params.empty()) params += "<br>";
      params += "`" + std::string(p.name) + "` (" + sim::to_string(p.type) + ", `" +
                std::string(p.default_value) + "`)";
    }
    out += "| `" + std::string(f.name) + "` | " + sim::to_string(f.scope) + " | " +
           (params.empty() ? "—" : params) + " | " + cell(f.wire) + " |\n";
  }
  return out;
}

}  // namespace bgw::scenario
