// What the catalogue's fault builders share (fault_catalogue.cpp, tls_faults.cpp): typed
// access to a fault's parameters and the pieces most faults are made of. Internal to the
// catalogue: users call lower_fault().
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "fault_catalogue.hpp"

namespace bgw::sim::detail {

// Typed access to a fault's parameters, falling back to the catalogue default.
class Args {
 public:
  Args(const FaultInfo& info, const FaultParams& given, const Response& base)
      : info_(info), given_(given), base_(base) {}

  const Response& base() const { return base_; }

  std::int64_t integer(std::string_view name) const { return std::get<std::int64_t>(value(name)); }
  Duration duration(std::string_view name) const { return std::get<Duration>(value(name)); }
  bool boolean(std::string_view name) const { return std::get<bool>(value(name)); }
  std::string string(std::string_view name) const { return std::get<std::string>(value(name)); }

 private:
  ParamValue value(std::string_view name) const {
    if (auto it = given_.find(name); it != given_.end()) return it->second;
    for (const ParamInfo& p : info_.params) {
      if (p.name == name) return std::get<ParamValue>(parse_param(info_, name, p.default_value));
    }
    return std::int64_t{0};  // unreachable: builders only ask for declared parameters
  }
  const FaultInfo& info_;
  const FaultParams& given_;
  const Response& base_;
};

using Result = std::variant<LoweredFault, FaultError>;
using Builder = Result (*)(const Args&);

/// One catalogue row: what users read about a fault, and how it is lowered.
struct FaultEntry {
  FaultInfo info;
  Builder build;
};

/// A rule with `s` as its script.
LoweredFault script(Script s);
FaultError error(std::string param, std::string message);

/// The base response, serialised, with `extra` header lines inserted raw before the blank line.
std::string with_raw_header(const Response& base, std::string_view extra);
/// A response whose framing headers are exactly `framing` (raw lines) and whose body is `body`.
std::string with_framing(const Response& base, std::string_view framing, std::string_view body);

/// For the mid-body faults (parameters length, bytes, chunked): the base response with a
/// `length`-byte body, split after `bytes` body bytes. Chunked: the prefix is whole chunks
/// covering exactly `bytes` payload bytes.
struct SplitBody {
  std::string before;
  std::string after;
};
std::variant<SplitBody, FaultError> split_body(const Args& a);

/// The first `bytes` bytes of the base response's head.
std::variant<std::string, FaultError> head_prefix(const Args& a);

/// The duration parameter `name`, refused when negative.
std::variant<Duration, FaultError> non_negative(const Args& a, std::string_view name);

}  // namespace bgw::sim::detail
