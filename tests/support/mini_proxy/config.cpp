#include <boost/asio/ip/address.hpp>
#include <charconv>
#include <fstream>

#include "mini_proxy.hpp"
#include "simulator/units.hpp"

namespace bgw::mini {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// "127.0.0.1:8080" or "[::1]:8080". Only IP literals: a resolver could block the one thread.
std::optional<std::string> parse_endpoint(std::string_view text, std::string& address,
                                          std::uint16_t& port, bool allow_port_zero) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos)
    return "expected ADDRESS:PORT, got '" + std::string(text) + "'";
  std::string_view addr = text.substr(0, colon);
  if (addr.size() >= 2 && addr.front() == '[' && addr.back() == ']')
    addr = addr.substr(1, addr.size() - 2);
  boost::system::error_code ec;
  boost::asio::ip::make_address(std::string(addr), ec);
  if (ec) return "'" + std::string(addr) + "' is not an IP address";
  const std::string_view digits = text.substr(colon + 1);
  unsigned value = 0;
  const auto [end, err] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (err != std::errc() || end != digits.data() + digits.size() || value > 65535 ||
      (value == 0 && !allow_port_zero))
    return "invalid port '" + std::string(digits) + "'";
  address = std::string(addr);
  port = static_cast<std::uint16_t>(value);
  return std::nullopt;
}

std::optional<std::string> parse_positive_duration(std::string_view text, Duration& out) {
  const auto d = sim::parse_duration(text);
  if (!d || *d <= Duration::zero())
    return "expected a positive duration such as 250ms or 1s, got '" + std::string(text) + "'";
  out = *d;
  return std::nullopt;
}

}  // namespace

std::variant<Config, std::string> load_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) return path + ": cannot open the config file";
  Config cfg;
  std::vector<Server> primaries, backups;
  bool have_listen = false;
  std::string raw;
  for (int number = 1; std::getline(in, raw); ++number) {
    const auto error = [&](const std::string& message) {
      return path + ":" + std::to_string(number) + ": " + message;
    };
    std::string_view line = raw;
    if (const auto hash = line.find('#'); hash != std::string_view::npos)
      line = line.substr(0, hash);
    line = trim(line);
    if (line.empty()) continue;
    const auto eq = line.find('=');
    if (eq == std::string_view::npos) return error("expected 'key = value'");
    const std::string_view key = trim(line.substr(0, eq));
    const std::string_view value = trim(line.substr(eq + 1));
    std::optional<std::string> problem;
    if (value.empty()) {
      problem = "missing value for '" + std::string(key) + "'";
    } else if (key == "listen") {
      problem = have_listen ? std::optional<std::string>("'listen' given twice")
                            : parse_endpoint(value, cfg.listen_address, cfg.listen_port, false);
      have_listen = true;
    } else if (key == "upstream") {
      Server s;
      std::string_view endpoint = value;
      const auto space = value.find_first_of(" \t");
      if (space != std::string_view::npos) {
        endpoint = value.substr(0, space);
        const std::string_view flag = trim(value.substr(space));
        if (flag != "backup") problem = "unknown upstream flag '" + std::string(flag) + "'";
        s.backup = true;
      }
      problem = problem ? problem : parse_endpoint(endpoint, s.address, s.port, false);
      s.text = std::string(endpoint);
      (s.backup ? backups : primaries).push_back(std::move(s));
    } else if (key == "connect_timeout") {
      problem = parse_positive_duration(value, cfg.connect_timeout);
    } else if (key == "read_timeout") {
      problem = parse_positive_duration(value, cfg.read_timeout);
    } else if (key == "client_timeout") {
      problem = parse_positive_duration(value, cfg.client_timeout);
    } else if (key == "retries") {
      std::size_t n = 0;
      const auto [end, err] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (err != std::errc() || end != value.data() + value.size())
        problem = "expected a non-negative integer, got '" + std::string(value) + "'";
      cfg.retries = n;
    } else if (key == "log") {
      cfg.log_path = std::string(value);
    } else {
      problem = "unknown key '" + std::string(key) + "'";
    }
    if (problem) return error(*problem);
  }
  if (!have_listen) return path + ": missing 'listen = ADDRESS:PORT'";
  if (primaries.empty()) return path + ": at least one non-backup 'upstream' is required";
  cfg.servers = std::move(primaries);
  cfg.servers.insert(cfg.servers.end(), backups.begin(), backups.end());
  return cfg;
}

}  // namespace bgw::mini
