// Drive an io_context until a condition holds or a deadline passes: how tests wait for events
// (a journal entry, a completion) without ever sleeping.
#pragma once

#include <chrono>
#include <functional>

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace bgw::test {

[[nodiscard]] inline testing::AssertionResult run_until(boost::asio::io_context& io,
                                                        const std::function<bool()>& done,
                                                        std::chrono::steady_clock::duration timeout,
                                                        const char* what) {
  auto guard = boost::asio::make_work_guard(io);
  if (io.stopped()) io.restart();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return testing::AssertionFailure() << "timed out waiting for " << what;
    io.run_one_until(deadline);
  }
  return testing::AssertionSuccess();
}

}  // namespace bgw::test
