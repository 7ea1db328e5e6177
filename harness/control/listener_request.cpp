#include "listener_request.hpp"

#include <boost/json/value.hpp>

#include <string>
#include <vector>

#include "harness/control/json_body.hpp"
#include "harness/scenario/vocabulary.hpp"

namespace bgw::control {

std::variant<sim::ListenerMode, ApiError> decode_listener(std::string_view body) {
  auto parsed = parse_json_body(body);
  if (auto* e = std::get_if<ApiError>(&parsed)) return std::move(*e);
  const auto* o = std::get<boost::json::value>(parsed).if_object();
  if (o == nullptr)
    return invalid_field("", "the body must be a JSON object: {\"mode\": \"refuse\"}");
  for (const auto& kv : *o) {
    if (kv.key() != "mode") {
      constexpr std::string_view known[] = {"mode"};
      const std::string hint = scenario::closest_word(kv.key(), known);
      return invalid_field(
          "/" + std::string(kv.key()),
          "unknown key '" + std::string(kv.key()) + "'" +
              (hint.empty() ? " (the only key is 'mode')" : "; did you mean 'mode'?"));
    }
  }
  const auto* mode = o->if_contains("mode");
  if (mode == nullptr)
    return invalid_field("", "'mode' is missing: \"accept\", \"refuse\" or \"blackhole\"");
  std::vector<std::string_view> names;
  if (const auto* s = mode->if_string()) {
    for (const auto& sp : scenario::spellings<sim::ListenerMode>()) {
      if (sp.name == *s) return sp.value;
      names.push_back(sp.name);
    }
    const std::string hint = scenario::closest_word(*s, names);
    return invalid_field("/mode", "'mode' must be \"accept\", \"refuse\" or \"blackhole\", not \"" +
                                      std::string(*s) + "\"" +
                                      (hint.empty() ? "" : "; did you mean \"" + hint + "\"?"));
  }
  return invalid_field("/mode", "'mode' must be a string: \"accept\", \"refuse\" or \"blackhole\"");
}

}  // namespace bgw::control
