// The only code that changes how a TCP connection ends. Each function names the kernel
// behaviour (Linux) it relies on; see docs/architecture.md "Socket facts".
#pragma once

#include <cstddef>

#include "net.hpp"

namespace bgw::sim::ops {

/// Disable Nagle so a partial write (half a status line) leaves now, not after the next ACK.
void set_no_delay(tcp::socket& s);

/// Read and discard what the peer already sent, without waiting. Returns the bytes discarded.
std::size_t discard_available(tcp::socket& s);

/// FIN: discard unread input first (close() with unread bytes makes the kernel send RST
/// instead, tcp_close()), then close(). Queued output is still delivered before the FIN.
void close_graceful(tcp::socket& s);

/// RST: SO_LINGER {on, 0} then an explicit close(). Asio's destructor turns linger off again
/// (socket_ops::close(destruction=true)), so letting the socket go out of scope would send FIN.
void close_abortive(tcp::socket& s);

/// Bytes we wrote that the peer has not acknowledged yet (SIOCOUTQ: unsent + unacked). A RST
/// discards them, so a "write N bytes, then RST" fault waits for this to reach 0 first.
std::size_t pending_output(tcp::socket& s);

/// shutdown(SHUT_WR): the peer reads EOF; we can still read what it sends.
void shutdown_send(tcp::socket& s);

/// close() exactly as the kernel closes the fds of a process that dies: FIN, or RST if unread
/// input is queued. Used to emulate a crash.
void close_as_exit(tcp::socket& s);

}  // namespace bgw::sim::ops
