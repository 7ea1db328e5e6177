// Proxy config templates: a small, strict subset of Mustache, so an adapter (data, not C++)
// can turn a scenario's proxy-neutral topology into nginx.conf, haproxy.cfg, ...
//
//   {{listen.port}}                 a value; dotted names walk into tables
//   {{#pool}} ... {{/pool}}         repeat for each entry of a list (its keys become visible);
//                                   for a boolean or string: include when true / non-empty
//   {{^backup}} ... {{/backup}}     include when false, empty or missing
//   {{! comment }}                  dropped
//
// Unlike Mustache, a missing value is an error (with line:column), never an empty string: a
// config with a hole in it would make the proxy, not the template, look broken.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace bgw::proxy {

/// A template value: a string (numbers are rendered to strings by the caller), a boolean, a list
/// or a table.
class TemplateValue {
 public:
  enum class Kind { string, boolean, list, table };

  TemplateValue() : kind_(Kind::table) {}
  TemplateValue(std::string s) : kind_(Kind::string), string_(std::move(s)) {}             // NOLINT
  TemplateValue(const char* s) : kind_(Kind::string), string_(s) {}                        // NOLINT
  TemplateValue(bool b) : kind_(Kind::boolean), boolean_(b) {}                             // NOLINT
  TemplateValue(std::vector<TemplateValue> l) : kind_(Kind::list), list_(std::move(l)) {}  // NOLINT
  static TemplateValue number(long long n) { return TemplateValue(std::to_string(n)); }

  Kind kind() const { return kind_; }
  const std::string& string() const { return string_; }
  bool boolean() const { return boolean_; }
  const std::vector<TemplateValue>& list() const { return list_; }
  const std::map<std::string, TemplateValue>& table() const { return table_; }

  /// Set a key of a table (creating nested tables for dotted keys: "listen.port").
  TemplateValue& set(const std::string& dotted_key, TemplateValue value);
  /// Look up a dotted key in this table; nullptr when missing.
  const TemplateValue* find(const std::string& dotted_key) const;
  /// Truthiness for sections: true, non-empty string, non-empty list, any table.
  bool truthy() const;

 private:
  Kind kind_;
  std::string string_;
  bool boolean_ = false;
  std::vector<TemplateValue> list_;
  std::map<std::string, TemplateValue> table_;
};

class TemplateError : public std::runtime_error {
 public:
  TemplateError(std::string file, int line, int column, const std::string& message);
  const std::string& file() const { return file_; }
  int line() const { return line_; }
  int column() const { return column_; }

 private:
  std::string file_;
  int line_;
  int column_;
};

/// Render `text` with `context`. `file` names the template in errors ("nginx.conf.in:12:8: ...").
/// Throws TemplateError for syntax errors and missing values.
std::string render_template(const std::string& text, const TemplateValue& context,
                            const std::string& file = "template");

}  // namespace bgw::proxy
