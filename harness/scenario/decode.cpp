#include "decode.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "simulator/units.hpp"

namespace bgw::scenario::detail {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Optimal string alignment distance: Levenshtein plus adjacent transpositions, so "fualt" is
// one edit from "fault".
// Three rolling rows: words here are at most 64 characters.
std::size_t distance(std::string_view a, std::string_view b) {
  const std::size_t m = b.size();
  std::vector<std::size_t> two(m + 1), one(m + 1), cur(m + 1);
  for (std::size_t j = 0; j <= m; ++j) one[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({one[j] + 1, cur[j - 1] + 1, one[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        cur[j] = std::min(cur[j], two[j - 2] + 1);
    }
    std::swap(two, one);
    std::swap(one, cur);
  }
  return one[m];
}

const char* duration_hint = "a number and a unit (ns, us, ms, s, m), such as \"250ms\" or \"1.5s\"";

// "16MiB", "64KiB", "1000 bytes": sizes in messages as a user would write them.
std::string size_text(std::uint64_t n) {
  if (n >= 1024 * 1024 && n % (1024 * 1024) == 0) return std::to_string(n >> 20) + "MiB";
  if (n >= 1024 && n % 1024 == 0) return std::to_string(n >> 10) + "KiB";
  return std::to_string(n) + (n == 1 ? " byte" : " bytes");
}

}  // namespace

// Messages quote user text; keep them one line and bounded whatever the input was.
std::string printable(std::string_view s, std::size_t max) {
  std::string out;
  for (const unsigned char c : s.substr(0, max)) {
    if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else if (c == '\t')
      out += "\\t";
    else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (s.size() > max) out += "...";
  return out;
}

// ---- Decoder --------------------------------------------------------------------------------

Location Decoder::at(const toml::source_region& r) const {
  return Location{file_, r.begin.line == 0 ? 1 : r.begin.line,
                  r.begin.column == 0 ? 1 : r.begin.column};
}

void Decoder::error(Location where, std::string message) {
  if (out_.size() >= max_diagnostics) {
    ++suppressed_;
    return;
  }
  if (!where.file) where.file = file_;
  out_.push_back(Diagnostic{std::move(where), std::move(message)});
}

bool Decoder::charge(std::uint64_t bytes, const Location& where) {
  if (exhausted()) return false;
  spent_ += bytes;
  if (!exhausted()) return true;
  error(where, "bodies and fault bytes of this file add up to more than " +
                   std::to_string(max_payload_bytes / (1024 * 1024)) +
                   " MiB here; use smaller sizes or fewer rules");
  return false;
}

// ---- words ----------------------------------------------------------------------------------

std::string closest(std::string_view word, std::span<const std::string_view> candidates) {
  if (word.size() > 64) return {};  // nothing we know is that long; and distance is quadratic
  const std::string w = lower(word);
  const std::size_t limit = w.size() <= 3 ? 1 : w.size() <= 6 ? 2 : 3;
  std::string best;
  std::size_t best_d = limit + 1;
  for (const std::string_view c : candidates) {
    const std::size_t dist = distance(w, c);
    if (dist < best_d && dist < std::max(w.size(), c.size())) {
      best_d = dist;
      best = std::string(c);
    }
  }
  return best;
}

std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates,
                         char quote) {
  const std::string c = closest(word, candidates);
  if (c.empty()) return {};
  return "; did you mean " + std::string(1, quote) + c + std::string(1, quote) + "?";
}

std::string list_of(std::span<const std::string_view> words, char quote) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += i + 1 == words.size() ? " or " : ", ";
    out += quote;
    out += words[i];
    out += quote;
  }
  return out;
}

std::string type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

std::string shown(const toml::node& node) {
  if (const auto* s = node.as_string()) return "\"" + printable(s->get()) + "\"";
  if (const auto* i = node.as_integer()) return std::to_string(i->get());
  if (const auto* b = node.as_boolean()) return b->get() ? "true" : "false";
  if (const auto* f = node.as_floating_point()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", f->get());
    return buf;
  }
  return type_name(node);
}

// ---- values ---------------------------------------------------------------------------------

std::optional<std::string> read_string(Decoder& d, const toml::node& n, std::string_view what) {
  if (const auto* s = n.as_string()) return s->get();
  d.error(d.at(n), std::string(what) + " must be a string, not " + type_name(n));
  return std::nullopt;
}

std::optional<std::int64_t> read_integer(Decoder& d, const toml::node& n, std::string_view what,
                                         std::int64_t min, std::int64_t max) {
  const auto* i = n.as_integer();
  if (i == nullptr) {
    d.error(d.at(n), std::string(what) + " must be an integer, not " + type_name(n));
    return std::nullopt;
  }
  const std::int64_t v = i->get();
  if (v < min || v > max) {
    std::string range = max == std::numeric_limits<std::int64_t>::max()
                            ? "at least " + std::to_string(min)
                            : "from " + std::to_string(min) + " to " + std::to_string(max);
    d.error(d.at(n), std::string(what) + " must be " + range + ", not " + std::to_string(v));
    return std::nullopt;
  }
  return v;
}

std::optional<bool> read_bool(Decoder& d, const toml::node& n, std::string_view what) {
  if (const auto* b = n.as_boolean()) return b->get();
  d.error(d.at(n), std::string(what) + " must be true or false, not " + shown(n));
  return std::nullopt;
}

std::optional<double> read_number(Decoder& d, const toml::node& n, std::string_view what,
                                  double min, double max) {
  double v = 0;
  if (const auto* f = n.as_floating_point())
    v = f->get();
  else if (const auto* i = n.as_integer())
    v = static_cast<double>(i->get());
  else {
    d.error(d.at(n), std::string(what) + " must be a number, not " + type_name(n));
    return std::nullopt;
  }
  if (!(v >= min && v <= max)) {  // also rejects nan
    char buf[96];
    std::snprintf(buf, sizeof buf, " must be from %g to %g, not %g", min, max, v);
    d.error(d.at(n), std::string(what) + buf);
    return std::nullopt;
  }
  return v;
}

std::optional<Duration> read_duration(Decoder& d, const toml::node& n, std::string_view what,
                                      Duration max) {
  const auto* s = n.as_string();
  if (s == nullptr) {
    if (n.is_number()) {
      d.error(d.at(n), std::string(what) + " must be a duration string with a unit, such as \"" +
                           shown(n) + "s\" or \"" + shown(n) + "ms\", not a bare number");
    } else {
      d.error(d.at(n), std::string(what) + " must be a duration string, " + duration_hint +
                           ", not " + type_name(n));
    }
    return std::nullopt;
  }
  const auto v = sim::parse_duration(s->get());
  if (!v) {
    d.error(d.at(n), std::string(what) + ": \"" + printable(s->get()) +
                         "\" is not a duration; write " + duration_hint);
    return std::nullopt;
  }
  if (*v > max) {
    d.error(d.at(n), std::string(what) + " must be at most " + sim::format_duration(max) +
                         ", not " + sim::format_duration(*v));
    return std::nullopt;
  }
  return *v;
}

std::optional<std::uint64_t> read_size(Decoder& d, const toml::node& n, std::string_view what,
                                       std::uint64_t max) {
  std::uint64_t v = 0;
  if (const auto* i = n.as_integer()) {
    if (i->get() < 0) {
      d.error(d.at(n),
              std::string(what) + " must not be negative, not " + std::to_string(i->get()));
      return std::nullopt;
    }
    v = static_cast<std::uint64_t>(i->get());
  } else if (const auto* s = n.as_string()) {
    const auto parsed = sim::parse_size(s->get());
    if (!parsed) {
      d.error(d.at(n), std::string(what) + ": \"" + printable(s->get()) +
                           "\" is not a size; write bytes as an integer, or a number and a unit "
                           "(B, kB, KiB, MB, MiB, GB, GiB), such as \"64KiB\"");
      return std::nullopt;
    }
    v = *parsed;
  } else {
    d.error(d.at(n), std::string(what) +
                         " must be a size (an integer, or a string such as "
                         "\"64KiB\"), not " +
                         type_name(n));
    return std::nullopt;
  }
  if (v > max) {
    d.error(d.at(n),
            std::string(what) + " must be at most " + size_text(max) + ", not " + size_text(v));
    return std::nullopt;
  }
  return v;
}

std::optional<std::string> read_name(Decoder& d, const toml::node& n, std::string_view what) {
  auto s = read_string(d, n, what);
  if (!s) return std::nullopt;
  bool ok = !s->empty() && s->size() <= 64 && (*s)[0] >= 'a' && (*s)[0] <= 'z';
  for (const char c : *s) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-');
  }
  if (!ok) {
    d.error(d.at(n), std::string(what) +
                         " must start with a lowercase letter and use only a-z, "
                         "0-9, '_' and '-' (at most 64 characters), not \"" +
                         printable(*s) + "\"");
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> read_line(Decoder& d, const toml::node& n, std::string_view what) {
  auto s = read_string(d, n, what);
  if (!s) return std::nullopt;
  if (s->find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
    d.error(d.at(n), std::string(what) +
                         " must not contain CR, LF or NUL (write broken bytes with a custom "
                         "fault's 'write' step), not \"" +
                         printable(*s) + "\"");
    return std::nullopt;
  }
  return s;
}

const toml::table* as_table(Decoder& d, const toml::node& n, std::string_view what) {
  if (const auto* t = n.as_table()) return t;
  d.error(d.at(n), std::string(what) + " must be a table, not " + type_name(n));
  return nullptr;
}

const toml::array* as_array(Decoder& d, const toml::node& n, std::string_view what) {
  if (const auto* a = n.as_array()) return a;
  d.error(d.at(n), std::string(what) + " must be an array, not " + type_name(n));
  return nullptr;
}

void for_each_table(Decoder& d, const toml::node& n, std::string_view key, std::size_t max,
                    const std::function<void(const toml::table&)>& each) {
  const std::string k(key);
  const auto* a = n.as_array();
  if (a == nullptr) {
    if (n.is_table()) {
      d.error(d.at(n), "'" + k + "' must be an array of tables: write [[" + k + "]] (a [" + k +
                           "] header, or a [" + k + ".…] or [[" + k + ".…]] header before any [[" +
                           k + "]], makes it a single table)");
    } else {
      d.error(d.at(n), "'" + k + "' must be an array of tables, not " + type_name(n));
    }
    return;
  }
  if (a->size() > max) {
    d.error(d.at(n), "at most " + std::to_string(max) + " [[" + k + "]] tables are allowed, not " +
                         std::to_string(a->size()));
    return;
  }
  for (const toml::node& element : *a) {
    if (const auto* t = element.as_table())
      each(*t);
    else
      d.error(d.at(element), "entries of '" + k + "' must be tables, not " + type_name(element));
  }
}

// ---- TableReader ----------------------------------------------------------------------------

TableReader::TableReader(Decoder& d, const toml::table& t, const KeyTable& keys)
    : d_(d), t_(t), keys_(keys) {
  for (const auto& [key, value] : t_) {
    const std::string_view k = key.str();
    if (std::find(keys_.keys.begin(), keys_.keys.end(), k) != keys_.keys.end()) continue;
    if (d_.full()) {  // only counted from here on: skip the did-you-mean
      d_.error({}, {});
      continue;
    }
    const std::string hint = closest(k, keys_.keys);
    d_.error(d_.at(key.source()),
             "unknown key '" + printable(k) + "' in " + std::string(keys_.title) +
                 (hint.empty() ? " (allowed: " + list_of(keys_.keys, '\'') + ")"
                               : "; did you mean '" + hint + "'?"));
  }
}

const toml::node* TableReader::get(std::string_view key) const {
  if (std::find(keys_.keys.begin(), keys_.keys.end(), key) == keys_.keys.end()) {
    std::fprintf(stderr, "bgw_scenario: key '%.*s' read from %.*s but not declared in keys.cpp\n",
                 static_cast<int>(key.size()), key.data(), static_cast<int>(keys_.path.size()),
                 keys_.path.data());
    std::abort();
  }
  return t_.get(key);
}

Location TableReader::at(std::string_view key) const {
  const toml::node* n = get(key);
  return n ? d_.at(*n) : where();
}

bool TableReader::require(std::string_view key) const {
  if (has(key)) return true;
  d_.error(where(),
           std::string(keys_.title) + " is missing the required key '" + std::string(key) + "'");
  return false;
}

void TableReader::reject(std::string_view key, std::string_view reason) const {
  for (const auto& [k, value] : t_) {
    if (k.str() == key) {
      d_.error(d_.at(k.source()), "'" + std::string(key) + "' " + std::string(reason));
      return;
    }
  }
}

std::optional<std::string> TableReader::string(std::string_view key) const {
  const toml::node* n = get(key);
  return n ? read_string(d_, *n, quoted(key)) : std::nullopt;
}

std::optional<std::string> TableReader::line(std::string_view key) const {
  const toml::node* n = get(key);
  return n ? read_line(d_, *n, quoted(key)) : std::nullopt;
}

std::optional<std::string> TableReader::name(std::string_view key) const {
  const toml::node* n = get(key);
  return n ? read_name(d_, *n, quoted(key)) : std::nullopt;
}

std::optional<std::int64_t> TableReader::integer(std::string_view key, std::int64_t min,
                                                 std::int64_t max) const {
  const toml::node* n = get(key);
  return n ? read_integer(d_, *n, quoted(key), min, max) : std::nullopt;
}

std::optional<bool> TableReader::boolean(std::string_view key) const {
  const toml::node* n = get(key);
  return n ? read_bool(d_, *n, quoted(key)) : std::nullopt;
}

std::optional<double> TableReader::number(std::string_view key, double min, double max) const {
  const toml::node* n = get(key);
  return n ? read_number(d_, *n, quoted(key), min, max) : std::nullopt;
}

std::optional<Duration> TableReader::duration(std::string_view key, Duration max) const {
  const toml::node* n = get(key);
  return n ? read_duration(d_, *n, quoted(key), max) : std::nullopt;
}

std::optional<std::uint64_t> TableReader::size(std::string_view key, std::uint64_t max) const {
  const toml::node* n = get(key);
  return n ? read_size(d_, *n, quoted(key), max) : std::nullopt;
}

std::optional<std::vector<std::string>> TableReader::strings(std::string_view key) const {
  const toml::node* n = get(key);
  if (n == nullptr) return std::nullopt;
  const auto* a = as_array(d_, *n, quoted(key));
  if (a == nullptr) return std::nullopt;
  std::vector<std::string> out;
  bool ok = true;
  for (const toml::node& e : *a) {
    auto s = read_string(d_, e, "entries of " + quoted(key));
    if (s)
      out.push_back(std::move(*s));
    else
      ok = false;
  }
  if (!ok) return std::nullopt;
  return out;
}

const toml::table* TableReader::subtable(std::string_view key) const {
  const toml::node* n = get(key);
  return n ? as_table(d_, *n, quoted(key)) : nullptr;
}

}  // namespace bgw::scenario::detail
