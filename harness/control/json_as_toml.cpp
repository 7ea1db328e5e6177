#include "json_as_toml.hpp"

#include <boost/json.hpp>

#include <charconv>
#include <cstdio>

namespace bgw::control {
namespace {

namespace json = boost::json;

// Writes TOML on one line at a time and remembers where each value starts. Only ASCII is
// written (everything else as \U escapes), so a column counts bytes, as toml++ counts
// characters.
class Writer {
 public:
  TomlText out;

  void mark(std::string pointer) { out.marks.push_back({line_, column(), std::move(pointer)}); }
  void put(std::string_view s) { out.text += s; }
  void newline() {
    out.text += '\n';
    ++line_;
    line_start_ = out.text.size();
  }

  void string(std::string_view s) {
    put("\"");
    for (std::size_t i = 0; i < s.size();) {
      const auto c = static_cast<unsigned char>(s[i]);
      if (c == '"' || c == '\\') {
        put("\\");
        out.text += static_cast<char>(c);
        ++i;
      } else if (c < 0x20 || c == 0x7f) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04X", c);
        put(buf);
        ++i;
      } else if (c < 0x80) {
        out.text += static_cast<char>(c);
        ++i;
      } else {
        // Boost.JSON has already checked the UTF-8: decode one code point.
        const int extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
        std::uint32_t cp = c & (0x3f >> extra);
        for (int k = 1; k <= extra && i + static_cast<std::size_t>(k) < s.size(); ++k)
          cp = (cp << 6) | (static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]) & 0x3f);
        char buf[16];
        std::snprintf(buf, sizeof buf, "\\U%08X", static_cast<unsigned>(cp));
        put(buf);
        i += static_cast<std::size_t>(extra) + 1;
      }
    }
    put("\"");
  }

  void value(const json::value& v, const std::string& pointer) {
    mark(pointer);
    switch (v.kind()) {
      case json::kind::string:
        string(v.get_string());
        break;
      case json::kind::bool_:
        put(v.get_bool() ? "true" : "false");
        break;
      case json::kind::int64:
        put(std::to_string(v.get_int64()));
        break;
      case json::kind::uint64:
        // Beyond TOML's 64-bit signed integers: a float, which the reader then names as such.
        if (v.get_uint64() > static_cast<std::uint64_t>(INT64_MAX))
          number(static_cast<double>(v.get_uint64()));
        else
          put(std::to_string(v.get_uint64()));
        break;
      case json::kind::double_:
        number(v.get_double());
        break;
      case json::kind::array: {
        put("[");
        std::size_t i = 0;
        for (const auto& e : v.get_array()) {
          if (i > 0) put(", ");
          value(e, pointer_append(pointer, std::to_string(i++)));
        }
        put("]");
        break;
      }
      case json::kind::object: {
        put("{");
        bool first = true;
        for (const auto& kv : v.get_object()) {
          put(first ? " " : ", ");
          first = false;
          key_value(kv.key(), kv.value(), pointer);
        }
        put(first ? "}" : " }");
        break;
      }
      case json::kind::null:
        put("\"\"");  // never reached: callers reject nulls first
        break;
    }
  }

  void key_value(std::string_view key, const json::value& v, const std::string& base) {
    const std::string pointer = pointer_append(base, key);
    mark(pointer);
    string(key);
    put(" = ");
    value(v, pointer);
  }

 private:
  void number(double d) {
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, d);
    std::string s(buf, r.ptr);
    // TOML floats need a fraction or an exponent.
    if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
    put(s);
  }
  std::uint32_t column() const {
    return static_cast<std::uint32_t>(out.text.size() - line_start_) + 1;
  }

  std::uint32_t line_ = 1;
  std::size_t line_start_ = 0;
};

}  // namespace

std::string pointer_append(std::string_view base, std::string_view token) {
  std::string out(base);
  out += '/';
  for (const char c : token) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

std::optional<std::string> find_null(const json::value& v, const std::string& base) {
  if (v.is_null()) return base;
  if (const auto* a = v.if_array()) {
    for (std::size_t i = 0; i < a->size(); ++i)
      if (auto p = find_null((*a)[i], pointer_append(base, std::to_string(i)))) return p;
  } else if (const auto* o = v.if_object()) {
    for (const auto& kv : *o)
      if (auto p = find_null(kv.value(), pointer_append(base, kv.key()))) return p;
  }
  return std::nullopt;
}

std::string TomlText::pointer_at(std::uint32_t line, std::uint32_t column) const {
  const Mark* best = nullptr;
  for (const Mark& m : marks) {
    if (m.line < line || (m.line == line && m.column <= column)) best = &m;
  }
  return best ? best->pointer : std::string();
}

TomlText objects_as_toml(std::string_view name, const std::vector<const json::object*>& objects,
                         const std::vector<std::string>& pointers) {
  Writer w;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    w.mark(pointers[i]);
    w.put("[[");
    w.put(name);
    w.put("]]");
    w.newline();
    for (const auto& kv : *objects[i]) {
      w.key_value(kv.key(), kv.value(), pointers[i]);
      w.newline();
    }
  }
  return std::move(w.out);
}

ApiError invalid_request(const TomlText& toml, const scenario::Diagnostics& diagnostics,
                         std::string summary) {
  ApiError e{422, std::move(summary), {}};
  for (const auto& d : diagnostics)
    e.errors.push_back({toml.pointer_at(d.where.line, d.where.column), d.message});
  if (e.errors.size() == 1) e.message = e.errors.front().message;
  return e;
}

}  // namespace bgw::control
