// Sending requests in a test: exact bytes to a host and port (the proxy, or an upstream
// directly), everything that came back recorded by the harness's byte-level client (how the
// connection ended, when each byte arrived). Garbage from a proxy is data, never an exception.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "harness/client/raw_client.hpp"

namespace boost::asio {
class io_context;
}

namespace bgw::testing {

using Response = client::RawResult;

/// "GET <target> HTTP/1.1" with Host and Connection: close, the shape most tests want.
std::string get_request(std::string_view target = "/");

/// Send `request` to host:port and read until the peer closes or `deadline` passes (counted
/// from the end of the send). Drives `io` meanwhile, so upstreams on it keep serving.
Response send(boost::asio::io_context& io, const std::string& host, std::uint16_t port,
              std::string request,
              std::chrono::milliseconds deadline = std::chrono::milliseconds(5000));

/// The status code of the response's status line (200, 502, ...); 0 when nothing that looks like
/// an HTTP/1 status line came back.
int status_of(const Response& response);

}  // namespace bgw::testing
