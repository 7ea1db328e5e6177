// The words of the format: every enum of the model as it is spelled in scenario files, and the
// closed lists of proxies and features that `requires` and per-proxy overrides may name. The
// decoder, the docs test and reports all read these tables, so a word has one spelling.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "harness/scenario/scenario.hpp"

namespace bgw::scenario {

template <class E>
struct Spelling {
  std::string_view name;
  E value;
};

/// The spellings of enum E, in documentation order. Specialised for every enum of the format.
template <class E>
std::span<const Spelling<E>> spellings();

/// The spelling of `value` ("?" if E has no such enumerator).
template <class E>
std::string_view spelling(E value) {
  for (const auto& s : spellings<E>())
    if (s.value == value) return s.name;
  return "?";
}

/// The candidate closest to `word`, or empty when none is close: the loader's did-you-mean,
/// for callers outside it (the control API).
std::string closest_word(std::string_view word, std::span<const std::string_view> candidates);

/// Proxies a scenario may name in `requires` and in overrides.
std::span<const std::string_view> known_proxies();

/// Proxy features a scenario may require; adapters declare which they support.
std::span<const std::string_view> known_features();

}  // namespace bgw::scenario
