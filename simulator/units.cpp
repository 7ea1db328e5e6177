#include "units.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace bgw::sim {
namespace {

// Splits "12.5ms" into 12.5 and "ms". Only digits and at most one '.' before the unit.
bool split_number(std::string_view text, double& number, std::string_view& unit) {
  std::size_t i = 0;
  bool dot = false, digit = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c >= '0' && c <= '9') {
      digit = true;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (!digit) return false;
  const std::string num(text.substr(0, i));
  char* end = nullptr;
  number = std::strtod(num.c_str(), &end);
  if (end != num.c_str() + num.size() || !std::isfinite(number)) return false;
  unit = text.substr(i);
  return true;
}

}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
  double n = 0;
  std::string_view unit;
  if (!split_number(text, n, unit)) return std::nullopt;
  double ns_per_unit = 0;
  if (unit == "ns")
    ns_per_unit = 1;
  else if (unit == "us" || unit == "µs")
    ns_per_unit = 1e3;
  else if (unit == "ms")
    ns_per_unit = 1e6;
  else if (unit == "s")
    ns_per_unit = 1e9;
  else if (unit == "m" || unit == "min")
    ns_per_unit = 60e9;
  else if (unit == "h")
    ns_per_unit = 3600e9;
  else
    return std::nullopt;
  const double ns = n * ns_per_unit;
  if (ns > 1e18) return std::nullopt;  // beyond ~31 years: certainly a typo
  return Duration{static_cast<std::int64_t>(std::llround(ns))};
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
  double n = 0;
  std::string_view unit;
  if (!split_number(text, n, unit)) return std::nullopt;
  double mult = 0;
  if (unit.empty() || unit == "B")
    mult = 1;
  else if (unit == "kB" || unit == "KB")
    mult = 1e3;
  else if (unit == "KiB")
    mult = 1024;
  else if (unit == "MB")
    mult = 1e6;
  else if (unit == "MiB")
    mult = 1024.0 * 1024;
  else if (unit == "GB")
    mult = 1e9;
  else if (unit == "GiB")
    mult = 1024.0 * 1024 * 1024;
  else
    return std::nullopt;
  const double bytes = n * mult;
  if (bytes > 1e15 || bytes != std::floor(bytes)) return std::nullopt;
  return static_cast<std::uint64_t>(bytes);
}

std::string format_duration(Duration d) {
  const auto ns = d.count();
  if (ns == 0) return "0s";
  if (ns % 3'600'000'000'000 == 0) return std::to_string(ns / 3'600'000'000'000) + "h";
  if (ns % 1'000'000'000 == 0) return std::to_string(ns / 1'000'000'000) + "s";
  if (ns % 1'000'000 == 0) return std::to_string(ns / 1'000'000) + "ms";
  if (ns % 1'000 == 0) return std::to_string(ns / 1'000) + "us";
  return std::to_string(ns) + "ns";
}

std::string format_ms(Duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(d.count()) / 1e6);
  return buf;
}

double ms_value(Duration d) {
  return static_cast<double>(std::chrono::duration_cast<std::chrono::microseconds>(d).count()) /
         1e3;
}

}  // namespace bgw::sim
