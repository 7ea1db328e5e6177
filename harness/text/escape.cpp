#include "escape.hpp"

#include <cstdio>

#include "simulator/journal.hpp"

namespace bgw::text {
namespace {

std::string hex_byte(unsigned char c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\x%02x", c);
  return buf;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

void append_u_escape(std::string& out, unsigned v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\u%04x", v);
  out += buf;
}

}  // namespace

std::size_t decode_utf8(std::string_view s, std::size_t pos, char32_t& cp) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char b0 = byte(pos);
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  std::size_t len = 0;
  char32_t v = 0;
  char32_t min = 0;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    len = 2, v = b0 & 0x1f, min = 0x80;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    len = 3, v = b0 & 0x0f, min = 0x800;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    len = 4, v = b0 & 0x07, min = 0x10000;
  } else {
    return 0;  // a continuation byte, an overlong lead (c0, c1) or beyond U+10FFFF (f5..ff)
  }
  if (pos + len > s.size()) return 0;
  for (std::size_t i = 1; i < len; ++i) {
    const unsigned char b = byte(pos + i);
    if ((b & 0xc0) != 0x80) return 0;
    v = (v << 6) | (b & 0x3f);
  }
  if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return 0;
  cp = v;
  return len;
}

std::string xml_text(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    const std::size_t n = decode_utf8(s, i, cp);
    if (n == 0) {
      out += hex_byte(static_cast<unsigned char>(s[i]));
      ++i;
      continue;
    }
    i += n;
    switch (cp) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '\n':
      case '\t':
        out += static_cast<char>(cp);
        break;
      default:
        if (cp < 0x20 || cp == 0x7f) {
          out += hex_byte(static_cast<unsigned char>(cp));
        } else if ((cp >= 0x80 && cp <= 0x9f) || cp == 0xfffe || cp == 0xffff) {
          append_u_escape(out, static_cast<unsigned>(cp));
        } else {
          append_utf8(out, cp);
        }
    }
  }
  return out;
}

std::string html_text(std::string_view s) {
  return xml_text(s);
}

std::string wire_text(std::string_view bytes, std::size_t max) {
  std::string out;
  const std::size_t n = std::min(bytes.size(), max);
  out.reserve(n + n / 4);
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    switch (c) {
      case '\r':
        out += "\\r";
        break;
      case '\n':
        out += "\\n\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\0':
        out += "\\0";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        if (c < 0x20 || c >= 0x7f)
          out += hex_byte(c);
        else
          out += static_cast<char>(c);
    }
  }
  if (bytes.size() > max)
    out +=
        "...(" + std::to_string(bytes.size()) + " bytes, first " + std::to_string(max) + " shown)";
  return out;
}

std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    const std::size_t n = decode_utf8(s, i, cp);
    if (n == 0) {
      out += "\xef\xbf\xbd";  // U+FFFD
      ++i;
    } else {
      out.append(s, i, n);
      i += n;
    }
  }
  return out;
}

std::string json_text(std::string_view s) {
  std::string out = "\"";
  out.reserve(s.size() + 2);
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    std::size_t n = decode_utf8(s, i, cp);
    if (n == 0) {
      cp = 0xfffd;
      n = 1;
    }
    i += n;
    switch (cp) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (cp >= 0x20 && cp < 0x7f) {
          out += static_cast<char>(cp);
        } else if (cp < 0x10000) {
          append_u_escape(out, static_cast<unsigned>(cp));
        } else {
          const char32_t v = cp - 0x10000;
          append_u_escape(out, static_cast<unsigned>(0xd800 + (v >> 10)));
          append_u_escape(out, static_cast<unsigned>(0xdc00 + (v & 0x3ff)));
        }
    }
  }
  out += "\"";
  return out;
}

std::string json_bytes(std::string_view bytes) {
  return "\"" + sim::json_escape(bytes) + "\"";
}

namespace {

// `literal`: escape Markdown's inline markup too, so the text shows exactly as written.
std::string markdown(std::string_view s, bool literal) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    std::size_t n = decode_utf8(s, i, cp);
    if (n == 0) {
      cp = 0xfffd;
      n = 1;
    }
    i += n;
    const bool markup = cp == '\\' || cp == '*' || cp == '_' || cp == '[' || cp == ']' || cp == '`';
    if (cp == '|' || (literal && markup)) {
      out += '\\';
      out += static_cast<char>(cp);
    } else if (cp == '\n' || cp == '\r' || cp == '\t') {
      out += ' ';
    } else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)) {
      continue;
    } else if (cp == '<') {
      out += "&lt;";  // GitHub renders inline HTML in tables; a proxy's "<script>" stays text
    } else if (cp == '>') {
      out += "&gt;";
    } else if (cp == '&') {
      out += "&amp;";
    } else {
      append_utf8(out, cp);
    }
  }
  return out;
}

}  // namespace

std::string markdown_text(std::string_view s) {
  return markdown(s, true);
}

std::string markdown_cell(std::string_view s) {
  return markdown(s, false);
}

bool is_web_link(std::string_view s) {
  if (!(s.starts_with("https://") || s.starts_with("http://"))) return false;
  const std::size_t scheme = s.find("://") + 3;
  if (s.size() <= scheme) return false;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\'' || c == '<' || c == '>' || c == '\\' ||
        c == '`' || c == '(' || c == ')')
      return false;
  }
  return true;
}

}  // namespace bgw::text
