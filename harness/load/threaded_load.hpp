// The load generator on N threads, for a proxy that one client core cannot saturate: each
// thread runs run_load() on its own io_context with 1/N of the connections and every N-th
// request of the run (LoadOptions::id_stride / id_offset), all from one start, so ids stay
// unique, the open loop's rate adds up, and the results merge into one LoadResult. Nothing is
// shared between the threads while they run but the progress slots.
#pragma once

#include <functional>
#include <memory>

#include "harness/load/load_result.hpp"

namespace bgw::load {

struct LoadOptions;

class ThreadedLoad {
 public:
  /// Starts `threads` generators now (at least 1; never more than the connections).
  /// `options.start` is the run's t = 0 (default: now). `options.on_record`, if set, is called
  /// on the generators' threads, concurrently: it must be thread-safe.
  /// `on_done`, if set, is called once, on the last generator's thread, when every generator
  /// has finished (a caller waiting on its own event loop posts itself a wake-up there).
  ThreadedLoad(const LoadOptions& options, unsigned threads, std::function<void()> on_done = {});
  /// Cancels what still runs and joins.
  ~ThreadedLoad();
  ThreadedLoad(const ThreadedLoad&) = delete;
  ThreadedLoad& operator=(const ThreadedLoad&) = delete;

  unsigned threads() const;
  /// Every generator has finished.
  bool done() const;
  /// Ends the run early with what was measured (as cancelling run_load does). Thread-safe.
  void cancel();
  /// The run's figures so far, summed over the threads (p99: the worst thread's).
  Progress progress() const;
  /// Waits for every generator and merges their results; rethrows the first failure.
  LoadResult join();

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace bgw::load
