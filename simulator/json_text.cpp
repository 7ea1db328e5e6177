#include "json_text.hpp"

#include <boost/json/serialize.hpp>

#include <charconv>
#include <cmath>

namespace bgw::sim {

void append_json_text(std::string& out, const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::double_: {
      const double d = v.get_double();
      if (!std::isfinite(d)) {
        out += "null";
        return;
      }
      char buf[32];
      const auto r = std::to_chars(buf, buf + sizeof buf, d);
      out.append(buf, r.ptr);
      return;
    }
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& kv : v.get_object()) {
        if (!first) out += ',';
        first = false;
        out += boost::json::serialize(boost::json::string_view(kv.key()));
        out += ':';
        append_json_text(out, kv.value());
      }
      out += '}';
      return;
    }
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out += ',';
        first = false;
        append_json_text(out, e);
      }
      out += ']';
      return;
    }
    default:
      out += boost::json::serialize(v);  // strings, integers, booleans, null
  }
}

std::string json_text(const boost::json::value& v) {
  std::string out;
  append_json_text(out, v);
  return out;
}

}  // namespace bgw::sim
