#include "serve.hpp"

#include <unistd.h>

#include <algorithm>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <variant>
#include "simulator/json_text.hpp"

#include "harness/cli/serve_threads.hpp"
#include "harness/control/control_api.hpp"
#include "harness/control/control_endpoint.hpp"
#include "harness/control/control_server.hpp"
#include "harness/control/event_feed.hpp"
#include "harness/scenario/load.hpp"
#include "harness/scenario/simulation.hpp"
#include "simulator/journal.hpp"
#include "simulator/journal_file.hpp"
#include "simulator/net.hpp"
#include "simulator/tls_material.hpp"

namespace bgw::cli {

std::string default_serve_dir(const std::string& scenario_name) {
  const char* tmp = std::getenv("TMPDIR");
  const std::filesystem::path base = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  return (base / "badgateway" / ("serve-" + scenario_name + "-" + std::to_string(::getpid())))
      .string();
}

std::string check_control_options(const ServeOptions& options) {
  if (options.control.empty()) {
    if (options.control_allow_remote || !options.control_token.empty())
      return "--control-allow-remote and --control-token need --control HOST:PORT";
    return {};
  }
  auto endpoint = control::parse_control_endpoint(options.control);
  if (auto* why = std::get_if<std::string>(&endpoint)) return "--control: " + *why;
  if (!std::get<control::ControlEndpoint>(endpoint).loopback) {
    if (!options.control_allow_remote)
      return "--control " + options.control +
             " is not a loopback address; the API can crash upstreams, so a remote one needs "
             "--control-allow-remote and --control-token";
    if (options.control_token.empty()) return "--control-allow-remote needs --control-token TOKEN";
  }
  return {};
}

int run_serve(const ServeOptions& options, std::ostream& out, std::ostream& err) {
  namespace fs = std::filesystem;
  auto loaded = scenario::load_scenario(options.file);
  if (!loaded.ok()) {
    for (const auto& d : loaded.diagnostics) err << d.to_string() << "\n";
    return 2;
  }
  const scenario::Scenario& s = *loaded.scenario;

  // Open the journal before serving, so a bad path fails now and not after the run.
  const fs::path journal = options.journal.empty()
                               ? fs::path(default_serve_dir(s.meta.name)) / "journal.jsonl"
                               : fs::path(options.journal);
  std::error_code ec;
  if (journal.has_parent_path()) fs::create_directories(journal.parent_path(), ec);
  std::optional<sim::JournalFile> journal_file;
  try {
    if (!ec) journal_file.emplace(journal.string(), options.journal_max_bytes);
  } catch (const std::exception& e) {
    err << "badgateway serve: cannot write the journal to " << journal.string() << ": " << e.what()
        << "\n";
    return 3;
  }
  if (ec) {
    err << "badgateway serve: cannot write the journal to " << journal.string() << ": "
        << ec.message() << "\n";
    return 3;
  }
  // After the file they write to, before the simulation whose last lines they take and whose
  // other listeners run on their io_contexts (so those outlive it).
  ServeThreads threads(options.threads, *journal_file);

  sim::net::io_context io(1);
  // Before the simulation, so it outlives the upstreams whose last events it is handed.
  control::EventFeed feed(io, sim::Clock::now());
  if (options.threads > 1) feed.set_threaded();
  std::optional<scenario::Simulation> simulation;
  try {
    simulation.emplace(io, s, scenario::SimulationOptions{.journal_level = options.journal_level});
  } catch (const std::exception& e) {
    err << "badgateway serve: " << e.what() << "\n";
    return 3;
  }
  // Every journal line goes to the file as it happens, and the upstreams keep none: a serve
  // that runs for hours holds the same memory as one that ran a minute, and the file rotates at
  // its cap. Lines reach the disk a 64 KiB chunk at a time and at least once a second (below),
  // each thread's through its own buffer.
  simulation->stream_journal(
      [&threads](const std::string& line) { threads.buffer().add_line(line); });
  std::optional<control::ControlApi> api;
  std::optional<control::ControlServer> control_server;
  if (!options.control.empty()) {
    const auto endpoint = std::get<control::ControlEndpoint>(
        control::parse_control_endpoint(options.control));  // checked by check_control_options
    // Every change reaches the journal file as it is made, so the file keeps them all however
    // long serve runs; the feed itself keeps only the recent ones.
    // Flushed at once (changes are rare): a serve killed by SIGKILL still leaves every change it
    // made on disk. Wire events stay buffered; their tail may be lost then.
    feed.on_change([&threads](const std::string& line) {
      threads.buffer().add_line(line);
      threads.buffer().flush();
    });
    // Only with --control: without it the data path does not pay for the feed.
    simulation->set_event_listener(
        [&feed](const std::string& upstream, const sim::Event& e) { feed.add_wire(upstream, e); });
    api.emplace(*simulation, feed, s.meta.name);
    try {
      control_server.emplace(
          io, *api, feed,
          control::ServerOptions{
              .address = endpoint.address, .port = endpoint.port, .token = options.control_token});
    } catch (const std::exception& e) {
      err << "badgateway serve: " << e.what() << "\n";
      return 3;
    }
    control_server->start();
  }
  if (options.threads > 1) {
    try {
      simulation->add_threads(threads.contexts());
    } catch (const std::exception& e) {
      err << "badgateway serve: " << e.what() << "\n";
      simulation->stop();
      threads.stop();
      return 3;
    }
  }
  // Installed before the bindings are printed: a caller may signal as soon as it has read them.
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  // A quiet serve's lines reach the file within a second (tail -f shows them; SIGKILL loses at
  // most that second), without a write per line on a busy one.
  sim::net::steady_timer flush_timer(io);
  std::function<void()> flush_every_second = [&] {
    flush_timer.expires_after(std::chrono::seconds(1));
    flush_timer.async_wait([&](const sim::error_code& e) {
      if (e) return;
      threads.buffer().flush();
      flush_every_second();
    });
  };
  flush_every_second();
  int stopped_by = 0;
  signals.async_wait([&](const sim::error_code& e, int signal) {
    if (e) return;
    stopped_by = signal;
    if (control_server) control_server->stop();
    simulation->stop();
    flush_timer.cancel();
    io.stop();
  });

  boost::json::object line{{"scenario", s.meta.name},
                           {"upstreams", simulation->bindings()},
                           {"journal", journal.string()}};
  // TLS upstreams: the run CA beside the journal, for whoever connects to them to verify.
  if (std::any_of(s.upstreams.begin(), s.upstreams.end(),
                  [](const scenario::Upstream& u) { return u.spec.tls.has_value(); })) {
    try {
      const fs::path dir = journal.has_parent_path() ? journal.parent_path() : fs::path(".");
      line["upstream_ca"] = sim::write_run_ca(dir).ca.string();
    } catch (const std::exception& e) {
      err << "badgateway serve: " << e.what() << "\n";
      return 3;
    }
  }
  if (control_server)
    line["control"] = {{"address", control_server->address()}, {"port", control_server->port()}};
  out << sim::json_text(line) << std::endl;
  if (options.start_at) {
    // The steady clock the timers use, at the wall-clock instant the agents start from.
    const auto wait = *options.start_at - std::chrono::system_clock::now();
    simulation->start_timeline(sim::Clock::now() +
                               std::chrono::duration_cast<sim::Clock::duration>(wait));
  } else {
    simulation->start_timeline();
  }
  io.run();

  // Let the stopped sessions unwind, so their last journal entries are in the file.
  io.restart();
  io.run_for(std::chrono::milliseconds(500));
  threads.stop();
  if (!journal_file->ok()) {
    err << "badgateway serve: writing the journal to " << journal.string()
        << " failed: " << journal_file->error() << "\n";
    return 3;
  }
  err << "badgateway serve: stopped by " << (stopped_by == SIGINT ? "SIGINT" : "SIGTERM")
      << "; journal written to " << journal.string();
  if (const std::uint64_t n = journal_file->rotations())
    err << " (its size cap was reached " << n << (n == 1 ? " time" : " times") << "; "
        << journal.string() << ".1 holds the lines before it)";
  err << "\n";
  return 0;
}

}  // namespace bgw::cli
