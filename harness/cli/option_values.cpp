#include "option_values.hpp"

#include <charconv>
#include <cmath>
#include <sstream>

#include "simulator/units.hpp"

namespace bgw::cli {
namespace {

std::string number_text(double v) {
  if (v == std::floor(v)) return std::to_string(static_cast<long long>(v));
  std::ostringstream s;
  s << v;
  return s.str();
}

std::string duration_text(sim::Duration d) {
  if (d == sim::Duration::zero()) return "0";
  if (d.count() > 0 && d % std::chrono::hours(1) == sim::Duration::zero())
    return std::to_string(d / std::chrono::hours(1)) + "h";
  return sim::format_duration(d);
}

}  // namespace

std::string describe(const NumberRange& r) {
  return std::string(r.whole ? "a whole number" : "a number") + " from " + number_text(r.min) +
         " to " + number_text(r.max);
}

std::string describe(const DurationRange& r) {
  return "a duration " + std::string(r.above_min ? "above " : "from ") + duration_text(r.min) +
         (r.above_min ? " and up to " : " to ") + duration_text(r.max) + " (such as 10s or 500ms)";
}

std::optional<double> parse_number(std::string_view text, const NumberRange& range) {
  bool digit = false, dot = false;
  for (const char c : text) {
    if (c >= '0' && c <= '9') {
      digit = true;
    } else if (c == '.' && !dot && !range.whole) {
      dot = true;
    } else {
      return std::nullopt;
    }
  }
  if (!digit) return std::nullopt;
  double value = 0;
  const auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (err != std::errc{} || end != text.data() + text.size() || !std::isfinite(value))
    return std::nullopt;
  if (value < range.min || value > range.max) return std::nullopt;
  return value;
}

std::optional<sim::Duration> parse_duration_in(std::string_view text, const DurationRange& range) {
  const auto d = sim::parse_duration(text);
  if (!d || *d > range.max || *d < range.min || (range.above_min && *d == range.min))
    return std::nullopt;
  return d;
}

}  // namespace bgw::cli
