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
    const std::string& version, const RunOptions& options, int jobs, const SuiteProgress& progress,
    int repeat) {
  const std::size_t total = scenarios.size() * static_cast<std::size_t>(std::max(repeat, 1));
  std::vector<std::optional<ScenarioResult>> ordered(total);
  if (scenarios.empty()) return ordered;

  // Workers take the next scenario under the lock and queue their result; this thread alone
  // reports, so the progress callback needs no locking of its own.
  std::mutex m;
  std::condition_variable cv;
  std::deque<std::pair<std::size_t, ScenarioResult>> done;
  std::size_t next = 0;
  const int workers_n = static_cast<int>(
      std::clamp<std::size_t>(static_cast<std::size_t>(std::max(jobs, 1)), 1, total));
  int active = workers_n;
  auto worker = [&] {
    for (;;) {
      std::size_t i = 0;
      {
        std::lock_guard lock(m);
        if (next >= total || interrupted()) {
          --active;
          cv.notify_one();
          return;
        }
        i = next++;
      }
      ScenarioResult r = run_scenario(scenarios[i % scenarios.size()], adapter, version, options);
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
      if (progress) progress(reported, total, i, r);
      ordered[i] = std::move(r);
      lock.lock();
    }
  }
  for (auto& w : workers) w.join();
  return ordered;
}

std::vector<ScenarioResult> group_repeats(std::vector<std::optional<ScenarioResult>> runs,
                                          std::size_t scenarios, int repeat) {
  std::vector<ScenarioResult> out;
  for (std::size_t i = 0; i < scenarios; ++i) {
    std::vector<std::size_t> ran;
    for (std::size_t k = i; k < runs.size(); k += scenarios) {
      if (runs[k]) ran.push_back(k);
    }
    if (ran.empty()) continue;
    std::vector<Verdict> verdicts;
    for (std::size_t k : ran) verdicts.push_back(runs[k]->verdict);
    ScenarioResult kept = std::move(*runs[ran[kept_run(verdicts)]]);
    if (repeat > 1) kept.runs = std::move(verdicts);
    out.push_back(std::move(kept));
  }
  return out;
}

}  // namespace bgw::run
