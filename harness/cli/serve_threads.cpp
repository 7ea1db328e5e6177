#include "serve_threads.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <thread>

namespace bgw::cli {
namespace {
// The buffer of the thread that runs this code: set once when each thread starts.
thread_local sim::JournalFile::Buffer* this_thread_buffer = nullptr;
}  // namespace

// One other thread: its io_context, its buffer and the timer that flushes it once a second (a
// quiet serve's lines reach the file within a second, a busy one's a chunk at a time).
struct ServeThreads::Worker {
  explicit Worker(sim::JournalFile& file)
      : guard(boost::asio::make_work_guard(io)), buffer(file), timer(io) {}
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard;
  sim::JournalFile::Buffer buffer;
  boost::asio::steady_timer timer;
  std::thread thread;

  void tick() {
    timer.expires_after(std::chrono::seconds(1));
    timer.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      buffer.flush();
      tick();
    });
  }
};

ServeThreads::ServeThreads(unsigned threads, sim::JournalFile& file) : own_(file) {
  this_thread_buffer = &own_;
  for (unsigned t = 1; t < threads; ++t) {
    auto w = std::make_unique<Worker>(file);
    Worker& worker = *w;
    w->thread = std::thread([&worker] {
      this_thread_buffer = &worker.buffer;
      worker.tick();
      worker.io.run();
    });
    workers_.push_back(std::move(w));
  }
}

ServeThreads::~ServeThreads() {
  stop();
}

std::vector<boost::asio::io_context*> ServeThreads::contexts() const {
  std::vector<boost::asio::io_context*> out;
  for (const auto& w : workers_) out.push_back(&w->io);
  return out;
}

sim::JournalFile::Buffer& ServeThreads::buffer() {
  return *this_thread_buffer;
}

void ServeThreads::stop() {
  if (stopped_) return;
  stopped_ = true;
  for (auto& w : workers_) {
    // What is still queued there (the flush timer; sessions of the stopped upstreams have had
    // serve's grace period to unwind) is dropped.
    w->guard.reset();
    w->io.stop();
    if (w->thread.joinable()) w->thread.join();
  }
  // Every other thread has ended: their buffers are ours to flush.
  own_.flush();
  for (auto& w : workers_) w->buffer.flush();
}

}  // namespace bgw::cli
