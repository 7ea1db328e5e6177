#include "upstream.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <map>

#include "net.hpp"
#include "session.hpp"
#include "socket_ops.hpp"
#include "tls_context.hpp"
#include "tls_session.hpp"
#include "upstream_state.hpp"

namespace bgw::sim {

const char* to_string(ListenerMode mode) {
  switch (mode) {
    case ListenerMode::accept:
      return "accept";
    case ListenerMode::refuse:
      return "refuse";
    case ListenerMode::blackhole:
      return "blackhole";
  }
  return "?";
}

namespace {

using reuse_port = net::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

// One accepted connection: the socket, the timer its timed steps use, and the kill flag the
// upstream sets before closing the socket from outside.
struct Live {
  explicit Live(net::io_context& io) : socket(io), timer(io) {}
  tcp::socket socket;
  net::steady_timer timer;
  Kill kill = Kill::none;
};

}  // namespace

struct Upstream::Impl : std::enable_shared_from_this<Impl> {
  Impl(net::io_context& context, UpstreamSpec s)
      : io(context), spec(std::move(s)), state(std::make_shared<UpstreamState>(spec)) {}

  net::io_context& io;
  UpstreamSpec spec;
  std::shared_ptr<UpstreamState> state;
  tcp::endpoint bound;
  ListenerMode mode = ListenerMode::refuse;
  std::shared_ptr<tcp::acceptor> acceptor;  // bound; listening in accept and blackhole modes
  std::unique_ptr<tcp::socket> filler;      // our own connection occupying the blackhole queue
  std::map<std::uint64_t, std::shared_ptr<Live>> live;
  std::shared_ptr<TlsContext> tls;  // set for a TLS upstream (spec.tls), made once bound
  std::uint64_t generation = 0;
  bool stopped = false;

  [[noreturn]] void fail(const std::string& what, const error_code& ec) const {
    throw SetupError("upstream '" + spec.name + "': " + what + ": " + ec.message());
  }

  void journal(EventKind kind, std::string detail = {}) {
    state->journal.add(Event{Clock::now(), kind, 0, 0, 0, {}, {}, std::move(detail)});
  }

  // A socket bound to our port with SO_REUSEPORT, so it can be bound while the previous socket
  // still holds the port (Linux allows it when every socket on the port set the option, same
  // uid). That is how the port never becomes free between two modes.
  // SO_REUSEPORT also lets another socket of the same uid share the port, but only one bound to
  // the same local address: the bind conflict check and the reuseport group both compare the
  // bound address, and a SYN only reaches a listener bound to its exact destination address (a
  // wildcard one only when there is none). So with each run on its own 127.A.B.C (the harness's
  // LoopbackLease), no socket of another run can take this upstream's traffic.
  std::shared_ptr<tcp::acceptor> open_bound() {
    auto a = std::make_shared<tcp::acceptor>(io);
    error_code ec;
    a->open(bound.protocol(), ec);
    if (ec) fail("socket()", ec);
    a->set_option(net::socket_base::reuse_address(true), ec);
    a->set_option(reuse_port(true), ec);
    if (ec) fail("SO_REUSEPORT", ec);
    a->bind(bound, ec);
    if (ec) fail("bind " + endpoint_text(), ec);
    return a;
  }

  std::string endpoint_text() const {
    const auto addr = bound.address();
    const std::string host = addr.is_v6() ? "[" + addr.to_string() + "]" : addr.to_string();
    return host + ":" + std::to_string(bound.port());
  }

  void start() {
    error_code ec;
    const auto addr = net::ip::make_address(spec.address, ec);
    if (ec)
      throw SetupError("upstream '" + spec.name + "': invalid address '" + spec.address + "'");
    if (!addr.is_loopback())
      throw SetupError("upstream '" + spec.name + "': address " + spec.address +
                       " is not loopback; badgateway only listens on 127.0.0.0/8 or ::1");
    bound = tcp::endpoint(addr, spec.port);
    if (spec.adopt_fd >= 0) {
      acceptor = std::make_shared<tcp::acceptor>(io);
      acceptor->assign(bound.protocol(), spec.adopt_fd, ec);
      if (ec) fail("adopt fd " + std::to_string(spec.adopt_fd), ec);
    } else {
      acceptor = open_bound();
    }
    bound = acceptor->local_endpoint(ec);  // port 0: learn what the kernel picked
    if (ec) fail("getsockname", ec);
    if (spec.tls) tls = make_tls_context(*spec.tls, bound.address().to_string(), spec.name);
    apply(spec.mode);
  }

  void apply(ListenerMode next) {
    mode = next;
    ++generation;
    error_code ec;
    if (next == ListenerMode::accept) {
      acceptor->listen(net::socket_base::max_listen_connections, ec);
      if (ec) fail("listen", ec);
      net::co_spawn(io, accept_loop(shared_from_this(), acceptor, generation),
                    [self = shared_from_this()](std::exception_ptr e) { self->report(e); });
    } else if (next == ListenerMode::blackhole) {
      // listen(0): the accept queue holds one connection; ours fills it, so the kernel drops
      // every later SYN (tcp_conn_request: accept queue full) and connects hang.
      acceptor->listen(0, ec);
      if (ec) fail("listen(0)", ec);
      fill_queue();
    }
    // refuse: bound and never listening; the kernel answers SYN with RST.
    journal(EventKind::listening, to_string(next));
  }

  void fill_queue() {
    filler = std::make_unique<tcp::socket>(io);
    error_code ec;
    filler->open(bound.protocol(), ec);
    filler->non_blocking(true, ec);
    filler->connect(bound, ec);
    if (ec == net::error::in_progress || ec == net::error::would_block) {
      // Wait (bounded) for the handshake: an event wait, not a sleep. If it never completes the
      // queue already drops SYNs, which is the blackhole we want anyway.
      pollfd p{filler->native_handle(), POLLOUT, 0};
      ::poll(&p, 1, 1000);
    } else if (ec) {
      fail("blackhole queue filler connect", ec);
    }
  }

  void switch_to(ListenerMode next) {
    if (stopped) return;
    if (next == mode && next != ListenerMode::blackhole) return;
    auto fresh = open_bound();  // bound before the old socket goes: the port stays ours
    close_listener();
    acceptor = std::move(fresh);
    apply(next);
  }

  // Closing a listening socket resets the connections still in its accept queue, as a dying
  // process's exit does.
  void close_listener() {
    ++generation;
    error_code ec;
    if (acceptor) acceptor->close(ec);
    if (filler) {
      filler->close(ec);
      filler.reset();
    }
  }

  void kill_connections(Kill why) {
    auto copy = live;
    for (auto& [id, conn] : copy) {
      conn->kill = why;
      ops::close_as_exit(conn->socket);
      conn->timer.cancel();
    }
  }

  void report(std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      journal(EventKind::internal_error, ex.what());
    } catch (...) {
      journal(EventKind::internal_error, "unknown exception");
    }
  }

  static net::awaitable<void> accept_loop(std::shared_ptr<Impl> self,
                                          std::shared_ptr<tcp::acceptor> acceptor,
                                          std::uint64_t gen) {
    net::steady_timer backoff(self->io);
    for (;;) {
      tcp::socket socket(self->io);
      auto [ec] = co_await acceptor->async_accept(socket, nothrow);
      if (gen != self->generation || self->stopped) {
        if (!ec) ops::close_as_exit(socket);
        co_return;
      }
      if (ec) {
        if (ec == net::error::operation_aborted) co_return;
        // EMFILE and friends: say so, and do not spin.
        self->journal(EventKind::internal_error, "accept: " + ec.message());
        backoff.expires_after(std::chrono::milliseconds(10));
        co_await backoff.async_wait(nothrow);
        continue;
      }
      const std::uint64_t id = self->state->journal.next_connection();
      auto conn = std::make_shared<Live>(self->io);
      conn->socket = std::move(socket);
      self->live.emplace(id, conn);
      net::co_spawn(self->io, serve(self, conn, id),
                    [self](std::exception_ptr e) { self->report(e); });
    }
  }

  static net::awaitable<void> serve(std::shared_ptr<Impl> self, std::shared_ptr<Live> conn,
                                    std::uint64_t id) {
    if (self->tls) {
      co_await serve_tls(self->tls, conn->socket, conn->timer, self->state, id, conn->kill);
    } else {
      Session<tcp::socket> session(conn->socket, conn->timer, self->state, id, conn->kill);
      co_await session.run();
    }
    self->live.erase(id);
  }
};

Upstream::Upstream(boost::asio::io_context& io, UpstreamSpec spec)
    : impl_(std::make_shared<Impl>(io, std::move(spec))) {
  impl_->start();
}

Upstream::~Upstream() {
  stop();
}

const std::string& Upstream::name() const {
  return impl_->spec.name;
}
const std::string& Upstream::address() const {
  return impl_->spec.address;
}
std::uint16_t Upstream::port() const {
  return impl_->bound.port();
}
std::string Upstream::endpoint() const {
  return impl_->endpoint_text();
}
const TlsSpec* Upstream::tls() const {
  return impl_->spec.tls ? &*impl_->spec.tls : nullptr;
}
ListenerMode Upstream::mode() const {
  return impl_->mode;
}
void Upstream::set_mode(ListenerMode mode) {
  impl_->switch_to(mode);
}

void Upstream::set_rules(std::vector<Rule> rules) {
  impl_->spec.rules = std::move(rules);
  impl_->state->rules = make_rule_set(impl_->spec.response, impl_->spec.rules);
}

void Upstream::set_response(Response response) {
  impl_->spec.response = std::move(response);
  impl_->state->rules = make_rule_set(impl_->spec.response, impl_->spec.rules);
}

const std::vector<Rule>& Upstream::rules() const {
  return impl_->spec.rules;
}

const Response& Upstream::response() const {
  return impl_->spec.response;
}

void Upstream::crash() {
  if (impl_->stopped) return;
  impl_->journal(EventKind::crashed);
  impl_->switch_to(ListenerMode::refuse);
  impl_->kill_connections(Kill::crash);
}

void Upstream::restart() {
  if (impl_->stopped) return;
  impl_->journal(EventKind::restarted);
  impl_->switch_to(ListenerMode::accept);
}

void Upstream::stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  impl_->close_listener();
  impl_->kill_connections(Kill::stop);
  impl_->journal(EventKind::stopped);
}

std::size_t Upstream::live_connections() const {
  return impl_->live.size();
}
Journal& Upstream::journal() {
  return impl_->state->journal;
}
const Journal& Upstream::journal() const {
  return impl_->state->journal;
}

}  // namespace bgw::sim
