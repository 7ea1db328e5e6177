// Typed readers over toml++ nodes. Each one checks the type, the syntax (durations, sizes,
// names) and the range of one value, reports what was expected at the value's line and column,
// and returns nullopt so decoding carries on. Internal to bgw_scenario: toml++ stays private.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/scenario/diagnostic.hpp"
#include "harness/scenario/keys.hpp"
#include "harness/scenario/vocabulary.hpp"
#include "simulator/script.hpp"

namespace bgw::scenario::detail {

using sim::Duration;

/// At most this many diagnostics per file are kept, as compilers stop after too many errors.
inline constexpr std::size_t max_diagnostics = 100;
/// Bytes the model of one file may hold (bodies, fault scripts): a 4 MiB file of 16 MiB bodies
/// and fault rules must not be able to exhaust memory.
inline constexpr std::uint64_t max_payload_bytes = 128 * 1024 * 1024;

/// Collects the diagnostics of one file, turns toml++ source regions into Locations, and keeps
/// the file's memory budget.
class Decoder {
 public:
  Decoder(std::shared_ptr<const std::string> file, Diagnostics& out)
      : file_(std::move(file)), out_(out) {}

  Location at(const toml::source_region& r) const;
  Location at(const toml::node& n) const { return at(n.source()); }
  /// The first line of the file: for problems with the file as a whole.
  Location start() const { return Location{file_, 1, 1}; }
  const std::shared_ptr<const std::string>& file() const { return file_; }

  void error(Location where, std::string message);
  /// Diagnostics dropped beyond max_diagnostics.
  std::size_t suppressed() const { return suppressed_; }
  /// True once further diagnostics are only counted: skip building costly messages.
  bool full() const { return out_.size() >= max_diagnostics; }

  /// Counts `bytes` the model will hold. False once the budget is spent: the first time, with
  /// a diagnostic at `where`; the caller then leaves the payload out.
  bool charge(std::uint64_t bytes, const Location& where);
  bool exhausted() const { return spent_ > max_payload_bytes; }

 private:
  std::shared_ptr<const std::string> file_;
  Diagnostics& out_;
  std::size_t suppressed_ = 0;
  std::uint64_t spent_ = 0;
};

// ---- words in messages ----------------------------------------------------------------------

/// The candidate closest to `word` for a did-you-mean, or empty when none is close.
std::string closest(std::string_view word, std::span<const std::string_view> candidates);
/// "; did you mean 'x'?" (quoted with `quote`), or empty.
std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates,
                         char quote = '\'');
/// "\"a\", \"b\" or \"c\"" (quoted with `quote`).
std::string list_of(std::span<const std::string_view> words, char quote = '"');
/// `s` for a message: control bytes escaped, cut at `max` characters.
std::string printable(std::string_view s, std::size_t max = 60);
/// "an integer", "a string", ...
std::string type_name(const toml::node& node);
/// A short rendering of a value for messages: "\"abc\"", "12", "true", "a table".
std::string shown(const toml::node& node);

// ---- values ---------------------------------------------------------------------------------
// `what` names the value in messages, e.g. "'timeout'" or "entries of 'tags'".

std::optional<std::string> read_string(Decoder& d, const toml::node& n, std::string_view what);
std::optional<std::int64_t> read_integer(
    Decoder& d, const toml::node& n, std::string_view what,
    std::int64_t min = std::numeric_limits<std::int64_t>::min(),
    std::int64_t max = std::numeric_limits<std::int64_t>::max());
std::optional<bool> read_bool(Decoder& d, const toml::node& n, std::string_view what);
/// An integer or a float within [min, max].
std::optional<double> read_number(Decoder& d, const toml::node& n, std::string_view what,
                                  double min, double max);
/// A string with a unit: "250ms", "1.5s". At most `max`.
std::optional<Duration> read_duration(Decoder& d, const toml::node& n, std::string_view what,
                                      Duration max);
/// Bytes: an integer, or a string with a unit ("64KiB"). At most `max`.
std::optional<std::uint64_t> read_size(Decoder& d, const toml::node& n, std::string_view what,
                                       std::uint64_t max);
/// A name: [a-z][a-z0-9_-]*, at most 64 characters.
std::optional<std::string> read_name(Decoder& d, const toml::node& n, std::string_view what);
/// A string without CR, LF or NUL (header names and values, methods, targets).
std::optional<std::string> read_line(Decoder& d, const toml::node& n, std::string_view what);

template <class E>
std::optional<E> read_enum(Decoder& d, const toml::node& n, std::string_view what) {
  auto text = read_string(d, n, what);
  if (!text) return std::nullopt;
  std::vector<std::string_view> names;
  for (const auto& s : spellings<E>()) {
    if (s.name == *text) return s.value;
    names.push_back(s.name);
  }
  d.error(d.at(n), std::string(what) + " must be " + list_of(names) + ", not \"" +
                       printable(*text) + "\"" + did_you_mean(*text, names, '"'));
  return std::nullopt;
}

/// Checks that `n` is a table (`what` names it), or reports what it is instead.
const toml::table* as_table(Decoder& d, const toml::node& n, std::string_view what);
const toml::array* as_array(Decoder& d, const toml::node& n, std::string_view what);

/// Calls `each` for every table of an array of tables (`[[upstream]]`); reports a plain table
/// (`[upstream]`) or any other value in its place, and arrays of more than `max` tables
/// (then decoding none of them: their count is the problem).
void for_each_table(Decoder& d, const toml::node& n, std::string_view key, std::size_t max,
                    const std::function<void(const toml::table&)>& each);

// ---- tables ---------------------------------------------------------------------------------

/// One table being decoded: reports every key outside `keys` on construction (with a
/// did-you-mean), then hands out typed values by key. Asking for an undeclared key is a bug
/// and aborts, so KeyTable stays the complete list of what the loader accepts.
class TableReader {
 public:
  TableReader(Decoder& d, const toml::table& t, const KeyTable& keys);

  Decoder& decoder() const { return d_; }
  const toml::table& table() const { return t_; }
  /// The table itself (its header, or the '{' of an inline table).
  Location where() const { return d_.at(t_); }
  /// The value of `key`, or the table when `key` is absent.
  Location at(std::string_view key) const;

  const toml::node* get(std::string_view key) const;
  bool has(std::string_view key) const { return get(key) != nullptr; }
  /// Reports a missing required key; true when present.
  bool require(std::string_view key) const;
  /// Reports `key` as not allowed here, with `reason`; for keys valid only with others.
  void reject(std::string_view key, std::string_view reason) const;

  std::optional<std::string> string(std::string_view key) const;
  std::optional<std::string> line(std::string_view key) const;
  std::optional<std::string> name(std::string_view key) const;
  std::optional<std::int64_t> integer(std::string_view key, std::int64_t min,
                                      std::int64_t max) const;
  std::optional<bool> boolean(std::string_view key) const;
  std::optional<double> number(std::string_view key, double min, double max) const;
  std::optional<Duration> duration(std::string_view key, Duration max) const;
  std::optional<std::uint64_t> size(std::string_view key, std::uint64_t max) const;
  std::optional<std::vector<std::string>> strings(std::string_view key) const;
  const toml::table* subtable(std::string_view key) const;

  template <class E>
  std::optional<E> enumeration(std::string_view key) const {
    const toml::node* n = get(key);
    return n ? read_enum<E>(d_, *n, quoted(key)) : std::nullopt;
  }

  static std::string quoted(std::string_view key) { return "'" + std::string(key) + "'"; }

 private:
  Decoder& d_;
  const toml::table& t_;
  const KeyTable& keys_;
};

}  // namespace bgw::scenario::detail
