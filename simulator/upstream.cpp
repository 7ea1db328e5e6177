#include "upstream.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <future>
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

// Runs `f` on the thread that runs `io` and returns once it has run there, rethrowing what it
// threw. Only the first thread ever waits like this, and no other thread waits on it, so it
// cannot deadlock; `io` must be running. Once `io` has stopped (its thread is gone), `f` runs
// here.
template <class F>
void run_on(net::io_context& io, F f) {
  if (io.get_executor().running_in_this_thread() || io.stopped()) {
    f();
    return;
  }
  std::promise<void> done;
  net::post(io, [&] {
    try {
      f();
      done.set_value();
    } catch (...) {
      done.set_exception(std::current_exception());
    }
  });
  done.get_future().get();
}

// A thread other than the first has no blackhole of its own: two listen(0) queues would each
// take a connection (the kernel spreads SYNs over a port's listeners), so it stays bound and
// not listening, and every SYN goes to the first thread's full queue.
ListenerMode on_other_thread(ListenerMode mode) {
  return mode == ListenerMode::blackhole ? ListenerMode::refuse : mode;
}

}  // namespace

struct Upstream::Impl : std::enable_shared_from_this<Impl> {
  Impl(net::io_context& context, UpstreamSpec s)
      : io(context), spec(std::move(s)), state(std::make_shared<UpstreamState>(spec)) {}
  // Another thread's listener for `first`: same port, same state.
  Impl(net::io_context& context, const Impl& first)
      : io(context), spec(first.spec), state(first.state), replica(true) {
    spec.port = first.bound.port();
    spec.adopt_fd = -1;
    spec.mode = on_other_thread(first.mode);
  }

  net::io_context& io;
  UpstreamSpec spec;
  std::shared_ptr<UpstreamState> state;
  bool replica = false;  // another thread's listener: journals no listener events of its own
  std::vector<std::shared_ptr<Impl>> replicas;  // the first's only
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
    if (!replica) journal(EventKind::listening, to_string(next));
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

  // The per-thread part of stop().
  void halt() {
    stopped = true;
    close_listener();
    kill_connections(Kill::stop);
  }

  // `f(impl)` on every other thread's listener, each on its thread, all at once: posted to
  // every thread before waiting for any, so a crash reaches the last of 16 threads about one
  // round trip after the first, not 15. Rethrows the first exception once all have run.
  template <class F>
  void others(F f) {
    std::vector<std::future<void>> done;
    std::exception_ptr first;
    for (auto& r : replicas) {
      if (r->io.get_executor().running_in_this_thread() || r->io.stopped()) {
        try {  // its thread is gone (or is this one): here, and on to wait for the others
          f(*r);
        } catch (...) {
          if (!first) first = std::current_exception();
        }
        continue;
      }
      auto task = std::make_shared<std::packaged_task<void()>>([&f, r] { f(*r); });
      done.push_back(task->get_future());
      net::post(r->io, [task] { (*task)(); });
    }
    for (auto& d : done) {
      try {
        d.get();
      } catch (...) {
        if (!first) first = std::current_exception();
      }
    }
    if (first) std::rethrow_exception(first);
  }
  // The same on this thread's listener first, then on the others'.
  template <class F>
  void each(F f) {
    f(*this);
    others(f);
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
  Impl& first = *impl_;
  // Into a blackhole the other threads go first: the first thread's queue filler must not
  // land on another thread's listener that still accepts.
  if (mode == ListenerMode::blackhole)
    first.others([&](Impl& r) { r.switch_to(on_other_thread(mode)); });
  first.switch_to(mode);
  if (mode != ListenerMode::blackhole) first.others([&](Impl& r) { r.switch_to(mode); });
}

void Upstream::set_rules(std::vector<Rule> rules) {
  impl_->spec.rules = std::move(rules);
  impl_->state->set_rules(make_rule_set(impl_->spec.response, impl_->spec.rules));
}

void Upstream::set_response(Response response) {
  impl_->spec.response = std::move(response);
  impl_->state->set_rules(make_rule_set(impl_->spec.response, impl_->spec.rules));
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
  impl_->each([](Impl& i) {
    i.switch_to(ListenerMode::refuse);
    i.kill_connections(Kill::crash);
  });
}

void Upstream::restart() {
  if (impl_->stopped) return;
  impl_->journal(EventKind::restarted);
  impl_->each([](Impl& i) { i.switch_to(ListenerMode::accept); });
}

void Upstream::stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->each([](Impl& i) { i.halt(); });
  impl_->journal(EventKind::stopped);
  // Each other thread's listener is let go on its own thread (or with its io_context, if that
  // no longer runs), never here: this Impl may outlive that io_context (a session of this
  // thread still unwinding holds it), and its sockets and timers must not.
  for (auto& r : impl_->replicas) {
    net::io_context& io = r->io;  // before the move below: argument order is unspecified
    net::post(io, [r = std::move(r)] {});
  }
  impl_->replicas.clear();
}

// Every thread's listener is bound to the same address and port with SO_REUSEPORT: Linux keeps
// the listening sockets of one port (same uid, each with the option set) in a reuseport group
// and picks one per incoming SYN by a hash of the connection's 4-tuple (reuseport_select_sock),
// so the kernel spreads connections over the threads and each stays on the thread that
// accepted it. Bound sockets that do not listen are not in the group: they get no SYN.
void Upstream::add_threads(const std::vector<boost::asio::io_context*>& more) {
  Impl& first = *impl_;
  if (first.stopped) return;
  if (first.spec.adopt_fd >= 0 && !more.empty())
    throw SetupError("upstream '" + first.spec.name +
                     "': more threads need a socket of its own (not an adopted one)");
  for (net::io_context* io : more) {
    // Built on its own thread: its sockets and accept loop are that io_context's from the start.
    run_on(*io, [&] {
      auto r = std::make_shared<Impl>(*io, first);
      r->start();
      first.replicas.push_back(std::move(r));
    });
  }
}

std::size_t Upstream::threads() const {
  return 1 + impl_->replicas.size();
}

std::size_t Upstream::live_connections() const {
  std::size_t n = 0;
  for (std::size_t k : live_connections_by_thread()) n += k;
  return n;
}

std::vector<std::size_t> Upstream::live_connections_by_thread() const {
  std::vector<std::size_t> out{impl_->live.size()};
  for (auto& r : impl_->replicas) run_on(r->io, [&] { out.push_back(r->live.size()); });
  return out;
}

Journal& Upstream::journal() {
  return impl_->state->journal;
}
const Journal& Upstream::journal() const {
  return impl_->state->journal;
}

}  // namespace bgw::sim
