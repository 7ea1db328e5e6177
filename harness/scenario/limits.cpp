#include "limits.hpp"

namespace bgw::scenario::detail {

std::optional<TextPosition> find_deep_nesting(std::string_view text, std::size_t limit) {
  TextPosition pos;
  std::size_t brackets = 0;  // open [ and { outside strings
  std::size_t dots = 0;      // dots in the current dotted key (or number)
  std::size_t i = 0;
  const std::size_t n = text.size();

  // Advances over text[i], keeping line and column (columns count UTF-8 code points).
  auto advance = [&] {
    const unsigned char c = static_cast<unsigned char>(text[i++]);
    if (c == '\n') {
      ++pos.line;
      pos.column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++pos.column;
    }
  };
  auto starts = [&](std::string_view s) { return text.substr(i, s.size()) == s; };
  // Skips a string whose opening quote(s) `open` start at i; basic strings honour escapes.
  auto skip_string = [&](std::string_view open, bool escapes, bool multiline) {
    for (std::size_t k = 0; k < open.size(); ++k) advance();
    while (i < n) {
      if (escapes && text[i] == '\\') {
        advance();
        if (i < n) advance();
        continue;
      }
      if (starts(open)) {
        for (std::size_t k = 0; k < open.size(); ++k) advance();
        return;
      }
      if (!multiline && text[i] == '\n') return;  // unterminated: the parser will say so
      advance();
    }
  };

  while (i < n) {
    const char c = text[i];
    if (c == '#') {
      while (i < n && text[i] != '\n') advance();
      continue;
    }
    if (starts("\"\"\"")) {
      skip_string("\"\"\"", true, true);
      continue;
    }
    if (starts("'''")) {
      skip_string("'''", false, true);
      continue;
    }
    if (c == '"') {
      skip_string("\"", true, false);
      continue;
    }
    if (c == '\'') {
      skip_string("'", false, false);
      continue;
    }
    if (c == '.') {
      if (++dots + brackets > limit) return pos;
    } else if (c == '[' || c == '{') {
      if (dots + ++brackets > limit) return pos;
    } else if (c == ']' || c == '}') {
      if (brackets > 0) --brackets;
      dots = 0;
    } else if (c == '=' || c == ',' || c == '\n') {
      dots = 0;
    }
    advance();
  }
  return std::nullopt;
}

}  // namespace bgw::scenario::detail
