// Generated parts of docs/scenario-format.md, so the reference follows the code: the fault
// catalogue table (`badgateway faults --markdown` prints it; a unit test compares it with the
// docs).
#pragma once

#include <string>

namespace bgw::scenario {

/// The fault catalogue as a Markdown table: name, scope, parameters (type, default), wire effect.
std::string fault_table_markdown();

}  // namespace bgw::scenario
