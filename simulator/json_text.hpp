// JSON text from a Boost.JSON value, with numbers as people write them. Boost.JSON 1.81 writes
// every double in scientific form (613.161 as 6.13161E2, 0 as 0E0); journals and reports are
// read by people, in failure transcripts first of all, so doubles are written here in their
// shortest round-trip form (std::to_chars: 613.161, 0, 500). Everything else, string escaping
// included, is Boost.JSON's own serializer.
#pragma once

#include <boost/json/value.hpp>

#include <string>

namespace bgw::sim {

/// Compact JSON (no spaces). A NaN or infinite double, which JSON cannot hold, is null.
std::string json_text(const boost::json::value& v);
void append_json_text(std::string& out, const boost::json::value& v);

}  // namespace bgw::sim
