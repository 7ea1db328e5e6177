#include "demo.hpp"

#include <iomanip>
#include <memory>
#include <ostream>
#include <sstream>

#include "harness/client/raw_client.hpp"
#include "simulator/fault_catalogue.hpp"
#include "simulator/net.hpp"
#include "simulator/units.hpp"
#include "simulator/upstream.hpp"

namespace bgw::cli {

std::vector<std::string> default_demo_faults() {
  return {"ok",
          "refuse",
          "blackhole",
          "close_on_accept",
          "reset_after_request",
          "close_mid_headers",
          "reset_mid_body",
          "stall_before_headers",
          "drip_headers",
          "garbage_status",
          "header_value_nul",
          "conflicting_content_length",
          "missing_final_chunk",
          "close_after_response"};
}

namespace {

// Demo-sized parameters: short enough that the whole demo takes a few seconds.
sim::FaultParams demo_params(const std::string& name) {
  using namespace std::chrono_literals;
  sim::FaultParams p;
  if (name == "stall_before_headers" || name == "stall_after_headers" || name == "stall_mid_body")
    p["duration"] = sim::Duration(300ms);
  if (name == "drip_headers" || name == "drip_body") {
    p["chunk"] = std::int64_t{name == "drip_headers" ? 8 : 1};
    p["interval"] = sim::Duration(20ms);
  }
  if (name == "close_after_response") p["idle"] = sim::Duration(50ms);
  return p;
}

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

}  // namespace

int run_demo(const DemoOptions& options, std::ostream& out, std::ostream& err) {
  std::vector<std::string> names = options.faults;
  if (options.all) {
    names.clear();
    // The demo's client speaks cleartext; the TLS faults are shown by a TLS client
    // (tests/integration/tls_wire_test.cpp, docs/faults.md "TLS upstreams").
    for (const auto& f : sim::fault_catalogue())
      if (!sim::needs_tls(f)) names.emplace_back(f.name);
  }
  if (names.empty()) names = default_demo_faults();
  for (const auto& n : names) {
    const sim::FaultInfo* f = sim::find_fault(n);
    if (f == nullptr) {
      const std::string hint = sim::suggest_fault(n);
      err << "badgateway demo: unknown fault '" << n << "'"
          << (hint.empty() ? "" : "; did you mean '" + hint + "'?") << "\n";
      return 2;
    }
    if (sim::needs_tls(*f)) {
      err << "badgateway demo: '" << n
          << "' is a TLS fault and the demo's client speaks cleartext; see docs/faults.md\n";
      return 2;
    }
  }

  sim::net::io_context io;
  out << "badgateway demo: one fake upstream per fault on 127.0.0.1, one raw request each\n"
      << "(GET / HTTP/1.1 with Connection: close; deadline 2s, connect timeout 300ms)\n\n";
  out << pad("fault", 28) << pad("ended", 18) << pad("first byte", 12) << pad("total", 11)
      << "client saw\n";

  int failures = 0;
  for (const auto& name : names) {
    sim::Response base;
    auto lowered = sim::lower_fault(name, demo_params(name), base);
    if (auto* e = std::get_if<sim::FaultError>(&lowered)) {
      err << "badgateway demo: fault '" << name << "': " << e->message << "\n";
      ++failures;
      continue;
    }
    const auto& fault = std::get<sim::LoweredFault>(lowered);
    sim::UpstreamSpec spec{.name = name, .response = base};
    if (fault.mode)
      spec.mode = *fault.mode;
    else
      spec.rules.push_back(fault.rule);
    sim::Upstream upstream(io, spec);

    client::RawExchange req;
    req.port = upstream.port();
    req.request = "GET / HTTP/1.1\r\nHost: demo\r\nConnection: close\r\n\r\n";
    req.connect_timeout = std::chrono::milliseconds(300);
    req.deadline = std::chrono::seconds(2);
    const client::RawResult r = client::exchange(io, req);

    std::ostringstream saw;
    if (!r.connected)
      saw << "(no connection)";
    else
      saw << r.received.size() << " B \"" << client::escape_bytes(r.received, 60) << "\"";
    out << pad(name, 28) << pad(client::to_string(r.ending), 18)
        << pad(r.received.empty() ? "-" : sim::format_ms(r.first_byte) + "ms", 12)
        << pad(r.connected ? sim::format_ms(r.total) + "ms" : "-", 11) << saw.str() << "\n";
    upstream.stop();
  }
  return failures == 0 ? 0 : 3;
}

}  // namespace bgw::cli
