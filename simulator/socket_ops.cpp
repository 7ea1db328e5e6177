#include "socket_ops.hpp"

#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <array>

namespace bgw::sim::ops {

void set_no_delay(tcp::socket& s) {
  error_code ec;
  s.set_option(tcp::no_delay(true), ec);
}

std::size_t discard_available(tcp::socket& s) {
  // MSG_DONTWAIT makes each recv(2) non-blocking on its own, leaving the socket's mode alone:
  // toggling it (FIONBIO) cost two ioctl(2) per connection, and a third when Asio set it back
  // for its next operation.
  std::size_t total = 0;
  std::array<char, 16384> sink;
  for (;;) {
    const ssize_t n = ::recv(s.native_handle(), sink.data(), sink.size(), MSG_DONTWAIT);
    if (n <= 0) break;  // EAGAIN: the receive queue is empty; 0 or an error: nothing left
    total += static_cast<std::size_t>(n);
  }
  return total;
}

void close_graceful(tcp::socket& s) {
  discard_available(s);
  error_code ec;
  s.close(ec);
}

void close_abortive(tcp::socket& s) {
  error_code ec;
  s.set_option(net::socket_base::linger(true, 0), ec);
  s.close(ec);
}

std::size_t pending_output(tcp::socket& s) {
  int queued = 0;
  if (::ioctl(s.native_handle(), SIOCOUTQ, &queued) != 0) return 0;
  return queued > 0 ? static_cast<std::size_t>(queued) : 0;
}

void shutdown_send(tcp::socket& s) {
  error_code ec;
  s.shutdown(tcp::socket::shutdown_send, ec);
}

void close_as_exit(tcp::socket& s) {
  error_code ec;
  s.close(ec);
}

}  // namespace bgw::sim::ops
