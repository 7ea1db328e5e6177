// Checks across parts of the file, after every part has been decoded on its own. Lookups go
// through maps: a hostile file must not make validation quadratic.
#include <algorithm>
#include <map>

#include "harness/scenario/sections.hpp"
#include "simulator/units.hpp"

namespace bgw::scenario::detail {
namespace {

std::string line_of(const Location& l) {
  return "line " + std::to_string(l.line) + ", column " + std::to_string(l.column);
}

class Names {
 public:
  explicit Names(const Scenario& s) {
    for (const Upstream& u : s.upstreams) {
      if (u.name.empty()) continue;
      if (first_.emplace(u.name, u.where).second) list_.push_back(u.name);
    }
  }
  const std::map<std::string, Location, std::less<>>& first() const { return first_; }

  // Reports `ref` if no upstream has that name.
  void check(Decoder& d, const Located<std::string>& ref, std::string_view who) const {
    if (ref.value.empty() || first_.count(ref.value)) return;
    d.error(ref.where, std::string(who) + " names upstream '" + ref.value +
                           "', but no [[upstream]] has that name" + did_you_mean(ref.value, list_) +
                           (list_.empty() ? "" : " (upstreams: " + list_of(list_, '\'') + ")"));
  }

 private:
  std::map<std::string, Location, std::less<>> first_;
  std::vector<std::string_view> list_;
};

void check_within_timeout(Decoder& d, const ResponseChecks& c, Duration timeout) {
  auto fmt = [](Duration v) { return sim::format_duration(v); };
  if (c.within && c.within->value > timeout)
    d.error(c.within->where, "'within' (" + fmt(c.within->value) +
                                 ") is longer than the scenario's timeout (" + fmt(timeout) + ")");
  if (c.not_before && c.not_before->value >= timeout)
    d.error(c.not_before->where, "'not_before' (" + fmt(c.not_before->value) +
                                     ") is not before the scenario's timeout (" + fmt(timeout) +
                                     ")");
}

}  // namespace

void validate(Decoder& d, Scenario& s) {
  const Duration timeout = s.meta.timeout.value;
  const std::string timeout_text = sim::format_duration(timeout);
  const Names names(s);

  for (const Upstream& u : s.upstreams) {
    if (const auto it = names.first().find(u.name);
        it != names.first().end() && !(it->second == u.where)) {
      d.error(u.where, "duplicate upstream name '" + u.name + "' (first defined at " +
                           line_of(it->second) + ")");
    }
    for (const Event& e : u.timeline) {
      if (e.at.value >= timeout)
        d.error(e.at.where, "event at " + sim::format_duration(e.at.value) +
                                " would never run: the scenario's timeout is " + timeout_text);
    }
  }

  Proxy& p = s.proxy;
  if (p.upstream_tls && std::none_of(s.upstreams.begin(), s.upstreams.end(),
                                     [](const Upstream& u) { return u.spec.tls.has_value(); }))
    d.error(p.upstream_tls->where,
            "'upstream_tls' says how the proxy speaks TLS to its upstreams, but no upstream "
            "has tls = { ... }");
  if (p.pool.empty()) {
    // No pool given: every upstream is a primary of weight 1, in file order.
    for (const Upstream& u : s.upstreams)
      if (!u.name.empty()) p.pool.push_back(PoolMember{{u.name, u.where}, false, 1});
  } else {
    bool primary = false;
    std::map<std::string, Location, std::less<>> seen;
    for (const PoolMember& m : p.pool) {
      primary = primary || !m.backup;
      names.check(d, m.upstream, "the pool");
      const auto [it, fresh] = seen.emplace(m.upstream.value, m.upstream.where);
      if (!fresh)
        d.error(m.upstream.where, "upstream '" + m.upstream.value + "' is already in the pool (" +
                                      line_of(it->second) + ")");
    }
    if (!primary)
      d.error(p.pool.front().upstream.where,
              "every pool member is a backup; at least one must be a primary");
  }

  Duration paused{};
  bool reported = false;
  const Step* last_at = nullptr;
  for (const Step& step : s.steps) {
    paused += step.pause;
    if (step.at) {
      // Steps run in order: a step cannot start before an earlier one that was placed later.
      if (last_at && step.at->value < last_at->at->value)
        d.error(step.at->where, "'at' (" + sim::format_duration(step.at->value) +
                                    ") is earlier than the 'at' of a previous step (" +
                                    sim::format_duration(last_at->at->value) + ", " +
                                    line_of(last_at->at->where) + "); steps run in file order");
      last_at = &step;
      paused = std::max(paused, step.at->value);
    }
    if (paused >= timeout && !reported) {
      d.error(step.where, std::string(last_at ? "the steps' 'at' and pauses reach "
                                              : "the steps' pauses add up to ") +
                              sim::format_duration(paused) +
                              ", which does not fit in the scenario's timeout (" + timeout_text +
                              ")");
      reported = true;
    }
    for (const ResponseExpect& e : step.expects) {
      check_within_timeout(d, e.checks, timeout);
      for (const auto& o : e.overrides) check_within_timeout(d, o.checks, timeout);
    }
  }

  for (const UpstreamExpect& e : s.expects)
    if (e.upstream) names.check(d, *e.upstream, "this expectation");
}

}  // namespace bgw::scenario::detail
