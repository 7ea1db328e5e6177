#include "simulation.hpp"

#include <algorithm>
#include <stdexcept>

#include "harness/scenario/vocabulary.hpp"
#include "simulator/journal.hpp"
#include "simulator/net.hpp"
#include "simulator/units.hpp"

namespace bgw::scenario {
namespace {

// What running one event did, for the journal.
struct Record {
  std::string upstream;
  const Event* event = nullptr;
  sim::Clock::time_point ran;
  std::string error;  ///< why applying it failed, if it did
};

}  // namespace

struct Simulation::Impl : std::enable_shared_from_this<Impl> {
  Impl(sim::net::io_context& io_context) : io(io_context), timer(io_context) {}

  sim::net::io_context& io;
  sim::Clock::time_point origin = sim::Clock::now();
  std::vector<std::pair<std::string, std::unique_ptr<sim::Upstream>>> upstreams;
  std::vector<sim::UpstreamSpec> file_specs;  // parallel to upstreams: what reset_to_file restores
  std::vector<std::pair<std::size_t, Event>> events;  // (upstream index, event), in run order
  std::size_t next = 0;
  bool started = false;
  bool stopped = false;
  sim::Clock::time_point anchor;
  sim::net::steady_timer timer;
  std::vector<Record> records;

  // Timers are set from the anchor, not chained, so late events do not delay later ones.
  void schedule() {
    if (stopped || next >= events.size()) return;
    timer.expires_at(anchor + events[next].second.at.value);
    timer.async_wait([self = shared_from_this()](const sim::error_code& ec) {
      if (ec || self->stopped) return;
      self->apply(self->next++);
      self->schedule();
    });
  }

  void apply(std::size_t i) {
    const auto& [index, e] = events[i];
    sim::Upstream& up = *upstreams[index].second;
    Record rec{upstreams[index].first, &e, sim::Clock::now(), {}};
    try {
      switch (e.action) {
        case EventAction::crash:
          up.crash();
          break;
        case EventAction::restart:
          up.restart();
          break;
        case EventAction::refuse:
          up.set_mode(sim::ListenerMode::refuse);
          break;
        case EventAction::blackhole:
          up.set_mode(sim::ListenerMode::blackhole);
          break;
        case EventAction::accept:
          up.set_mode(sim::ListenerMode::accept);
          break;
        case EventAction::set_fault:
          up.set_rules({*e.rule});
          break;
        case EventAction::clear_faults:
          up.set_rules({});
          break;
      }
    } catch (const std::exception& ex) {
      rec.error = ex.what();
    }
    records.push_back(std::move(rec));
  }

  std::string record_json(const Record& r) const {
    const Event& e = *r.event;
    std::string out = "{\"t_ms\":" + sim::format_ms(r.ran - origin) + ",\"upstream\":\"" +
                      sim::json_escape(r.upstream) + "\",\"event\":\"timeline\",\"action\":\"" +
                      std::string(spelling(e.action)) + "\"";
    if (e.origin) out += ",\"fault\":\"" + sim::json_escape(e.origin->fault) + "\"";
    out += ",\"requested_ms\":" + sim::format_ms(e.at.value) +
           ",\"actual_ms\":" + sim::format_ms(r.ran - anchor) + ",\"source\":\"" +
           sim::json_escape(e.where.to_string()) + "\"";
    if (!r.error.empty()) out += ",\"error\":\"" + sim::json_escape(r.error) + "\"";
    return out + "}";
  }
};

Simulation::Simulation(boost::asio::io_context& io, const Scenario& s, const SimulationOptions& o)
    : impl_(std::make_shared<Impl>(io)) {
  for (std::size_t i = 0; i < s.upstreams.size(); ++i) {
    const Upstream& u = s.upstreams[i];
    sim::UpstreamSpec spec = u.spec;
    if (!o.address.empty() && spec.address == "127.0.0.1") spec.address = o.address;
    spec.run_identity = o.run_identity;
    impl_->file_specs.push_back(spec);
    impl_->upstreams.emplace_back(u.name, std::make_unique<sim::Upstream>(io, std::move(spec)));
    for (const Event& e : u.timeline) impl_->events.emplace_back(i, e);
  }
  std::stable_sort(impl_->events.begin(), impl_->events.end(), [](const auto& a, const auto& b) {
    return a.second.at.value < b.second.at.value;
  });
}

Simulation::~Simulation() {
  stop();
}

void Simulation::start_timeline() {
  start_timeline(sim::Clock::now());
}

void Simulation::start_timeline(sim::Clock::time_point origin) {
  if (impl_->started) return;
  impl_->started = true;
  impl_->anchor = origin;
  impl_->schedule();
}

void Simulation::stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  impl_->timer.cancel();
  for (auto& [name, up] : impl_->upstreams) up->stop();
}

sim::Upstream& Simulation::upstream(std::string_view name) {
  for (auto& [n, up] : impl_->upstreams)
    if (n == name) return *up;
  throw std::out_of_range("no upstream named '" + std::string(name) + "'");
}

sim::Upstream* Simulation::find(std::string_view name) {
  for (auto& [n, up] : impl_->upstreams)
    if (n == name) return up.get();
  return nullptr;
}

std::vector<std::string> Simulation::upstream_names() const {
  std::vector<std::string> out;
  for (const auto& [n, up] : impl_->upstreams) out.push_back(n);
  return out;
}

void Simulation::reset_to_file() {
  for (std::size_t i = 0; i < impl_->upstreams.size(); ++i) {
    sim::Upstream& up = *impl_->upstreams[i].second;
    const sim::UpstreamSpec& spec = impl_->file_specs[i];
    up.set_rules(spec.rules);
    up.set_mode(spec.mode);
  }
}

std::size_t Simulation::events_run() const {
  return impl_->records.size();
}
std::size_t Simulation::events_total() const {
  return impl_->events.size();
}

std::string Simulation::bindings_json() const {
  std::string out = "{";
  for (const auto& [name, up] : impl_->upstreams) {
    if (out.size() > 1) out += ",";
    out += "\"" + sim::json_escape(name) + "\":{\"address\":\"" + sim::json_escape(up->address()) +
           "\",\"port\":" + std::to_string(up->port()) + ",\"listener\":\"" +
           sim::to_string(up->mode()) + "\"}";
  }
  return out + "}";
}

std::string Simulation::journal_json_lines() const {
  std::vector<std::pair<sim::Clock::time_point, std::string>> lines;
  for (const auto& [name, up] : impl_->upstreams) {
    for (const sim::Event& e : up->journal().snapshot())
      lines.emplace_back(e.at, sim::Journal::to_json(e, name, impl_->origin));
  }
  for (const Record& r : impl_->records) lines.emplace_back(r.ran, impl_->record_json(r));
  std::stable_sort(lines.begin(), lines.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  for (const auto& [at, line] : lines) out += line + "\n";
  return out;
}

}  // namespace bgw::scenario
