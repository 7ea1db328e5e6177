// The load generator's response framer (harness/load/response_framer.hpp) on arbitrary bytes:
// no crash, consumption stays within what was fed, and splitting the input does not change
// where the response ends, its status or its keep-alive verdict.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fuzz/fuzz_split.hpp"
#include "harness/load/response_framer.hpp"

namespace {

using bgw::load::ResponseFramer;

struct Outcome {
  ResponseFramer::State state = ResponseFramer::State::need_more;
  std::size_t consumed = 0;  ///< bytes of the response, when complete
  int status = 0;
  bool keep_alive = false;
  bool eof_completes = false;
};

// Feeds `pieces` as a caller does: an unconsumed tail stays in the buffer and is fed again with
// the bytes that follow.
Outcome frame(std::string_view bytes, std::size_t at, bool head_request) {
  ResponseFramer f;
  f.start(head_request);
  std::string buffer;
  Outcome o;
  for (const std::string_view piece : {bytes.substr(0, at), bytes.substr(at)}) {
    buffer.append(piece);
    for (;;) {
      const std::size_t used = f.feed(buffer.data(), buffer.size());
      if (used > buffer.size()) std::abort();
      buffer.erase(0, used);
      o.consumed += used;
      if (f.state() != ResponseFramer::State::need_more || used == 0) break;
    }
    if (f.state() != ResponseFramer::State::need_more) break;
    if (buffer.size() > ResponseFramer::max_head + ResponseFramer::max_line) std::abort();
  }
  o.state = f.state();
  if (o.state == ResponseFramer::State::need_more) o.eof_completes = f.finish_at_eof();
  o.status = f.status();
  o.keep_alive = f.keep_alive();
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto in = bgw::fuzz::split_input(data, size);
  const Outcome whole = frame(in.bytes, in.bytes.size(), in.head_request);
  const Outcome parts = frame(in.bytes, in.at, in.head_request);
  if (whole.state != parts.state) std::abort();
  if (whole.state == ResponseFramer::State::complete &&
      (whole.consumed != parts.consumed || whole.status != parts.status ||
       whole.keep_alive != parts.keep_alive))
    std::abort();
  if (whole.state == ResponseFramer::State::need_more && whole.eof_completes != parts.eof_completes)
    std::abort();
  return 0;
}
