// Matching scenario names against shell-style patterns: `--filter` of run and matrix, and the
// `scenario` of an adapter's known deviation.
#pragma once

#include <string>

namespace bgw::text {

/// fnmatch(3) with no flags: `*` any run of characters, `?` one character, `[a-z]` and `[!x]`
/// a set, `\` quotes the next character. No FNM_PATHNAME (a name has no '/' to respect) and no
/// FNM_PERIOD (a leading '.' is not special in a name).
bool glob_match(const std::string& pattern, const std::string& text);

}  // namespace bgw::text
