// Asio vocabulary shared by the simulator's implementation files. Include only where sockets or
// timers are used: public headers forward-declare io_context instead, to keep builds fast.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace bgw::sim {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

/// Boost 1.81 has no default completion token. Errors come back as values: a peer that resets
/// is data, not an exception.
inline constexpr auto nothrow = net::as_tuple(net::use_awaitable);

}  // namespace bgw::sim
