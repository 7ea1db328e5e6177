#include "merge_reports.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace bgw::run {
namespace {

std::string proxy_label(const RunReport& r) {
  return r.proxy + (r.proxy_version.empty() ? "" : " " + r.proxy_version);
}

// The shards must be all or none, of one count, each once, and every one of them: a merged
// report that silently lacks a CI job's third of the suite would look like a smaller pass.
std::string check_shards(const std::vector<NamedReport>& inputs) {
  const auto sharded =
      std::count_if(inputs.begin(), inputs.end(), [](const auto& in) { return in.report.shard; });
  if (sharded == 0) return "";
  if (sharded != static_cast<std::ptrdiff_t>(inputs.size())) {
    const auto plain =
        std::find_if(inputs.begin(), inputs.end(), [](const auto& in) { return !in.report.shard; });
    const auto shard = std::find_if(inputs.begin(), inputs.end(),
                                    [](const auto& in) { return in.report.shard.has_value(); });
    return plain->name + " is not a shard, " + shard->name + " is shard " +
           shard->report.shard->to_string() + ": merge the shards of one run, or unsharded reports";
  }
  const NamedReport& first = inputs.front();
  for (const auto& in : inputs) {
    if (in.report.shard->count != first.report.shard->count)
      return first.name + " is shard " + first.report.shard->to_string() + ", " + in.name +
             " is shard " + in.report.shard->to_string() + ": shards of different counts";
  }
  std::map<int, std::string> seen;
  for (const auto& in : inputs) {
    auto [it, fresh] = seen.emplace(in.report.shard->index, in.name);
    if (!fresh)
      return it->second + " and " + in.name + " are both shard " + in.report.shard->to_string();
  }
  const int count = first.report.shard->count;
  std::string missing;
  for (int i = 1; i <= count; ++i) {
    if (!seen.contains(i))
      missing += (missing.empty() ? "" : ", ") + Shard{.index = i, .count = count}.to_string();
  }
  if (!missing.empty()) return "shard " + missing + " missing: every shard's report is needed";
  return "";
}

}  // namespace

std::variant<RunReport, std::string> merge_reports(std::vector<NamedReport> inputs) {
  if (inputs.empty()) return std::string("no reports to merge");
  const NamedReport& first = inputs.front();
  for (const auto& in : inputs) {
    const RunReport& r = in.report;
    if (r.badgateway_version != first.report.badgateway_version)
      return first.name + " was written by badgateway " + first.report.badgateway_version + ", " +
             in.name + " by badgateway " + r.badgateway_version +
             ": merge reports of one badgateway version";
    if (r.proxy != first.report.proxy || r.proxy_version != first.report.proxy_version)
      return first.name + " ran against " + proxy_label(first.report) + ", " + in.name +
             " against " + proxy_label(r) + ": merge reports of one proxy and version";
  }
  if (std::string error = check_shards(inputs); !error.empty()) return error;
  std::map<std::string, std::string> owner;  // scenario name -> input
  for (const auto& in : inputs) {
    for (const auto& s : in.report.results) {
      auto [it, fresh] = owner.emplace(s.name, in.name);
      if (!fresh)
        return "scenario '" + s.name + "' is in both " + it->second + " and " + in.name +
               ": the reports overlap";
    }
  }

  RunReport merged;
  merged.badgateway_version = first.report.badgateway_version;
  merged.proxy = first.report.proxy;
  merged.proxy_version = first.report.proxy_version;
  merged.started = first.report.started;
  for (auto& in : inputs) {
    merged.started = std::min(merged.started, in.report.started);
    merged.elapsed = std::max(merged.elapsed, in.report.elapsed);
    merged.interrupted = merged.interrupted || in.report.interrupted;
    merged.repeat = std::max(merged.repeat, in.report.repeat);
    for (auto& s : in.report.results) merged.results.push_back(std::move(s));
  }
  std::stable_sort(merged.results.begin(), merged.results.end(),
                   [](const ScenarioResult& a, const ScenarioResult& b) {
                     return std::tie(a.file, a.name) < std::tie(b.file, b.name);
                   });
  return merged;
}

}  // namespace bgw::run
