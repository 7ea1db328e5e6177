// The simulator's request framer (simulator/request_framer.hpp) on arbitrary bytes from a proxy:
// the head parser's views stay inside the head, and the chunked body reader consumes the same
// bytes whether fed whole or in two pieces.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "fuzz/fuzz_split.hpp"
#include "simulator/request_framer.hpp"

namespace {

bool inside(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

struct Consumed {
  std::size_t used = 0;
  bool done = false, failed = false;
  std::uint64_t payload = 0;
};

Consumed read_chunked(std::string_view body, std::size_t at, bool split) {
  bgw::sim::ChunkedBodyReader reader;
  Consumed c;
  if (split) {
    c.used = reader.feed(body.substr(0, at));
    if (c.used == at && !reader.done() && !reader.failed()) c.used += reader.feed(body.substr(at));
  } else {
    c.used = reader.feed(body);
  }
  if (c.used > body.size()) std::abort();
  c.done = reader.done();
  c.failed = reader.failed();
  c.payload = reader.payload();
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto in = bgw::fuzz::split_input(data, size);
  const std::size_t end = bgw::sim::find_head_end(in.bytes);
  if (end > in.bytes.size()) std::abort();
  const std::string_view head = end ? in.bytes.substr(0, end) : in.bytes;
  const auto h = bgw::sim::parse_request_head(head);
  if (!inside(h.method, head) || !inside(h.target, head) || !inside(h.request_line, head))
    std::abort();
  if (h.error == nullptr) std::abort();

  const std::string_view body = in.bytes.substr(end);
  const std::size_t at = std::min(in.at, body.size());
  const Consumed whole = read_chunked(body, at, false);
  const Consumed parts = read_chunked(body, at, true);
  // A failed read may stop at a different byte, but success and the payload must not differ.
  if (whole.done != parts.done || whole.failed != parts.failed) std::abort();
  if (whole.done && (whole.used != parts.used || whole.payload != parts.payload)) std::abort();
  return 0;
}
