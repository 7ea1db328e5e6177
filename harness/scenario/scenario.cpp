#include "scenario.hpp"

#include <algorithm>

namespace bgw::scenario {

bool StatusSet::matches(std::optional<int> status) const {
  if (!status) return none;
  if (std::find(codes.begin(), codes.end(), *status) != codes.end()) return true;
  return std::find(classes.begin(), classes.end(), *status / 100) != classes.end();
}

std::string StatusSet::to_string() const {
  std::vector<std::string> parts;
  for (const int c : codes) parts.push_back(std::to_string(c));
  for (const int c : classes) parts.push_back(std::to_string(c) + "xx");
  if (none) parts.emplace_back("no response");
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += i + 1 == parts.size() ? " or " : ", ";
    out += parts[i];
  }
  return out;
}

std::string CountRange::to_string() const {
  if (min == max) return std::to_string(min);
  if (max == std::numeric_limits<std::uint64_t>::max()) return "at least " + std::to_string(min);
  if (min == 0) return "at most " + std::to_string(max);
  return std::to_string(min) + " to " + std::to_string(max);
}

bool ResponseChecks::empty() const {
  return !status && !within && !not_before && !body && !body_equals && !connection &&
         headers.empty() && head_contains.empty() && any_of.empty();
}

void ResponseChecks::apply(const ResponseChecks& over) {
  if (over.status) status = over.status;
  if (over.within) within = over.within;
  if (over.not_before) not_before = over.not_before;
  if (over.body) body = over.body;
  if (over.body_equals) body_equals = over.body_equals;
  if (over.connection) connection = over.connection;
  if (!over.headers.empty()) headers = over.headers;
  if (!over.head_contains.empty()) head_contains = over.head_contains;
  if (!over.any_of.empty()) {
    any_of = over.any_of;
    any_of_where = over.any_of_where;
  }
}

bool UpstreamChecks::empty() const {
  return !connections && !requests && !non_idempotent_once;
}

void UpstreamChecks::apply(const UpstreamChecks& over) {
  if (over.connections) connections = over.connections;
  if (over.requests) requests = over.requests;
  if (over.non_idempotent_once) non_idempotent_once = over.non_idempotent_once;
}

const Upstream* Scenario::find_upstream(std::string_view name) const {
  for (const Upstream& u : upstreams)
    if (u.name == name) return &u;
  return nullptr;
}

}  // namespace bgw::scenario
