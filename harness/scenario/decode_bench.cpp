// [bench]: the load `badgateway bench` puts on the proxy while the upstreams' timeline runs.
#include "harness/scenario/sections.hpp"
#include "simulator/units.hpp"

namespace bgw::scenario::detail {
namespace {

constexpr Duration max_bench_duration = std::chrono::hours(24);
constexpr std::int64_t max_connections = 10000;
constexpr double max_rate = 1'000'000;

}  // namespace

std::optional<BenchSettings> decode_bench(Decoder& d, const toml::node* node,
                                          const std::vector<Upstream>& upstreams) {
  if (node == nullptr) return std::nullopt;
  const auto* t = as_table(d, *node, "'bench'");
  if (t == nullptr) return std::nullopt;
  TableReader r(d, *t, keys::bench);
  BenchSettings b;
  b.where = r.where();
  if (auto v = r.duration("duration", max_bench_duration)) {
    if (*v <= Duration::zero())
      d.error(r.at("duration"), "'duration' must be greater than 0s");
    else
      b.duration = *v;
  }
  if (auto v = r.integer("connections", 1, max_connections)) b.connections = static_cast<int>(*v);
  if (auto v = r.number("rate", 0, max_rate)) b.rate = *v;
  if (auto v = r.duration("warmup", max_bench_duration)) {
    if (*v >= b.duration)
      d.error(r.at("warmup"), "'warmup' (" + sim::format_duration(*v) +
                                  ") must be shorter than 'duration' (" +
                                  sim::format_duration(b.duration) + ")");
    else
      b.warmup = *v;
  }
  if (auto v = r.string("method")) {
    if (is_token(*v))
      b.method = *v;
    else
      d.error(r.at("method"), "'method' must be a token such as \"GET\" or \"POST\", not \"" +
                                  printable(*v) + "\"");
  }
  if (auto v = r.line("target")) {
    if (v->empty() || v->find_first_of(" \t") != std::string::npos)
      d.error(r.at("target"),
              "'target' must be non-empty and contain no spaces, such as \"/\" or "
              "\"/path?q=1\"");
    else
      b.target = *v;
  }
  if (auto v = r.duration("request_timeout", max_duration)) {
    if (*v <= Duration::zero())
      d.error(r.at("request_timeout"), "'request_timeout' must be greater than 0s");
    else
      b.request_timeout = *v;
  }
  // The timeline starts with the load: an event after its end would silently never run.
  for (const Upstream& u : upstreams) {
    for (const Event& e : u.timeline) {
      if (e.at.value >= b.duration)
        d.error(e.at.where,
                "this event at " + sim::format_duration(e.at.value) +
                    " would never run under `badgateway bench`: [bench] 'duration' is " +
                    sim::format_duration(b.duration));
    }
  }
  return b;
}

}  // namespace bgw::scenario::detail
