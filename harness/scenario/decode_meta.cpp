// [scenario]: what the scenario is called, why it exists, what it needs and its deadline.
#include <algorithm>

#include "harness/scenario/sections.hpp"

namespace bgw::scenario::detail {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_version(std::string_view v) {
  bool digit = false;
  for (const char c : v) {
    if (c >= '0' && c <= '9')
      digit = true;
    else if (c == '.' && digit)
      digit = false;
    else
      return false;
  }
  return digit;
}

bool contains(std::span<const std::string_view> list, std::string_view word) {
  return std::find(list.begin(), list.end(), word) != list.end();
}

// "retries" (a feature) or "nginx>=1.23" (a proxy version).
std::optional<Requirement> parse_requirement(Decoder& d, const toml::node& n) {
  auto text = read_string(d, n, "entries of 'requires'");
  if (!text) return std::nullopt;
  Requirement req{.text = *text, .where = d.at(n)};
  const std::size_t op_at = text->find_first_of("<>=");
  if (op_at == std::string::npos) {
    req.subject = std::string(trim(*text));
    if (!contains(known_features(), req.subject)) {
      const std::string hint = closest(req.subject, known_features());
      d.error(req.where, "unknown feature \"" + printable(req.subject) + "\"" +
                             (hint.empty() ? " (known: " + list_of(known_features()) + ")"
                                           : "; did you mean \"" + hint + "\"?") +
                             "; a proxy version is written like \"nginx>=1.23\"");
      return std::nullopt;
    }
    return req;
  }
  req.subject = std::string(trim(std::string_view(*text).substr(0, op_at)));
  std::string_view rest = std::string_view(*text).substr(op_at);
  for (const std::string_view op : {">=", "<=", ">", "<", "="}) {
    if (rest.substr(0, op.size()) == op) {
      req.op = std::string(op);
      rest.remove_prefix(op.size());
      break;
    }
  }
  req.version = std::string(trim(rest));
  bool ok = true;
  if (!contains(known_proxies(), req.subject)) {
    const std::string hint = closest(req.subject, known_proxies());
    d.error(req.where, "unknown proxy \"" + printable(req.subject) + "\" in \"" + printable(*text) +
                           "\"" +
                           (hint.empty() ? " (known: " + list_of(known_proxies()) + ")"
                                         : "; did you mean \"" + hint + "\"?"));
    ok = false;
  }
  if (req.op.empty() || !is_version(req.version)) {
    d.error(req.where, "\"" + printable(*text) +
                           "\" is not a version requirement; write a proxy, one of "
                           ">=, >, <=, < or =, and a version such as 1.23 (\"nginx>=1.23\")");
    ok = false;
  }
  if (!ok) return std::nullopt;
  return req;
}

}  // namespace

Meta decode_meta(Decoder& d, const toml::node* node) {
  Meta m;
  m.where = d.start();
  if (node == nullptr) {
    d.error(d.start(),
            "the file has no [scenario] table; every scenario starts with one that "
            "gives at least its name and description");
    return m;
  }
  const auto* t = as_table(d, *node, "'scenario'");
  if (t == nullptr) return m;
  TableReader r(d, *t, keys::scenario);
  m.where = r.where();
  if (r.require("name"))
    if (auto v = r.name("name")) m.name = *v;
  if (r.require("description")) {
    if (auto v = r.string("description")) {
      if (trim(*v).empty())
        d.error(r.at("description"),
                "'description' is empty; say what "
                "the scenario checks and why");
      m.description = *v;
    }
  }
  if (const toml::node* n = r.get("tags")) {
    if (const auto* a = as_array(d, *n, "'tags'")) {
      for (const toml::node& e : *a)
        if (auto tag = read_name(d, e, "entries of 'tags'")) m.tags.push_back(*tag);
    }
  }
  if (auto v = r.strings("spec")) m.spec = std::move(*v);
  if (const toml::node* n = r.get("requires")) {
    if (const auto* a = as_array(d, *n, "'requires'")) {
      for (const toml::node& e : *a)
        if (auto req = parse_requirement(d, e)) m.requirements.push_back(std::move(*req));
    }
  }
  if (auto v = r.duration("timeout", std::chrono::hours(1))) {
    if (*v <= Duration::zero())
      d.error(r.at("timeout"), "'timeout' must be greater than 0s");
    else
      m.timeout = {*v, r.at("timeout")};
  } else {
    m.timeout.where = r.where();
  }
  return m;
}

}  // namespace bgw::scenario::detail
