// The control API's routes as data: which methods each path takes, and matching a request's
// method and path against them (404 for an unknown path, 405 with the allowed methods for a
// known path and another method). docs/control-api.yaml is checked against this table by a
// unit test, so the OpenAPI description cannot drift from the server.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace bgw::control {

enum class RouteId : std::uint8_t {
  health,
  list_upstreams,
  add_upstream,
  get_upstream,
  remove_upstream,
  set_faults,
  clear_faults,
  crash,
  restart,
  set_listener,
  reset,
  journal,
  events,
};

struct Route {
  std::string_view method;   ///< "GET", "PUT", "POST", "DELETE"
  std::string_view pattern;  ///< "/upstreams/{name}/faults": a {name} segment matches any one
  RouteId id;
};

/// Every route, in documentation order.
std::span<const Route> routes();

struct RouteMatch {
  RouteId id;
  std::string name;  ///< the {name} segment, when the pattern has one
};
struct NotFound {};
struct MethodNotAllowed {
  std::string allow;  ///< "GET, PUT": the Allow header
};

/// `path` without the query string.
std::variant<RouteMatch, NotFound, MethodNotAllowed> match_route(std::string_view method,
                                                                 std::string_view path);

}  // namespace bgw::control
