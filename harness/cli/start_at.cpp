#include "start_at.hpp"

#include <charconv>
#include <cmath>
#include <ctime>
#include <string>

namespace bgw::cli {
namespace {

using std::chrono::system_clock;

// Digits then an optional ".digits": seconds with their fraction, in nanoseconds.
std::optional<std::chrono::nanoseconds> seconds_with_fraction(std::string_view t) {
  const std::size_t dot = t.find('.');
  const std::string_view whole = t.substr(0, dot);
  long long s = 0;
  if (whole.empty() || std::from_chars(whole.data(), whole.data() + whole.size(), s).ptr !=
                           whole.data() + whole.size())
    return std::nullopt;
  std::chrono::nanoseconds frac{};
  if (dot != std::string_view::npos) {
    const std::string_view f = t.substr(dot + 1);
    if (f.empty() || f.size() > 9) return std::nullopt;
    long long digits = 0;
    if (std::from_chars(f.data(), f.data() + f.size(), digits).ptr != f.data() + f.size())
      return std::nullopt;
    for (std::size_t i = f.size(); i < 9; ++i) digits *= 10;
    frac = std::chrono::nanoseconds(digits);
  }
  return std::chrono::seconds(s) + frac;
}

}  // namespace

std::optional<system_clock::time_point> parse_start_at(std::string_view text) {
  if (text.empty()) return std::nullopt;
  if (text.find('T') == std::string_view::npos) {
    const auto s = seconds_with_fraction(text);
    if (!s) return std::nullopt;
    return system_clock::time_point(std::chrono::duration_cast<system_clock::duration>(*s));
  }
  // YYYY-MM-DDTHH:MM:SS[.fff]Z
  if (text.size() < 20 || text.back() != 'Z' || text[4] != '-' || text[7] != '-' ||
      text[10] != 'T' || text[13] != ':' || text[16] != ':')
    return std::nullopt;
  auto num = [&](std::size_t at, std::size_t len, int& out) {
    return std::from_chars(text.data() + at, text.data() + at + len, out).ptr ==
           text.data() + at + len;
  };
  std::tm tm{};
  int year = 0, month = 0;
  if (!num(0, 4, year) || !num(5, 2, month) || !num(8, 2, tm.tm_mday) || !num(11, 2, tm.tm_hour) ||
      !num(14, 2, tm.tm_min))
    return std::nullopt;
  const auto secs = seconds_with_fraction(text.substr(17, text.size() - 18));
  if (!secs || month < 1 || month > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || *secs >= std::chrono::seconds(61))
    return std::nullopt;
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  const std::time_t base = ::timegm(&tm);  // UTC, no time zone applied
  if (base == static_cast<std::time_t>(-1)) return std::nullopt;
  return system_clock::from_time_t(base) +
         std::chrono::duration_cast<system_clock::duration>(*secs);
}

}  // namespace bgw::cli
