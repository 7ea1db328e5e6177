#include "requests.hpp"

#include <charconv>
#include <utility>

namespace bgw::testing {

std::string get_request(std::string_view target) {
  return "GET " + std::string(target) +
         " HTTP/1.1\r\nHost: badgateway.test\r\nConnection: close\r\n\r\n";
}

Response send(boost::asio::io_context& io, const std::string& host, std::uint16_t port,
              std::string request, std::chrono::milliseconds deadline) {
  client::RawExchange e;
  e.host = host;
  e.port = port;
  e.request = std::move(request);
  e.deadline = deadline;
  return client::exchange(io, e);
}

int status_of(const Response& response) {
  const std::string_view r = response.received;
  // "HTTP/1.x NNN ..."
  if (r.size() < 12 || !r.starts_with("HTTP/1.") || r[8] != ' ') return 0;
  int status = 0;
  const auto [end, ec] = std::from_chars(r.data() + 9, r.data() + 12, status);
  return ec == std::errc() && end == r.data() + 12 ? status : 0;
}

}  // namespace bgw::testing
