#include "serve.hpp"

#include <unistd.h>

#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <ostream>

#include "harness/scenario/load.hpp"
#include "harness/scenario/simulation.hpp"
#include "simulator/journal.hpp"
#include "simulator/net.hpp"

namespace bgw::cli {

std::string default_serve_dir(const std::string& scenario_name) {
  const char* tmp = std::getenv("TMPDIR");
  const std::filesystem::path base = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  return (base / "badgateway" / ("serve-" + scenario_name + "-" + std::to_string(::getpid())))
      .string();
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
  std::ofstream journal_out(journal, std::ios::trunc);
  if (ec || !journal_out) {
    err << "badgateway serve: cannot write the journal to " << journal.string()
        << (ec ? ": " + ec.message() : "") << "\n";
    return 3;
  }

  sim::net::io_context io(1);
  std::optional<scenario::Simulation> simulation;
  try {
    simulation.emplace(io, s);
  } catch (const std::exception& e) {
    err << "badgateway serve: " << e.what() << "\n";
    return 3;
  }
  // Installed before the bindings are printed: a caller may signal as soon as it has read them.
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  int stopped_by = 0;
  signals.async_wait([&](const sim::error_code& e, int signal) {
    if (e) return;
    stopped_by = signal;
    simulation->stop();
    io.stop();
  });

  out << "{\"scenario\":\"" << sim::json_escape(s.meta.name)
      << "\",\"upstreams\":" << simulation->bindings_json() << ",\"journal\":\""
      << sim::json_escape(journal.string()) << "\"}" << std::endl;
  simulation->start_timeline();
  io.run();

  // Let the stopped sessions unwind, so their last journal entries are in the file.
  io.restart();
  io.run_for(std::chrono::milliseconds(500));
  journal_out << simulation->journal_json_lines();
  journal_out.close();
  if (!journal_out) {
    err << "badgateway serve: writing the journal to " << journal.string() << " failed\n";
    return 3;
  }
  err << "badgateway serve: stopped by " << (stopped_by == SIGINT ? "SIGINT" : "SIGTERM")
      << "; journal written to " << journal.string() << "\n";
  return 0;
}

}  // namespace bgw::cli
