#include "control_api.hpp"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <charconv>
#include <vector>

#include "harness/control/api_error.hpp"
#include "harness/control/fault_request.hpp"
#include "harness/control/json_body.hpp"
#include "harness/control/route_table.hpp"
#include "harness/control/upstream_view.hpp"
#include "harness/scenario/vocabulary.hpp"

namespace bgw::control {
namespace {

namespace json = boost::json;

ApiReply error_reply(const ApiError& e) {
  return ApiReply{e.status, e.to_json(), {}, std::nullopt};
}

ApiReply error_reply(int status, std::string message) {
  return error_reply(ApiError{status, std::move(message), {}});
}

std::optional<std::uint64_t> parse_count(std::string_view s) {
  std::uint64_t v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// {"mode": "accept" | "refuse" | "blackhole"}, with the file's words and did-you-mean.
std::variant<sim::ListenerMode, ApiError> decode_listener(std::string_view body) {
  auto parsed = parse_json_body(body);
  if (auto* e = std::get_if<ApiError>(&parsed)) return std::move(*e);
  const auto* o = std::get<json::value>(parsed).if_object();
  auto invalid = [](std::string path, std::string message) {
    ApiError e{422, message, {}};
    e.errors.push_back({std::move(path), std::move(message)});
    return e;
  };
  if (o == nullptr) return invalid("", "the body must be a JSON object: {\"mode\": \"refuse\"}");
  for (const auto& kv : *o) {
    if (kv.key() != "mode") {
      constexpr std::string_view known[] = {"mode"};
      const std::string hint = scenario::closest_word(kv.key(), known);
      return invalid("/" + std::string(kv.key()),
                     "unknown key '" + std::string(kv.key()) + "'" +
                         (hint.empty() ? " (the only key is 'mode')" : "; did you mean 'mode'?"));
    }
  }
  const auto* mode = o->if_contains("mode");
  if (mode == nullptr)
    return invalid("", "'mode' is missing: \"accept\", \"refuse\" or \"blackhole\"");
  std::vector<std::string_view> names;
  if (const auto* s = mode->if_string()) {
    for (const auto& sp : scenario::spellings<sim::ListenerMode>()) {
      if (sp.name == *s) return sp.value;
      names.push_back(sp.name);
    }
    const std::string hint = scenario::closest_word(*s, names);
    return invalid("/mode", "'mode' must be \"accept\", \"refuse\" or \"blackhole\", not \"" +
                                std::string(*s) + "\"" +
                                (hint.empty() ? "" : "; did you mean \"" + hint + "\"?"));
  }
  return invalid("/mode", "'mode' must be a string: \"accept\", \"refuse\" or \"blackhole\"");
}

}  // namespace

ControlApi::ControlApi(scenario::Simulation& simulation, ChangeJournal& journal,
                       std::string scenario)
    : simulation_(simulation), journal_(journal), scenario_(std::move(scenario)) {}

json::object ControlApi::journal_reply(std::uint64_t since) const {
  json::object out;
  out["entries"] = journal_.since(since);
  out["last_seq"] = journal_.last_seq();
  return out;
}

ApiReply ControlApi::handle(const ApiRequest& request) {
  auto url = boost::urls::parse_origin_form(request.target);
  if (!url) return error_reply(400, "the request target is not a path: " + url.error().message());
  const std::string path = url->path();
  auto matched = match_route(request.method, path);
  if (std::holds_alternative<NotFound>(matched))
    return error_reply(404, "no route " + path + " (see docs/control-api.md)");
  if (auto* m = std::get_if<MethodNotAllowed>(&matched)) {
    ApiReply r = error_reply(
        405, std::string(request.method) + " is not allowed on " + path + "; allowed: " + m->allow);
    r.allow = m->allow;
    return r;
  }
  const RouteMatch& route = std::get<RouteMatch>(matched);

  switch (route.id) {
    case RouteId::health:
      return {200,
              json::object{{"status", "ok"},
                           {"scenario", scenario_},
                           {"upstreams", simulation_.upstream_names().size()},
                           {"last_seq", journal_.last_seq()}},
              {},
              std::nullopt};
    case RouteId::list_upstreams: {
      json::array list;
      for (const std::string& name : simulation_.upstream_names())
        list.push_back(upstream_view(name, *simulation_.find(name)));
      return {200, json::object{{"upstreams", std::move(list)}}, {}, std::nullopt};
    }
    case RouteId::reset: {
      try {
        simulation_.reset_to_file();
      } catch (const std::exception& e) {
        journal_.add("reset", "", {{"error", e.what()}});
        return error_reply(500, std::string("reset failed: ") + e.what());
      }
      const auto seq = journal_.add("reset", "");
      return {200, json::object{{"seq", seq}}, {}, std::nullopt};
    }
    case RouteId::journal: {
      std::uint64_t since = 0;
      std::chrono::milliseconds wait = default_journal_wait;
      for (const auto& p : url->params()) {
        if (p.key == "since") {
          auto v = parse_count(p.value);
          if (!v) return error_reply(400, "'since' must be a sequence number (0 or more)");
          since = *v;
        } else if (p.key == "wait_ms") {
          auto v = parse_count(p.value);
          if (!v || *v > static_cast<std::uint64_t>(max_journal_wait.count()))
            return error_reply(
                400, "'wait_ms' must be 0 to " + std::to_string(max_journal_wait.count()));
          wait = std::chrono::milliseconds(*v);
        } else {
          return error_reply(400, "unknown query parameter '" + std::string(p.key) +
                                      "' (GET /journal takes since and wait_ms)");
        }
      }
      ApiReply r{200, journal_reply(since), {}, std::nullopt};
      if (journal_.last_seq() <= since && wait.count() > 0) r.long_poll = LongPoll{since, wait};
      return r;
    }
    default:
      break;
  }

  // The routes of one upstream.
  sim::Upstream* up = simulation_.find(route.name);
  if (up == nullptr) {
    const auto names = simulation_.upstream_names();
    const std::vector<std::string_view> views(names.begin(), names.end());
    const std::string hint = scenario::closest_word(route.name, views);
    return error_reply(404, "no upstream named '" + route.name + "'" +
                                (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
  }
  auto changed = [&](std::string action, json::object detail = {}) {
    const auto seq = journal_.add(std::move(action), route.name, std::move(detail));
    return ApiReply{200,
                    json::object{{"seq", seq}, {"upstream", upstream_view(route.name, *up)}},
                    {},
                    std::nullopt};
  };
  try {
    switch (route.id) {
      case RouteId::get_upstream:
        return {200, upstream_view(route.name, *up), {}, std::nullopt};
      case RouteId::set_faults: {
        auto decoded = decode_fault_request(request.body, up->response());
        if (auto* e = std::get_if<ApiError>(&decoded)) return error_reply(*e);
        auto& faults = std::get<FaultRequest>(decoded);
        up->set_rules(std::move(faults.rules));
        return changed("set_faults", {{"request", std::move(faults.body)}});
      }
      case RouteId::clear_faults:
        up->set_rules({});
        return changed("clear_faults");
      case RouteId::crash:
        up->crash();
        return changed("crash");
      case RouteId::restart:
        up->restart();
        return changed("restart");
      case RouteId::set_listener: {
        auto mode = decode_listener(request.body);
        if (auto* e = std::get_if<ApiError>(&mode)) return error_reply(*e);
        up->set_mode(std::get<sim::ListenerMode>(mode));
        return changed("set_listener", {{"mode", sim::to_string(up->mode())}});
      }
      default:
        break;
    }
  } catch (const std::exception& e) {
    // A listener that cannot be re-bound: the mode is unchanged, say so.
    journal_.add("error", route.name, {{"error", e.what()}});
    return error_reply(500, e.what());
  }
  return error_reply(500, "route not implemented");
}

}  // namespace bgw::control
