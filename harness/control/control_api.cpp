#include "control_api.hpp"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <vector>

#include "harness/control/api_error.hpp"
#include "harness/control/fault_request.hpp"
#include "harness/control/journal_query.hpp"
#include "harness/control/listener_request.hpp"
#include "harness/control/route_table.hpp"
#include "harness/control/upstream_request.hpp"
#include "harness/control/upstream_view.hpp"
#include "harness/scenario/vocabulary.hpp"

namespace bgw::control {
namespace {

namespace json = boost::json;

ApiReply error_reply(const ApiError& e) {
  ApiReply r;
  r.status = e.status;
  r.body = e.to_json();
  return r;
}

ApiReply ok(json::value body, int status = 200) {
  ApiReply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

// A did-you-mean for a name that is not an upstream.
ApiReply unknown_upstream(const scenario::Simulation& simulation, const std::string& name) {
  const auto names = simulation.upstream_names();
  const std::vector<std::string_view> views(names.begin(), names.end());
  const std::string hint = scenario::closest_word(name, views);
  return error_reply(ApiError{
      404,
      "no upstream named '" + name + "'" + (hint.empty() ? "" : "; did you mean '" + hint + "'?"),
      {}});
}

ApiReply error_reply(int status, std::string message) {
  return error_reply(ApiError{status, std::move(message), {}});
}

}  // namespace

ControlApi::ControlApi(scenario::Simulation& simulation, EventFeed& feed, std::string scenario)
    : simulation_(simulation), feed_(feed), scenario_(std::move(scenario)) {}

json::object ControlApi::journal_reply(std::uint64_t since, std::size_t limit) const {
  json::object out;
  out["entries"] = feed_.since(since, limit);
  out["first_seq"] = feed_.first_seq();
  out["last_seq"] = feed_.last_seq();
  out["missed"] = since + 1 < feed_.first_seq() ? feed_.first_seq() - since - 1 : 0;
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
      return ok(json::object{{"status", "ok"},
                             {"scenario", scenario_},
                             {"upstreams", simulation_.upstream_names().size()},
                             {"last_seq", feed_.last_seq()}});
    case RouteId::list_upstreams: {
      json::array list;
      for (const std::string& name : simulation_.upstream_names())
        list.push_back(upstream_view(name, *simulation_.find(name)));
      return ok(json::object{{"upstreams", std::move(list)}});
    }
    case RouteId::add_upstream: {
      auto decoded = decode_upstream_request(request.body);
      if (auto* e = std::get_if<ApiError>(&decoded)) return error_reply(*e);
      auto& added = std::get<UpstreamRequest>(decoded);
      const std::string name = added.upstream.name;
      if (simulation_.find(name) != nullptr)
        return error_reply(409, "an upstream named '" + name + "' already runs; DELETE it first");
      try {
        sim::Upstream& up = simulation_.add_upstream(name, std::move(added.upstream.spec));
        const auto seq = feed_.add_change("add_upstream", name, {{"request", added.body}});
        return ok(json::object{{"seq", seq}, {"upstream", upstream_view(name, up)}}, 201);
      } catch (const std::exception& e) {
        // A port already taken, or an address this machine does not have.
        return error_reply(409, "upstream '" + name + "': " + e.what());
      }
    }
    case RouteId::reset: {
      try {
        simulation_.reset_to_file();
      } catch (const std::exception& e) {
        feed_.add_change("reset", "", {{"error", e.what()}});
        return error_reply(500, std::string("reset left some upstreams down: ") + e.what());
      }
      return ok(json::object{{"seq", feed_.add_change("reset", "")}});
    }
    case RouteId::journal:
    case RouteId::events: {
      const bool events = route.id == RouteId::events;
      auto query = decode_journal_query(*url, events, request.last_event_id);
      if (auto* e = std::get_if<ApiError>(&query)) return error_reply(*e);
      const auto& q = std::get<JournalQuery>(query);
      if (events) {
        ApiReply r;
        r.event_stream = EventStream{q.since};
        return r;
      }
      ApiReply r = ok(journal_reply(q.since, q.limit));
      if (feed_.last_seq() <= q.since && q.wait.count() > 0)
        r.long_poll = LongPoll{q.since, q.limit, q.wait};
      return r;
    }
    default:
      return upstream_route(static_cast<int>(route.id), route.name, request);
  }
}

ApiReply ControlApi::upstream_route(int route_id, const std::string& name,
                                    const ApiRequest& request) {
  const auto route = static_cast<RouteId>(route_id);
  sim::Upstream* up = simulation_.find(name);
  if (up == nullptr) return unknown_upstream(simulation_, name);
  auto changed = [&](std::string action, json::object detail = {}) {
    const auto seq = feed_.add_change(std::move(action), name, std::move(detail));
    return ok(json::object{{"seq", seq}, {"upstream", upstream_view(name, *up)}});
  };
  try {
    switch (route) {
      case RouteId::get_upstream:
        return ok(upstream_view(name, *up));
      case RouteId::remove_upstream: {
        simulation_.remove_upstream(name);
        return ok(json::object{{"seq", feed_.add_change("remove_upstream", name)}});
      }
      case RouteId::set_faults: {
        auto decoded = decode_fault_request(request.body, up->response(), up->tls() != nullptr);
        if (auto* e = std::get_if<ApiError>(&decoded)) return error_reply(*e);
        auto& faults = std::get<FaultRequest>(decoded);
        // In a file, nth/first/last count from the upstream's start; set at runtime, they count
        // from the change: nth = 1 is the next request (or connection), whatever came before.
        for (sim::Rule& r : faults.rules) {
          const std::uint64_t base = r.scope == sim::RuleScope::connection
                                         ? up->journal().connections()
                                         : up->journal().requests();
          r.match.first += base;
          if (r.match.last != sim::Match::every().last) r.match.last += base;
        }
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
    // A listener that cannot be re-bound: the mode is unchanged, and the journal says so.
    feed_.add_change("error", name, {{"error", e.what()}});
    return error_reply(500, "upstream '" + name + "': " + e.what());
  }
  return error_reply(500, "route not implemented");
}

}  // namespace bgw::control
