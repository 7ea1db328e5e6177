// `badgateway serve --threads N`: the N - 1 threads beside serve's own, each running an
// io_context on which every upstream has one more listener (scenario::Simulation::add_threads),
// and one journal buffer per thread, so a journal line is collected on the thread that journals
// it without a lock and the file gets whole chunks (sim::JournalFile). With N = 1 there is no
// other thread and only serve's own buffer.
#pragma once

#include <memory>
#include <vector>

#include "simulator/journal_file.hpp"

namespace boost::asio {
class io_context;
}

namespace bgw::cli {

class ServeThreads {
 public:
  /// Starts the N - 1 threads at once; they wait for work until stop(). Each flushes its buffer
  /// once a second by a timer on its own io_context; serve flushes its own (buffer() on its
  /// thread) likewise.
  ServeThreads(unsigned threads, sim::JournalFile& file);
  /// stop(), if not done yet.
  ~ServeThreads();
  ServeThreads(const ServeThreads&) = delete;
  ServeThreads& operator=(const ServeThreads&) = delete;

  /// The other threads' io_contexts (empty with N = 1).
  std::vector<boost::asio::io_context*> contexts() const;
  /// The calling thread's journal buffer (serve's own thread or one of the others).
  sim::JournalFile::Buffer& buffer();
  /// Ends the other threads, joins them, and then flushes every buffer. Call from serve's
  /// thread, once the upstreams are stopped.
  void stop();

 private:
  struct Worker;
  sim::JournalFile::Buffer own_;
  std::vector<std::unique_ptr<Worker>> workers_;
  bool stopped_ = false;
};

}  // namespace bgw::cli
