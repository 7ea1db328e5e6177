#include "upstream_request.hpp"

#include <boost/json.hpp>

#include "harness/control/json_as_toml.hpp"
#include "harness/control/json_body.hpp"
#include "harness/scenario/runtime_tables.hpp"

namespace bgw::control {
std::variant<UpstreamRequest, ApiError> decode_upstream_request(std::string_view body) {
  auto parsed = parse_json_body(body);
  if (auto* e = std::get_if<ApiError>(&parsed)) return std::move(*e);
  const boost::json::value& v = std::get<boost::json::value>(parsed);
  const auto* o = v.if_object();
  if (o == nullptr)
    return invalid_field("", "the body must be one upstream, a JSON object: {\"name\": \"c\"}");
  if (o->contains("event"))
    return invalid_field(
        "/event",
        "an upstream added at runtime has no timeline ([[upstream.event]]): change it "
        "through the API (faults, listener, crash, restart) when the test needs it");
  if (!o->contains("name"))
    return invalid_field("", "'name' is missing: every upstream has a name");
  if (auto at = find_null(v))
    return invalid_field(*at, "null is not a value here; leave the key out for its default");

  const TomlText toml = objects_as_toml("upstream", {o}, {""});
  auto decoded = scenario::decode_upstream_tables(toml.text);
  if (!decoded.ok()) return invalid_request(toml, decoded.diagnostics, "invalid upstream");
  return UpstreamRequest{std::move(decoded.upstreams.front()), v};
}

}  // namespace bgw::control
