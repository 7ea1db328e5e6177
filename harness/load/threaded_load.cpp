#include "threaded_load.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "load_generator.hpp"

namespace bgw::load {

namespace net = boost::asio;

struct ThreadedLoad::State {
  struct Generator {
    // One thread per io_context: no locking inside Asio, as in a single-threaded run.
    net::io_context io{1};
    net::cancellation_signal cancel;
    std::optional<LoadResult> result;
    std::exception_ptr failure;
    Progress progress;  // guarded by State::mutex
    std::thread thread;
  };
  std::vector<std::unique_ptr<Generator>> generators;
  std::atomic<unsigned> running{0};
  std::function<void()> on_done;
  mutable std::mutex mutex;
  bool joined = false;
};

ThreadedLoad::ThreadedLoad(const LoadOptions& options, unsigned threads,
                           std::function<void()> on_done)
    : s_(std::make_unique<State>()) {
  s_->on_done = std::move(on_done);
  const unsigned n =
      std::clamp(threads, 1u, static_cast<unsigned>(std::max(1, options.connections)));
  LoadOptions common = options;
  if (common.start == Clock::time_point{}) common.start = Clock::now();
  s_->running = n;
  for (unsigned t = 0; t < n; ++t) s_->generators.push_back(std::make_unique<State::Generator>());
  for (unsigned t = 0; t < n; ++t) {
    State::Generator& g = *s_->generators[t];
    LoadOptions o = common;
    // Within the run's share (an agent's every N-th request), every n-th to each generator.
    o.id_stride = std::max(1u, options.id_stride) * n;
    o.id_offset = options.id_offset + std::max(1u, options.id_stride) * t;
    o.connections = options.connections / static_cast<int>(n) +
                    (t < static_cast<unsigned>(options.connections) % n ? 1 : 0);
    State& state = *s_;
    ProgressFn progress = [&state, &g](const Progress& p) {
      const std::lock_guard lock(state.mutex);
      g.progress = p;
    };
    net::co_spawn(g.io, run_load(std::move(o), std::move(progress)),
                  net::bind_cancellation_slot(g.cancel.slot(),
                                              [&state, &g](std::exception_ptr e, LoadResult r) {
                                                if (e)
                                                  g.failure = e;
                                                else
                                                  g.result = std::move(r);
                                                if (--state.running == 0 && state.on_done)
                                                  state.on_done();
                                              }));
    g.thread = std::thread([&g] { g.io.run(); });
  }
}

ThreadedLoad::~ThreadedLoad() {
  if (s_->joined) return;
  cancel();
  for (auto& g : s_->generators)
    if (g->thread.joinable()) g->thread.join();
}

unsigned ThreadedLoad::threads() const {
  return static_cast<unsigned>(s_->generators.size());
}

bool ThreadedLoad::done() const {
  return s_->running.load() == 0;
}

void ThreadedLoad::cancel() {
  // A cancellation signal is not thread-safe: it is emitted on its generator's own thread.
  for (auto& g : s_->generators) {
    State::Generator* gen = g.get();
    net::post(gen->io, [gen] { gen->cancel.emit(net::cancellation_type::terminal); });
  }
}

Progress ThreadedLoad::progress() const {
  const std::lock_guard lock(s_->mutex);
  Progress sum;
  for (const auto& g : s_->generators) {
    sum.at = std::max(sum.at, g->progress.at);
    sum.sent += g->progress.sent;
    sum.completed += g->progress.completed;
    sum.failed += g->progress.failed;
    sum.p99_ns_last_interval = std::max(sum.p99_ns_last_interval, g->progress.p99_ns_last_interval);
  }
  return sum;
}

LoadResult ThreadedLoad::join() {
  for (auto& g : s_->generators)
    if (g->thread.joinable()) g->thread.join();
  s_->joined = true;
  for (auto& g : s_->generators)
    if (g->failure) std::rethrow_exception(g->failure);
  LoadResult merged;
  bool first = true;
  for (auto& g : s_->generators) {
    if (!g->result) continue;
    if (first) {
      merged = std::move(*g->result);
      first = false;
    } else {
      merge_into(merged, *g->result);
    }
  }
  return merged;
}

}  // namespace bgw::load
