#include "simulation.hpp"

#include "simulator/json_text.hpp"

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
  // A slot is null once its upstream is removed (remove_upstream), so the timeline's indexes stay
  // valid. The first file_specs.size() slots are the file's.
  std::vector<std::pair<std::string, std::unique_ptr<sim::Upstream>>> upstreams;
  std::vector<sim::UpstreamSpec> file_specs;  // what reset_to_file restores, port as first bound
  // Removed upstreams, stopped: their journals still belong in journal_json_lines().
  std::vector<std::pair<std::string, std::unique_ptr<sim::Upstream>>> retired;
  std::optional<sim::JournalLevel> journal_level;  // SimulationOptions::journal_level
  EventListener listener;
  LineSink sink;  // set: every journal line goes here as it happens, and journals keep none
  std::vector<sim::net::io_context*> more;  // the other threads every upstream serves from

  // The one journal listener an upstream has: the event listener, then the line sink.
  void hook(const std::string& name, sim::Upstream& up) {
    if (!listener && !sink) {
      up.journal().set_listener({});
      return;
    }
    up.journal().set_listener([this, name](const sim::Event& e) {
      if (listener) listener(name, e);
      if (sink) sink(sim::Journal::to_json(e, name, origin));
    });
  }

  // What the journal kept before the sink was set (the listening event of its bind) goes to
  // the sink, and from now on it keeps nothing.
  void drain(const std::string& name, sim::Upstream& up) {
    for (const sim::Event& e : up.journal().snapshot())
      sink(sim::Journal::to_json(e, name, origin));
    up.journal().keep_at_most(0);
  }
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
    Record rec{upstreams[index].first, &e, sim::Clock::now(), {}};
    if (!upstreams[index].second) {
      rec.error = "the upstream was removed";
      records.push_back(std::move(rec));
      if (sink) sink(record_json(records.back()));
      return;
    }
    sim::Upstream& up = *upstreams[index].second;
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
    if (sink) sink(record_json(records.back()));
  }

  std::string record_json(const Record& r) const {
    const Event& e = *r.event;
    boost::json::object o;
    o["t_ms"] = sim::ms_value(r.ran - origin);
    o["upstream"] = r.upstream;
    o["event"] = "timeline";
    o["action"] = spelling(e.action);
    if (e.origin) o["fault"] = e.origin->fault;
    o["requested_ms"] = sim::ms_value(e.at.value);
    o["actual_ms"] = sim::ms_value(r.ran - anchor);
    o["source"] = e.where.to_string();
    if (!r.error.empty()) o["error"] = r.error;
    return sim::json_text(o);
  }
};

Simulation::Simulation(boost::asio::io_context& io, const Scenario& s, const SimulationOptions& o)
    : impl_(std::make_shared<Impl>(io)) {
  impl_->journal_level = o.journal_level;
  for (std::size_t i = 0; i < s.upstreams.size(); ++i) {
    const Upstream& u = s.upstreams[i];
    sim::UpstreamSpec spec = u.spec;
    if (!o.address.empty() && spec.address == "127.0.0.1") spec.address = o.address;
    spec.run_identity = o.run_identity;
    if (o.journal_level) spec.journal = *o.journal_level;
    auto up = std::make_unique<sim::Upstream>(io, spec);
    spec.port = up->port();  // a reset re-binds the port it had, not a new ephemeral one
    impl_->file_specs.push_back(std::move(spec));
    impl_->upstreams.emplace_back(u.name, std::move(up));
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
  for (auto& [name, up] : impl_->upstreams)
    if (up) up->stop();
}

sim::Upstream& Simulation::upstream(std::string_view name) {
  for (auto& [n, up] : impl_->upstreams)
    if (up && n == name) return *up;
  throw std::out_of_range("no upstream named '" + std::string(name) + "'");
}

sim::Upstream* Simulation::find(std::string_view name) {
  for (auto& [n, up] : impl_->upstreams)
    if (up && n == name) return up.get();
  return nullptr;
}

std::vector<std::string> Simulation::upstream_names() const {
  std::vector<std::string> out;
  for (const auto& [n, up] : impl_->upstreams)
    if (up) out.push_back(n);
  return out;
}

sim::Upstream& Simulation::add_upstream(const std::string& name, sim::UpstreamSpec spec) {
  if (find(name) != nullptr)
    throw std::invalid_argument("an upstream named '" + name + "' already runs");
  if (impl_->journal_level) spec.journal = *impl_->journal_level;
  auto up = std::make_unique<sim::Upstream>(impl_->io, std::move(spec));
  impl_->hook(name, *up);
  if (impl_->sink) impl_->drain(name, *up);
  up->add_threads(impl_->more);
  sim::Upstream& added = *up;
  impl_->upstreams.emplace_back(name, std::move(up));
  return added;
}

bool Simulation::remove_upstream(std::string_view name) {
  for (auto& [n, up] : impl_->upstreams) {
    if (!up || n != name) continue;
    up->stop();
    impl_->retired.emplace_back(n, std::move(up));
    return true;
  }
  return false;
}

void Simulation::set_event_listener(EventListener listener) {
  impl_->listener = std::move(listener);
  for (auto& [name, up] : impl_->upstreams)
    if (up) impl_->hook(name, *up);
}

void Simulation::stream_journal(LineSink sink) {
  impl_->sink = std::move(sink);
  for (auto& [name, up] : impl_->upstreams) {
    if (!up) continue;
    impl_->hook(name, *up);
    impl_->drain(name, *up);
  }
  for (const Record& r : impl_->records) impl_->sink(impl_->record_json(r));
}

void Simulation::add_threads(std::vector<boost::asio::io_context*> more) {
  impl_->more = std::move(more);
  for (auto& [name, up] : impl_->upstreams)
    if (up) up->add_threads(impl_->more);
}

void Simulation::reset_to_file() {
  auto& slots = impl_->upstreams;
  const std::size_t from_file = impl_->file_specs.size();
  // Upstreams added at runtime go first, so a file upstream of the same name can come back.
  for (std::size_t i = from_file; i < slots.size(); ++i)
    if (slots[i].second) remove_upstream(slots[i].first);
  std::string failed;
  for (std::size_t i = 0; i < from_file; ++i) {
    const sim::UpstreamSpec& spec = impl_->file_specs[i];
    try {
      if (!slots[i].second) {
        auto up = std::make_unique<sim::Upstream>(impl_->io, spec);
        impl_->hook(slots[i].first, *up);
        if (impl_->sink) impl_->drain(slots[i].first, *up);
        up->add_threads(impl_->more);
        slots[i].second = std::move(up);
        continue;
      }
      sim::Upstream& up = *slots[i].second;
      up.set_rules(spec.rules);
      up.set_response(spec.response);
      up.set_mode(spec.mode);
    } catch (const std::exception& e) {
      // Carry on with the others: one port taken meanwhile must not leave the rest half reset.
      failed += (failed.empty() ? "" : "; ") + std::string(e.what());
    }
  }
  if (!failed.empty()) throw sim::SetupError(failed);
}

std::size_t Simulation::events_run() const {
  return impl_->records.size();
}
std::size_t Simulation::events_total() const {
  return impl_->events.size();
}

boost::json::object Simulation::bindings() const {
  boost::json::object out;
  for (const auto& [name, up] : impl_->upstreams) {
    if (!up) continue;
    out[name] = boost::json::object{
        {"address", up->address()}, {"port", up->port()}, {"listener", sim::to_string(up->mode())}};
  }
  return out;
}

std::string Simulation::bindings_json() const {
  return sim::json_text(bindings());
}

std::string Simulation::journal_json_lines() const {
  std::vector<std::pair<sim::Clock::time_point, std::string>> lines;
  for (const auto* group : {&impl_->upstreams, &impl_->retired}) {
    for (const auto& [name, up] : *group) {
      if (!up) continue;
      for (const sim::Event& e : up->journal().snapshot())
        lines.emplace_back(e.at, sim::Journal::to_json(e, name, impl_->origin));
    }
  }
  for (const Record& r : impl_->records) lines.emplace_back(r.ran, impl_->record_json(r));
  std::stable_sort(lines.begin(), lines.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  for (const auto& [at, line] : lines) out += line + "\n";
  return out;
}

}  // namespace bgw::scenario
