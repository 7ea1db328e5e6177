#include "json_text.hpp"

#include <boost/json/serializer.hpp>

#include <charconv>
#include <cmath>

namespace bgw::sim {
namespace {

// Boost.JSON's serializer writes strings, integers, booleans and null straight into `out`; one
// serializer serves the whole document (bench/journal_line_bench.cpp: a journal line).
class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  void value(const boost::json::value& v) {
    switch (v.kind()) {
      case boost::json::kind::double_:
        number(v.get_double());
        return;
      case boost::json::kind::object: {
        out_ += '{';
        bool first = true;
        for (const auto& kv : v.get_object()) {
          if (!first) out_ += ',';
          first = false;
          sr_.reset(kv.key());
          drain();
          out_ += ':';
          value(kv.value());
        }
        out_ += '}';
        return;
      }
      case boost::json::kind::array: {
        out_ += '[';
        bool first = true;
        for (const auto& e : v.get_array()) {
          if (!first) out_ += ',';
          first = false;
          value(e);
        }
        out_ += ']';
        return;
      }
      default:
        sr_.reset(&v);
        drain();
    }
  }

 private:
  void number(double d) {
    if (!std::isfinite(d)) {
      out_ += "null";  // JSON has no NaN or infinity
      return;
    }
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, d);
    out_.append(buf, r.ptr);
  }
  void drain() {
    char buf[256];
    while (!sr_.done()) out_.append(sr_.read(buf, sizeof buf));
  }

  std::string& out_;
  boost::json::serializer sr_;
};

}  // namespace

void append_json_text(std::string& out, const boost::json::value& v) {
  Writer(out).value(v);
}

std::string json_text(const boost::json::value& v) {
  std::string out;
  append_json_text(out, v);
  return out;
}

}  // namespace bgw::sim
