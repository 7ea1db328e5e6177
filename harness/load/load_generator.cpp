// The load generator's coroutines. Hot-path choices, measured against wrk with
// bench/compare_wrk.sh:
// - one coroutine per connection that sends and reads in a loop: no frame per request;
// - the request is written with one non-blocking send() straight from the coroutine (a small
//   request always fits the send buffer), so a write needs no completion and no scheduler round;
// - the response is read into a per-connection buffer and framed in place (ResponseFramer):
//   no allocation and no copy per request;
// - no timer per request: one watchdog tick per run compares each connection's deadline and
//   cancels what overran, so timeouts are as precise as the tick (a few ms), which is plenty
//   for timeouts of a second.
#include "load_generator.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>

#include "load_recorder.hpp"
#include "load_schedule.hpp"
#include "request_bytes.hpp"
#include "response_framer.hpp"

namespace bgw::load {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;
constexpr auto nothrow = net::as_tuple(net::use_awaitable);

// Large enough for any line the framer accepts plus a good read of body bytes.
constexpr std::size_t kBufferSize = 64 * 1024;
static_assert(kBufferSize >= 2 * ResponseFramer::max_line);

net::ip::address loopback_address(const std::string& host, bool allow_remote) {
  const std::string h = host == "localhost" ? "127.0.0.1" : host;
  error_code ec;
  const net::ip::address a = net::ip::make_address(h, ec);
  if (!ec && allow_remote) return a;
  if (ec || !a.is_loopback())
    throw std::invalid_argument("load: host '" + host +
                                "' is not a loopback address (127.0.0.0/8 or ::1)");
  return a;
}

void validate(const LoadOptions& o) {
  if (o.connections < 1 || o.connections > 65535)
    throw std::invalid_argument("load: connections must be between 1 and 65535");
  if (!(o.rate >= 0)) throw std::invalid_argument("load: rate must be >= 0");
  if (o.port == 0) throw std::invalid_argument("load: port must not be 0");
  if (o.duration < std::chrono::nanoseconds::zero())
    throw std::invalid_argument("load: duration must be >= 0");
  if (o.request_timeout <= std::chrono::nanoseconds::zero())
    throw std::invalid_argument("load: request_timeout must be > 0");
}

// One client connection and everything it reuses from request to request.
struct Slot {
  Slot(const net::any_io_executor& ex, std::uint16_t i)
      : socket(ex), timer(ex), buffer(new char[kBufferSize]), index(i) {}

  void close() noexcept {
    error_code ignored;
    socket.close(ignored);
    begin = end = 0;
  }

  tcp::socket socket;
  net::steady_timer timer;  ///< open loop: waits for a request's intended time
  std::unique_ptr<char[]> buffer;
  std::size_t begin = 0;  ///< unconsumed bytes are [begin, end)
  std::size_t end = 0;
  std::string scratch;  ///< the request bytes, id patched in place
  ResponseFramer framer;
  std::uint16_t index;
  // Set by the coroutine, read by the watchdog.
  Clock::time_point deadline = Clock::time_point::max();
  bool expired = false;  ///< the watchdog cancelled the request in flight
};

// What one run shares between its connection coroutines and its watchdog. Owned by shared_ptr:
// a connection coroutine may outlive run_load's frame if the io_context is torn down mid-run.
struct Run {
  Run(const net::any_io_executor& ex, LoadOptions o, Clock::time_point start, bool progress)
      : options(std::move(o)),
        endpoint(loopback_address(options.host, options.allow_remote), options.port),
        request(options),
        schedule(options, start),
        recorder(options, start, progress),
        tick(ex) {
    slots.reserve(static_cast<std::size_t>(options.connections));
    for (int i = 0; i < options.connections; ++i)
      slots.push_back(std::make_unique<Slot>(ex, static_cast<std::uint16_t>(i)));
  }

  // Cancel every request past its deadline: it ends as a timeout.
  void expire(Clock::time_point now) {
    for (auto& s : slots) {
      if (!s->expired && now >= s->deadline) {
        s->expired = true;
        error_code ignored;
        s->socket.cancel(ignored);
      }
    }
  }

  // End the run now. `drop`: requests in flight are not recorded (the caller gave up on the
  // run); otherwise they end as timeouts.
  void stop(bool drop) {
    schedule.stop();
    stopping = true;
    drop_in_flight = drop_in_flight || drop;
    for (auto& s : slots) {
      s->expired = true;
      error_code ignored;
      s->socket.cancel(ignored);
      s->timer.cancel();
    }
  }

  void connection_done(std::exception_ptr e) {
    if (e && !failure) {
      failure = e;
      stop(true);
    }
    if (--live == 0) tick.cancel();
  }

  LoadOptions options;
  tcp::endpoint endpoint;
  RequestBytes request;
  Schedule schedule;
  Recorder recorder;
  net::steady_timer tick;
  std::vector<std::unique_ptr<Slot>> slots;
  int live = 0;
  std::uint64_t started = 0;
  std::uint64_t connects = 0;
  bool stopping = false;
  bool drop_in_flight = false;
  std::exception_ptr failure;
};

Outcome connect_failure(const error_code& ec, bool expired) {
  if (expired) return Outcome::connect_timeout;
  if (ec == net::error::connection_refused) return Outcome::refused;
  if (ec == net::error::timed_out) return Outcome::connect_timeout;
  if (ec == net::error::connection_reset) return Outcome::reset;
  return Outcome::refused;  // unreachable, no ports left, ...: the proxy could not be reached
}

Outcome io_failure(const error_code& ec, bool expired) {
  if (expired) return Outcome::timeout;
  if (ec == net::error::eof) return Outcome::closed;
  return Outcome::reset;  // ECONNRESET, EPIPE and whatever else broke the connection
}

// Opens the slot's connection. Returns true when connected; otherwise `outcome` says why.
net::awaitable<bool> connect(Run& run, Slot& s, Outcome& outcome) {
  s.close();
  auto [ec] = co_await s.socket.async_connect(run.endpoint, nothrow);
  if (ec) {
    outcome = connect_failure(ec, s.expired);
    s.close();
    co_return false;
  }
  ++run.connects;
  error_code ignored;
  s.socket.set_option(tcp::no_delay(true), ignored);
  // Synchronous sends then return would_block instead of blocking (drive's fast path).
  s.socket.non_blocking(true, ignored);
  co_return true;
}

// The rest of a request the kernel did not take at once (a large body).
net::awaitable<error_code> send_rest(Slot& s, std::string_view rest) {
  auto [ec, n] =
      co_await net::async_write(s.socket, net::buffer(rest.data(), rest.size()), nothrow);
  co_return ec;
}

// Frames what is buffered. Returns the outcome once the response is complete or invalid;
// nullopt when more bytes are needed (the buffer then has room for them).
std::optional<Outcome> frame_buffered(Slot& s) noexcept {
  char* const buf = s.buffer.get();
  if (s.end > s.begin) {
    s.begin += s.framer.feed(buf + s.begin, s.end - s.begin);
    switch (s.framer.state()) {
      case ResponseFramer::State::complete:
        return Outcome::response;
      case ResponseFramer::State::invalid:
        return Outcome::invalid;
      case ResponseFramer::State::need_more:
        break;
    }
  }
  if (s.begin == s.end) {
    s.begin = s.end = 0;
  } else if (kBufferSize - s.end < ResponseFramer::max_line) {
    // A partial line near the end: move it to the front so the rest of it fits.
    std::memmove(buf, buf + s.begin, s.end - s.begin);
    s.end -= s.begin;
    s.begin = 0;
  }
  return std::nullopt;
}

// The read ended with `ec` (EOF, reset, cancelled by the watchdog): how did the request end?
Outcome read_ended(Slot& s, const error_code& ec) noexcept {
  if (s.end > s.begin) s.framer.feed(s.buffer.get() + s.begin, s.end - s.begin);
  if (s.framer.state() == ResponseFramer::State::complete) return Outcome::response;
  if (s.framer.state() == ResponseFramer::State::invalid) return Outcome::invalid;
  if (ec == net::error::eof && s.framer.finish_at_eof()) return Outcome::response;
  return io_failure(ec, s.expired);
}

net::awaitable<void> drive(std::shared_ptr<Run> run_ptr, Slot& s) {
  Run& run = *run_ptr;
  const auto timeout = run.options.request_timeout;
  const bool head_request = run.request.head_request();
  Clock::time_point now = Clock::now();
  while (!run.stopping) {
    const std::optional<Ticket> t = run.schedule.next(now);
    if (!t) break;
    if (t->intended > now) {
      s.timer.expires_at(t->intended);
      co_await s.timer.async_wait(nothrow);
      if (run.stopping) break;
      now = Clock::now();
    }
    const Clock::time_point deadline = t->intended + timeout;
    if (now >= deadline) {
      // Open loop: its time came and went while every connection was busy. It still counts,
      // with the delay it would have had.
      ++run.started;
      run.recorder.record(t->id, t->intended, now, 0, Outcome::timeout, s.index);
      continue;
    }
    ++run.started;
    s.deadline = deadline;
    s.expired = false;

    Outcome outcome = Outcome::response;
    s.framer.start(head_request);
    bool sent = s.socket.is_open();
    if (!sent) sent = co_await connect(run, s, outcome);
    if (sent) {
      const std::string_view bytes = run.request.render(t->id, s.scratch);
      error_code ec;
      std::size_t written = s.socket.write_some(net::buffer(bytes.data(), bytes.size()), ec);
      if (ec && (ec == net::error::would_block || ec == net::error::try_again)) {
        ec.clear();
        written = 0;
      }
      if (!ec && written < bytes.size()) ec = co_await send_rest(s, bytes.substr(written));
      if (ec) {
        outcome = io_failure(ec, s.expired);
        if (outcome == Outcome::closed) outcome = Outcome::reset;  // EPIPE after FIN
      } else {
        // Read and frame in this coroutine: no frame per request.
        while (true) {
          if (const std::optional<Outcome> done = frame_buffered(s)) {
            outcome = *done;
            break;
          }
          auto [read_ec, got] = co_await s.socket.async_read_some(
              net::buffer(s.buffer.get() + s.end, kBufferSize - s.end), nothrow);
          s.end += got;
          if (read_ec) {
            outcome = read_ended(s, read_ec);
            break;
          }
        }
      }
    }
    now = Clock::now();
    s.deadline = Clock::time_point::max();
    if (run.stopping && run.drop_in_flight) break;
    run.recorder.record(t->id, t->intended, now, s.framer.status(), outcome, s.index);
    if (outcome != Outcome::response || !s.framer.keep_alive()) s.close();
  }
  s.close();
}

}  // namespace

net::awaitable<LoadResult> run_load(LoadOptions options, ProgressFn progress) {
  validate(options);
  auto ex = co_await net::this_coro::executor;
  // Cancelling run_load (e.g. with ||, or a bound cancellation slot on SIGINT) ends the run
  // early with what was measured so far, instead of throwing out of the next co_await.
  co_await net::this_coro::throw_if_cancelled(false);

  const Clock::time_point start =
      options.start == Clock::time_point{} ? Clock::now() : options.start;
  auto run = std::make_shared<Run>(ex, std::move(options), start, static_cast<bool>(progress));
  const LoadOptions& o = run->options;

  for (auto& slot : run->slots) {
    ++run->live;
    net::co_spawn(ex, drive(run, *slot),
                  [run](std::exception_ptr e) { run->connection_done(std::move(e)); });
  }

  // Deadlines are checked on a tick of about 1/16 of the timeout (1 to 20 ms).
  const auto tick = std::clamp<std::chrono::nanoseconds>(
      o.request_timeout / 16, std::chrono::milliseconds(1), std::chrono::milliseconds(20));
  // Every request ends by its deadline: intended (< start + duration) + request_timeout. This
  // is a backstop in case a cancelled operation does not come back.
  const Clock::time_point hard_stop =
      start + o.duration + o.request_timeout + 4 * tick + std::chrono::milliseconds(200);
  const auto every = o.progress_every > std::chrono::nanoseconds::zero()
                         ? o.progress_every
                         : std::chrono::nanoseconds(std::chrono::milliseconds(250));
  Clock::time_point next_progress = start + every;
  std::exception_ptr callback_failure;

  while (run->live > 0) {
    Clock::time_point wake = Clock::now() + tick;
    if (progress && next_progress < wake) wake = next_progress;
    run->tick.expires_at(wake);
    co_await run->tick.async_wait(nothrow);
    if ((co_await net::this_coro::cancellation_state).cancelled() != net::cancellation_type::none) {
      run->stop(true);
      co_await net::this_coro::reset_cancellation_state();
    }
    const Clock::time_point now = Clock::now();
    run->expire(now);
    if (now >= hard_stop && !run->stopping) run->stop(false);
    if (progress && now >= next_progress && !callback_failure) {
      while (next_progress <= now) next_progress += every;
      try {
        progress(run->recorder.progress(now, run->started));
      } catch (...) {
        callback_failure = std::current_exception();
        run->stop(true);
      }
    }
  }
  if (run->failure) std::rethrow_exception(run->failure);
  if (callback_failure) std::rethrow_exception(callback_failure);
  co_return run->recorder.finish(Clock::now(), run->connects);
}

}  // namespace bgw::load
