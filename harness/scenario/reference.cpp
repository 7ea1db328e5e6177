#include "reference.hpp"

#include "harness/text/escape.hpp"
#include "simulator/fault_catalogue.hpp"

namespace bgw::scenario {
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
           (params.empty() ? "—" : params) + " | " + text::markdown_cell(f.wire) + " |\n";
  }
  return out;
}

}  // namespace bgw::scenario
