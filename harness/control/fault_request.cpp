#include "fault_request.hpp"

#include <boost/json.hpp>

#include "harness/control/json_as_toml.hpp"
#include "harness/control/json_body.hpp"
#include "harness/scenario/runtime_tables.hpp"

namespace bgw::control {
std::variant<FaultRequest, ApiError> decode_fault_request(std::string_view body,
                                                          const sim::Response& base,
                                                          bool tls_upstream) {
  auto parsed = parse_json_body(body);
  if (auto* e = std::get_if<ApiError>(&parsed)) return std::move(*e);
  const boost::json::value& v = std::get<boost::json::value>(parsed);

  std::vector<const boost::json::object*> objects;
  std::vector<std::string> pointers;
  if (const auto* o = v.if_object()) {
    objects.push_back(o);
    pointers.emplace_back();
  } else if (const auto* a = v.if_array()) {
    for (std::size_t i = 0; i < a->size(); ++i) {
      const auto* item = (*a)[i].if_object();
      if (item == nullptr)
        return invalid_field("/" + std::to_string(i), "a fault rule must be a JSON object");
      objects.push_back(item);
      pointers.push_back("/" + std::to_string(i));
    }
  } else {
    return invalid_field("", "the body must be a fault rule (a JSON object) or an array of them");
  }
  if (auto at = find_null(v))
    return invalid_field(*at, "null is not a value here; leave the key out for its default");

  const TomlText toml = objects_as_toml("rule", objects, pointers);
  auto decoded = scenario::decode_fault_rules(
      toml.text, base, "switch the listener with PUT /upstreams/{name}/listener instead",
      tls_upstream);
  if (!decoded.ok()) return invalid_request(toml, decoded.diagnostics, "invalid fault rules");
  return FaultRequest{std::move(decoded.rules), std::move(decoded.origins), v};
}

}  // namespace bgw::control
