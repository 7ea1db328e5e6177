#include "route_table.hpp"

#include <array>
#include <vector>

namespace bgw::control {
namespace {

constexpr std::array route_list{
    Route{"GET", "/health", RouteId::health},
    Route{"GET", "/upstreams", RouteId::list_upstreams},
    Route{"POST", "/upstreams", RouteId::add_upstream},
    Route{"GET", "/upstreams/{name}", RouteId::get_upstream},
    Route{"DELETE", "/upstreams/{name}", RouteId::remove_upstream},
    Route{"PUT", "/upstreams/{name}/faults", RouteId::set_faults},
    Route{"DELETE", "/upstreams/{name}/faults", RouteId::clear_faults},
    Route{"POST", "/upstreams/{name}/crash", RouteId::crash},
    Route{"POST", "/upstreams/{name}/restart", RouteId::restart},
    Route{"PUT", "/upstreams/{name}/listener", RouteId::set_listener},
    Route{"POST", "/reset", RouteId::reset},
    Route{"GET", "/journal", RouteId::journal},
    Route{"GET", "/events", RouteId::events},
};

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.starts_with('/')) path.remove_prefix(1);
  while (true) {
    const auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

// True when `path` fits `pattern`; the {name} segment goes to `name`.
bool fits(std::string_view pattern, std::string_view path, std::string& name) {
  const auto want = segments(pattern), got = segments(path);
  if (want.size() != got.size()) return false;
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (want[i] == "{name}") {
      if (got[i].empty()) return false;
      name = got[i];
    } else if (want[i] != got[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::span<const Route> routes() {
  return route_list;
}

std::variant<RouteMatch, NotFound, MethodNotAllowed> match_route(std::string_view method,
                                                                 std::string_view path) {
  std::string allow;
  for (const Route& r : route_list) {
    std::string name;
    if (!fits(r.pattern, path, name)) continue;
    if (r.method == method) return RouteMatch{r.id, std::move(name)};
    if (!allow.empty()) allow += ", ";
    allow += r.method;
  }
  if (allow.empty()) return NotFound{};
  return MethodNotAllowed{std::move(allow)};
}

}  // namespace bgw::control
