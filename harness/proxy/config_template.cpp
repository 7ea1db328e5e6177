#include "config_template.hpp"

#include <cctype>

namespace bgw::proxy {

TemplateValue& TemplateValue::set(const std::string& dotted_key, TemplateValue value) {
  const auto dot = dotted_key.find('.');
  if (dot == std::string::npos) return table_[dotted_key] = std::move(value);
  TemplateValue& child = table_[dotted_key.substr(0, dot)];
  return child.set(dotted_key.substr(dot + 1), std::move(value));
}

const TemplateValue* TemplateValue::find(const std::string& dotted_key) const {
  if (kind_ != Kind::table) return nullptr;
  const auto dot = dotted_key.find('.');
  const auto it = table_.find(dotted_key.substr(0, dot));
  if (it == table_.end()) return nullptr;
  if (dot == std::string::npos) return &it->second;
  return it->second.find(dotted_key.substr(dot + 1));
}

bool TemplateValue::truthy() const {
  switch (kind_) {
    case Kind::string:
      return !string_.empty();
    case Kind::boolean:
      return boolean_;
    case Kind::list:
      return !list_.empty();
    case Kind::table:
      return true;
  }
  return false;
}

TemplateError::TemplateError(std::string file, int line, int column, const std::string& message)
    : std::runtime_error(file + ":" + std::to_string(line) + ":" + std::to_string(column) +
                         ": error: " + message),
      file_(std::move(file)),
      line_(line),
      column_(column) {}

namespace {

// A parsed template: text runs, values, and sections with their children.
struct Node {
  enum class Type { text, value, section, inverted } type;
  std::string text;  // text or the name
  int line = 1, column = 1;
  std::vector<Node> children;
};

class Parser {
 public:
  Parser(const std::string& text, const std::string& file) : text_(text), file_(file) {}

  std::vector<Node> parse() {
    bool closed = false;
    return parse_until("", closed);
  }

 private:
  [[noreturn]] void fail(int line, int column, const std::string& message) const {
    throw TemplateError(file_, line, column, message);
  }

  void advance_to(std::size_t to) {
    for (; pos_ < to; ++pos_) {
      if (text_[pos_] == '\n') {
        ++line_;
        column_ = 1;
      } else {
        ++column_;
      }
    }
  }

  // Parse until `{{/closing}}` (found_close = true) or the end of the text.
  std::vector<Node> parse_until(const std::string& closing, bool& found_close) {
    found_close = false;
    std::vector<Node> nodes;
    while (pos_ < text_.size()) {
      const std::size_t open = text_.find("{{", pos_);
      if (open != pos_) {
        const std::size_t end = open == std::string::npos ? text_.size() : open;
        nodes.push_back({Node::Type::text, text_.substr(pos_, end - pos_), line_, column_, {}});
        advance_to(end);
        if (open == std::string::npos) break;
      }
      const int tag_line = line_, tag_column = column_;
      const std::size_t close = text_.find("}}", open + 2);
      if (close == std::string::npos) fail(tag_line, tag_column, "'{{' without a closing '}}'");
      std::string tag = text_.substr(open + 2, close - open - 2);
      advance_to(close + 2);
      const auto trim = [](std::string s) {
        const auto b = s.find_first_not_of(" \t");
        const auto e = s.find_last_not_of(" \t");
        return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
      };
      tag = trim(tag);
      if (tag.empty()) fail(tag_line, tag_column, "empty tag '{{}}'");
      const char sigil = tag[0];
      const bool alone = (sigil == '#' || sigil == '^' || sigil == '/' || sigil == '!') &&
                         standalone(open, close + 2);
      if (sigil == '!') {
        if (alone) {
          trim_trailing_blanks(nodes);
          skip_rest_of_line();
        }
        continue;
      }
      const std::string name =
          trim(tag.substr(sigil == '#' || sigil == '^' || sigil == '/' ? 1 : 0));
      if (name.empty()) fail(tag_line, tag_column, "tag '{{" + tag + "}}' has no name");
      for (const char c : name) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'))
          fail(tag_line, tag_column,
               "invalid character '" + std::string(1, c) + "' in tag name '" + name + "'");
      }
      if (sigil == '/') {
        if (name != closing)
          fail(tag_line, tag_column,
               closing.empty() ? "'{{/" + name + "}}' closes a section that was never opened"
                               : "'{{/" + name + "}}' where '{{/" + closing + "}}' was expected");
        found_close = true;
        if (alone) {
          trim_trailing_blanks(nodes);
          skip_rest_of_line();
        }
        return nodes;
      }
      if (sigil == '#' || sigil == '^') {
        // A section tag alone on its line does not leave an empty line behind.
        Node n{sigil == '#' ? Node::Type::section : Node::Type::inverted,
               name,
               tag_line,
               tag_column,
               {}};
        if (alone) {
          trim_trailing_blanks(nodes);
          skip_rest_of_line();
        }
        if (++depth_ > max_depth)
          fail(tag_line, tag_column,
               "sections nested more than " + std::to_string(max_depth) + " deep");
        bool closed = false;
        n.children = parse_until(name, closed);
        --depth_;
        if (!closed) fail(tag_line, tag_column, "section '" + name + "' is never closed");
        nodes.push_back(std::move(n));
        continue;
      }
      nodes.push_back({Node::Type::value, name, tag_line, tag_column, {}});
    }
    return nodes;  // end of text: an open section is reported by its caller
  }

  // A section tag alone on its line (only blanks around it) takes the whole line with it, so
  // templates can be indented without leaving blank lines or stray spaces (Mustache's rule).
  bool standalone(std::size_t tag_begin, std::size_t tag_end) const {
    const std::size_t nl = tag_begin == 0 ? std::string::npos : text_.rfind('\n', tag_begin - 1);
    const std::size_t line_start = nl == std::string::npos ? 0 : nl + 1;
    for (std::size_t i = line_start; i < tag_begin; ++i)
      if (text_[i] != ' ' && text_[i] != '\t') return false;
    std::size_t p = tag_end;
    while (p < text_.size() && (text_[p] == ' ' || text_[p] == '\t')) ++p;
    return p == text_.size() || text_[p] == '\n' ||
           (text_[p] == '\r' && p + 1 < text_.size() && text_[p + 1] == '\n');
  }
  static void trim_trailing_blanks(std::vector<Node>& nodes) {
    if (nodes.empty() || nodes.back().type != Node::Type::text) return;
    std::string& t = nodes.back().text;
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.pop_back();
  }
  void skip_rest_of_line() {
    std::size_t p = pos_;
    while (p < text_.size() && text_[p] != '\n') ++p;
    advance_to(p < text_.size() ? p + 1 : p);
  }

  const std::string& text_;
  const std::string& file_;
  std::size_t pos_ = 0;
  int line_ = 1;
  int column_ = 1;
  std::size_t depth_ = 0;
  // Parsing recurses once per open section: bounded, so no template can exhaust the stack.
  static constexpr std::size_t max_depth = 64;
};

// Nested list sections multiply (a 3-entry list nested 20 deep is 3^20 passes; the fuzzer found
// one that ran for minutes). Real configs render a few thousand nodes; past this many the
// template is an error, not a hang.
constexpr std::size_t max_render_steps = 100'000;

class Renderer {
 public:
  explicit Renderer(const std::string& file) : file_(file) {}

  void render(const std::vector<Node>& nodes, std::vector<const TemplateValue*>& scopes,
              std::string& out) {
    for (const Node& n : nodes) {
      if (++steps_ > max_render_steps)
        throw TemplateError(file_, n.line, n.column,
                            "rendering takes more than " + std::to_string(max_render_steps) +
                                " steps (nested list sections multiply)");
      switch (n.type) {
        case Node::Type::text:
          out += n.text;
          break;
        case Node::Type::value: {
          const TemplateValue* v = lookup(scopes, n.text);
          if (v == nullptr)
            throw TemplateError(file_, n.line, n.column, "no value named '" + n.text + "'");
          if (v->kind() == TemplateValue::Kind::string)
            out += v->string();
          else if (v->kind() == TemplateValue::Kind::boolean)
            out += v->boolean() ? "true" : "false";
          else
            throw TemplateError(file_, n.line, n.column,
                                "'" + n.text + "' is a " +
                                    (v->kind() == TemplateValue::Kind::list ? "list" : "table") +
                                    "; use {{#" + n.text + "}} ... {{/" + n.text + "}}");
          break;
        }
        case Node::Type::section: {
          const TemplateValue* v = lookup(scopes, n.text);
          if (v == nullptr)
            throw TemplateError(file_, n.line, n.column,
                                "no value named '" + n.text + "' for the section");
          if (v->kind() == TemplateValue::Kind::list) {
            for (const TemplateValue& item : v->list()) {
              scopes.push_back(&item);
              render(n.children, scopes, out);
              scopes.pop_back();
            }
          } else if (v->kind() == TemplateValue::Kind::table) {
            scopes.push_back(v);
            render(n.children, scopes, out);
            scopes.pop_back();
          } else if (v->truthy()) {
            render(n.children, scopes, out);
          }
          break;
        }
        case Node::Type::inverted: {
          const TemplateValue* v = lookup(scopes, n.text);
          if (v == nullptr || !v->truthy()) render(n.children, scopes, out);
          break;
        }
      }
    }
  }

 private:
  // Innermost scope first, as in Mustache.
  static const TemplateValue* lookup(const std::vector<const TemplateValue*>& scopes,
                                     const std::string& name) {
    for (auto it = scopes.rbegin(); it != scopes.rend(); ++it) {
      if (const TemplateValue* v = (*it)->find(name)) return v;
    }
    return nullptr;
  }
  const std::string& file_;
  std::size_t steps_ = 0;
};

}  // namespace

std::string render_template(const std::string& text, const TemplateValue& context,
                            const std::string& file) {
  Parser parser(text, file);
  const std::vector<Node> nodes = parser.parse();
  std::vector<const TemplateValue*> scopes{&context};
  std::string out;
  Renderer(file).render(nodes, scopes, out);
  return out;
}

}  // namespace bgw::proxy
