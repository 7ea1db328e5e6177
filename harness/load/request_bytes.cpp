#include "request_bytes.hpp"

#include <charconv>
#include <stdexcept>

#include "load_generator.hpp"

namespace bgw::load {
namespace {

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return false;
    if (std::string_view("\"(),/:;<=>?@[\\]{}").find(c) != std::string_view::npos) return false;
  }
  return true;
}

bool has_line_break(std::string_view s) {
  return s.find_first_of("\r\n", 0) != std::string_view::npos ||
         s.find('\0') != std::string_view::npos;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto la = static_cast<char>(a[i] >= 'A' && a[i] <= 'Z' ? a[i] + 32 : a[i]);
    const auto lb = static_cast<char>(b[i] >= 'A' && b[i] <= 'Z' ? b[i] + 32 : b[i]);
    if (la != lb) return false;
  }
  return true;
}

}  // namespace

RequestBytes::RequestBytes(const LoadOptions& options)
    : with_ids_(options.request_ids), head_request_(options.method == "HEAD") {
  if (!is_token(options.method))
    throw std::invalid_argument("load: method '" + options.method + "' is not an HTTP token");
  const std::string& target = options.target;
  if (target.empty() || (target[0] != '/' && target != "*") || has_line_break(target) ||
      target.find_first_of(" \t") != std::string::npos)
    throw std::invalid_argument("load: target '" + target +
                                "' is not an origin-form request target");

  bool has_host = false;
  bool has_length = false;
  for (const auto& [name, value] : options.headers) {
    if (!is_token(name))
      throw std::invalid_argument("load: header name '" + name + "' is not a token");
    if (has_line_break(value))
      throw std::invalid_argument("load: header '" + name +
                                  "' has a line break or NUL in its value");
    has_host = has_host || iequals(name, "host");
    has_length = has_length || iequals(name, "content-length");
  }

  prefix_.reserve(256 + options.body.size());
  prefix_ += options.method;
  prefix_ += ' ';
  prefix_ += target;
  prefix_ += " HTTP/1.1\r\n";
  if (!has_host) {
    const bool v6 = options.host.find(':') != std::string::npos;
    prefix_ += "Host: ";
    prefix_ += v6 ? "[" + options.host + "]" : options.host;
    prefix_ += ':';
    prefix_ += std::to_string(options.port);
    prefix_ += "\r\n";
  }
  for (const auto& [name, value] : options.headers) {
    prefix_ += name;
    prefix_ += ": ";
    prefix_ += value;
    prefix_ += "\r\n";
  }
  const bool body_method =
      options.method == "POST" || options.method == "PUT" || options.method == "PATCH";
  if (!has_length && (!options.body.empty() || body_method)) {
    prefix_ += "Content-Length: ";
    prefix_ += std::to_string(options.body.size());
    prefix_ += "\r\n";
  }
  if (with_ids_) {
    prefix_ += "X-Bgw-Request: ";
    suffix_ = "\r\n\r\n";
  } else {
    prefix_ += "\r\n";
  }
  suffix_ += options.body;
  if (!with_ids_) whole_ = prefix_ + suffix_;
}

std::string_view RequestBytes::render(std::uint64_t id, std::string& scratch) const {
  if (!with_ids_) return whole_;
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, id).ptr;
  // The prefix stays in place between calls: only the digits and the tail are rewritten.
  if (scratch.size() < prefix_.size()) {
    scratch.reserve(prefix_.size() + sizeof digits + suffix_.size());
    scratch.assign(prefix_);
  }
  scratch.resize(prefix_.size());
  scratch.append(digits, static_cast<std::size_t>(end - digits));
  scratch.append(suffix_);
  return scratch;
}

std::string RequestBytes::example() const {
  std::string s;
  return std::string(render(1, s));
}

}  // namespace bgw::load
