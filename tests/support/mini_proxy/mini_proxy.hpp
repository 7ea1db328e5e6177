// bgw-mini-proxy: a small, deterministic reference reverse proxy. The harness launches it like
// any real proxy (from a rendered config file) to self-test the pipeline where no nginx or
// HAProxy is installed, so it implements the RFC-correct baseline the suite expects
// (/work/shared/research/proxy-semantics.md §1 and §4) and nothing more. Its HTTP goes through
// Beast (proxy.cpp), so it is an oracle independent of the simulator's and the client's readers.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace bgw::mini {

using Duration = std::chrono::nanoseconds;

struct Server {
  std::string address;  ///< an IP literal: no DNS, so nothing can hang on a resolver
  std::uint16_t port = 0;
  bool backup = false;
  std::string text;  ///< "127.0.0.1:8080" as written, for logs and a missing Host
};

struct Config {
  std::string listen_address;
  std::uint16_t listen_port = 0;
  /// Primaries in config order, then backups in config order: the order attempts walk.
  std::vector<Server> servers;
  Duration connect_timeout = std::chrono::seconds(1);
  Duration read_timeout = std::chrono::seconds(1);
  /// Idle keep-alive time and the deadline for every client read and write.
  Duration client_timeout = std::chrono::seconds(10);
  /// Extra attempts after a retryable failure; nullopt: every server once (as nginx does).
  std::optional<std::size_t> retries;
  std::string log_path;  ///< empty: no access log
};

/// Parses `key = value` lines; an error message names the file and line ("cfg:3: ...").
std::variant<Config, std::string> load_config(const std::string& path);

/// Listen, print "ready", serve until SIGTERM or SIGINT. Returns the process exit code.
int run(const Config& config);

}  // namespace bgw::mini
