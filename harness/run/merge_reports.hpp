// `badgateway merge`: the reports of the shards of one suite (or of any disjoint parts of it, run
// by the same badgateway against the same proxy) as one report, as if one run had run them all.
#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "harness/run/result.hpp"

namespace bgw::run {

/// A report and where it came from (a file name, for messages).
struct NamedReport {
  std::string name;
  RunReport report;
};

/// One report holding every input's scenarios, ordered by file then name (the order of one
/// unsharded run over the same directories). Refused, with a message naming the inputs, when
/// they differ in badgateway version, proxy or proxy version, when a scenario is in two of them,
/// or when they are shards of different counts, the same shard twice, sharded and unsharded
/// mixed, or an incomplete set of shards. The merged report: the earliest start, the longest
/// elapsed time (shards run side by side), interrupted when any input was, no shard, and the
/// largest repeat.
std::variant<RunReport, std::string> merge_reports(std::vector<NamedReport> inputs);

}  // namespace bgw::run
