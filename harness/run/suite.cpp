#include "suite.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>

#include "harness/run/interrupt.hpp"

namespace bgw::run {

std::vector<std::optional<ScenarioResult>> run_suite(
    const std::vector<scenario::Scenario>& scenarios, const proxy::Adapter* adapter,
    const std::string& version, const RunOptions& options, int jobs,
    const SuiteProgress& progress) {
  std::vector<std::optional<ScenarioResult>> ordered(scenarios.size());
  if (scenarios.empty()) return ordered;

  // Workers take the next scenario under the lock and queue their result; this thread alone
  // reports, so the progress callback needs no locking of its own.
  std::mutex m;
  std::condition_variable cv;
  std::deque<std::pair<std::size_t, ScenarioResult>> done;
  std::size_t next = 0;
  const int workers_n = std::clamp(jobs, 1, static_cast<int>(scenarios.size()));
  int active = workers_n;
  auto worker = [&] {
    for (;;) {
      std::size_t i = 0;
      {
        std::lock_guard lock(m);
        if (next >= scenarios.size() || interrupted()) {
          --active;
          cv.notify_one();
          return;
        }
        i = next++;
      }
      ScenarioResult r = run_scenario(scenarios[i], adapter, version, options);
      {
        std::lock_guard lock(m);
        done.emplace_back(i, std::move(r));
      }
      cv.notify_one();
    }
  };
  std::vector<std::thread> workers;
  workers.reserve(static_cast<std::size_t>(workers_n));
  for (int j = 0; j < workers_n; ++j) workers.emplace_back(worker);
  std::size_t reported = 0;
  {
    std::unique_lock lock(m);
    for (;;) {
      cv.wait(lock, [&] { return !done.empty() || active == 0; });
      if (done.empty()) break;  // every worker has stopped and everything was reported
      auto [i, r] = std::move(done.front());
      done.pop_front();
      lock.unlock();
      ++reported;
      if (progress) progress(reported, scenarios.size(), i, r);
      ordered[i] = std::move(r);
      lock.lock();
    }
  }
  for (auto& w : workers) w.join();
  return ordered;
}

}  // namespace bgw::run
