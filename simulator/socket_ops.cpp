#include "socket_ops.hpp"

#include <linux/sockios.h>
#include <sys/ioctl.h>

#include <array>

namespace bgw::sim::ops {

void set_no_delay(tcp::socket& s) {
  error_code ec;
  s.set_option(tcp::no_delay(true), ec);
}

std::size_t discard_available(tcp::socket& s) {
  error_code ec;
  const bool was_non_blocking = s.non_blocking();
  s.non_blocking(true, ec);
  std::size_t total = 0;
  std::array<char, 16384> sink;
  for (;;) {
    const std::size_t n = s.read_some(net::buffer(sink), ec);
    total += n;
    if (ec || n == 0) break;  // would_block: the receive queue is empty; eof/reset: nothing left
  }
  s.non_blocking(was_non_blocking, ec);
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
