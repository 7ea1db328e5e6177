// Waiting in a test for what an upstream saw, with a deadline: the io_context is driven until
// the upstream's journal shows the event or the deadline passes (never a sleep). Every wait is
// [[nodiscard]]: use it as EXPECT_TRUE(wait_for_requests(...)) so a timeout fails the test with
// what was awaited and what the journal holds.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>

#include <gtest/gtest.h>

#include "simulator/journal.hpp"
#include "simulator/upstream.hpp"

namespace boost::asio {
class io_context;
}

namespace bgw::testing {

using namespace std::chrono_literals;

/// The default deadline of every wait: generous, since a wait that succeeds returns at once.
inline constexpr std::chrono::milliseconds default_wait = 5000ms;

/// Drive `io` until `done()` holds or `timeout` passes; the failure message names `what`.
[[nodiscard]] ::testing::AssertionResult wait_until(boost::asio::io_context& io,
                                                    const std::function<bool()>& done,
                                                    std::chrono::milliseconds timeout,
                                                    const char* what);

/// `upstream` has read at least `count` request heads.
[[nodiscard]] ::testing::AssertionResult wait_for_requests(
    boost::asio::io_context& io, const sim::Upstream& upstream, std::size_t count = 1,
    std::chrono::milliseconds timeout = default_wait);

/// At least `count` connections to `upstream` have ended, either side closing (FIN or RST).
[[nodiscard]] ::testing::AssertionResult wait_for_connection_closed(
    boost::asio::io_context& io, const sim::Upstream& upstream, std::size_t count = 1,
    std::chrono::milliseconds timeout = default_wait);

/// A fault of `upstream`'s script has fired: a connection it reset or half-closed, a timed step
/// (stall, drip, delay) that finished, or a crash.
[[nodiscard]] ::testing::AssertionResult wait_for_fault(
    boost::asio::io_context& io, const sim::Upstream& upstream,
    std::chrono::milliseconds timeout = default_wait);

/// Whether `e` is a fault firing, as wait_for_fault counts it.
bool is_fault(const sim::Event& e);

}  // namespace bgw::testing
