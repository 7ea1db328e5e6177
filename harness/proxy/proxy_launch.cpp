#include "proxy_launch.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "harness/proxy/config_template.hpp"
#include "harness/proxy/readiness.hpp"
#include "harness/proxy/topology_context.hpp"
#include "simulator/tls_material.hpp"

namespace bgw::proxy {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
  if (!out) throw HarnessError("cannot write " + p.string());
}

}  // namespace

// Between close() and the proxy's bind() the port is free. On the run's own leased address only
// the run's own sockets can take it, and they are all bound before this is called; the proxy's
// outgoing connections take their source port on 127.0.0.1 (the source address of the local
// 127.0.0.0/8 route), not here. launch_proxy still retries the start once when the proxy reports
// the address in use (a wildcard listener of some other program).
std::uint16_t pick_port(const std::string& host) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw HarnessError("socket(): cannot pick a port for the proxy");
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  ::inet_pton(AF_INET, host.c_str(), &sa.sin_addr);
  sa.sin_port = 0;
  socklen_t len = sizeof sa;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0) {
    ::close(fd);
    throw HarnessError("bind(" + host + ":0): cannot pick a port for the proxy");
  }
  ::close(fd);
  return ntohs(sa.sin_port);
}

LaunchedProxy launch_proxy(const Adapter& a, const scenario::Scenario& sc, const LaunchOptions& o) {
  // Absolute: the proxy runs in the run directory, and a relative {{workdir}} would then name
  // a directory inside it.
  const fs::path dir = fs::absolute(o.run_dir);
  const std::string program = find_program(a.program);
  const std::string template_text = read_file(a.config_template);
  // A knob the template cannot place would silently change nothing: refuse the run instead.
  if (const auto unusable = check_overrides(a, sc, template_text); !unusable.empty()) {
    std::string text;
    for (const auto& d : unusable) text += (text.empty() ? "" : "\n") + d.to_string();
    throw HarnessError(text);
  }
  for (int attempt = 0;; ++attempt) {
    Bindings b;
    b.workdir = dir.string();
    b.listen_host = o.listen_host;
    b.listen_port = pick_port(b.listen_host);
    if (o.on_port_picked) o.on_port_picked(b.listen_host, b.listen_port);
    b.upstream_ports = o.upstream_ports;
    b.upstream_hosts = o.upstream_hosts;
    if (std::any_of(sc.upstreams.begin(), sc.upstreams.end(),
                    [](const scenario::Upstream& u) { return u.spec.tls.has_value(); })) {
      // The run CA beside the config, for the template's {{upstream_ca}}.
      try {
        const sim::RunCaFiles ca = sim::write_run_ca(dir);
        b.upstream_ca = ca.ca.string();
        b.upstream_ca_chain = ca.chain.string();
      } catch (const std::exception& e) {
        throw HarnessError(e.what());
      }
    }
    TemplateValue ctx = make_context(sc, b, a.name);
    ctx.set("program", program);
    const std::string config =
        render_template(template_text, ctx, fs::path(a.config_template).filename());
    write_file(dir / a.config_file, config);
    for (const auto& d : a.directories) fs::create_directories(dir / d);

    SpawnOptions so;
    for (const auto& arg : a.argv) so.argv.push_back(render_template(arg, ctx, a.path));
    so.workdir = dir.string();
    so.stdout_path = (dir / "proxy.stdout.log").string();
    so.stderr_path = (dir / "proxy.stderr.log").string();
    LaunchedProxy p;
    p.host = b.listen_host;
    p.port = b.listen_port;
    p.child = std::make_unique<ChildProcess>(so);
    if (o.on_spawn) o.on_spawn(p.child->pid());

    ReadyProbe probe;
    probe.kind = a.ready;
    probe.host = p.host;
    probe.port = p.port;
    probe.timeout = milliseconds(static_cast<long>(a.ready_timeout.count() * o.timeout_scale));
    probe.log_path = (dir / a.ready_log_file).string();
    probe.needle = a.ready_needle;
    const ReadyResult ready = await_ready(*p.child, probe);
    if (ready.ready) return p;

    p.child->stop(milliseconds(500));
    if (o.on_stop) o.on_stop(p.child->pid());
    std::string logs = tail_file(so.stderr_path, 15) + tail_file(so.stdout_path, 5);
    for (const char* f : {"error.log", "haproxy.log"}) {
      if (fs::exists(dir / f)) logs += tail_file((dir / f).string(), 10);
    }
    const bool port_race = logs.find("in use") != std::string::npos;
    if (port_race && attempt == 0) continue;  // someone took the port we picked: once more
    throw HarnessError(a.name + " did not start: " + ready.reason + "\n" + logs);
  }
}

std::optional<ExitStatus> stop_proxy(LaunchedProxy& p, const Adapter& a, const LaunchOptions& o) {
  if (!p.child) return std::nullopt;
  const ExitStatus status = p.child->stop(a.stop_grace);
  if (o.on_stop) o.on_stop(p.child->pid());
  p.child.reset();
  return status;
}

std::string proxy_log_tail(const fs::path& dir) {
  std::string out;
  for (const char* f : {"proxy.stderr.log", "error.log", "proxy.stdout.log"}) {
    const fs::path p = dir / f;
    std::error_code ec;
    if (fs::exists(p, ec) && fs::file_size(p, ec) > 0)
      out += "== " + std::string(f) + "\n" + tail_file(p.string(), 20);
  }
  return out;
}

}  // namespace bgw::proxy
