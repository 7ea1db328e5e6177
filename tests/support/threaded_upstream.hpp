// A sim::Upstream on an io_context of its own, run by a thread of its own: for tests whose client
// blocks (the OpenSSL test client, tests/support/tls_client.hpp). stop() stops the upstream on
// its own thread and joins it; afterwards its journal is the test's to read.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>
#include <utility>

#include "simulator/upstream.hpp"

namespace bgw::test {

class ThreadedUpstream {
 public:
  ThreadedUpstream() = default;
  ThreadedUpstream(const ThreadedUpstream&) = delete;
  ThreadedUpstream& operator=(const ThreadedUpstream&) = delete;
  ~ThreadedUpstream() { stop(); }

  /// Binds the upstream (it accepts once this returns), lets `before_run` hook it (a journal
  /// listener) before its thread starts, and returns its port.
  std::uint16_t start(sim::UpstreamSpec spec,
                      const std::function<void(sim::Upstream&)>& before_run = {}) {
    upstream_ = std::make_unique<sim::Upstream>(io_, std::move(spec));
    if (before_run) before_run(*upstream_);
    thread_ = std::thread([this] { io_.run(); });
    return upstream_->port();
  }

  /// Runs `f` on the upstream's thread.
  void post(std::function<void(sim::Upstream&)> f) {
    boost::asio::post(io_, [this, f = std::move(f)] { f(*upstream_); });
  }

  void stop() {
    if (!thread_.joinable()) return;
    boost::asio::post(io_, [this] {
      upstream_->stop();
      guard_.reset();
    });
    thread_.join();
  }

  /// The upstream, or null before start(). Read its journal only after stop().
  sim::Upstream* get() const { return upstream_.get(); }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_{
      io_.get_executor()};
  std::unique_ptr<sim::Upstream> upstream_;
  std::thread thread_;
};

}  // namespace bgw::test
