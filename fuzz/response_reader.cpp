// The tolerant response reader (harness/client/response_reader.hpp) on arbitrary bytes: it never
// crashes, and fed whole or in two pieces it reaches the same response.
#include <cstdint>
#include <cstdlib>

#include "fuzz/fuzz_split.hpp"
#include "harness/client/response_reader.hpp"

namespace {

using bgw::client::Ending;
using bgw::client::ParsedResponse;
using bgw::client::ResponseReader;

ParsedResponse read_all(const bgw::fuzz::Split& in, bool split) {
  ResponseReader reader(ResponseReader::Options{.head_request = in.head_request});
  if (split) {
    reader.feed(in.bytes.substr(0, in.at));
    reader.feed(in.bytes.substr(in.at));
  } else {
    reader.feed(in.bytes);
  }
  reader.finish(Ending::eof);
  if (reader.bytes_seen() != in.bytes.size()) std::abort();
  return std::move(reader).take();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto in = bgw::fuzz::split_input(data, size);
  const ParsedResponse whole = read_all(in, false);
  const ParsedResponse parts = read_all(in, true);
  if (whole.status != parts.status || whole.status_line != parts.status_line ||
      whole.http09 != parts.http09 || whole.head_complete != parts.head_complete ||
      whole.headers.size() != parts.headers.size() || whole.framing != parts.framing ||
      whole.body != parts.body || whole.body_state != parts.body_state ||
      whole.response_complete != parts.response_complete || whole.extra != parts.extra ||
      whole.interim.size() != parts.interim.size())
    std::abort();  // the split changed the answer
  // Everything that arrived is somewhere: in the head, the body or the extra bytes.
  if (whole.body.size() + whole.extra.size() > in.bytes.size()) std::abort();
  return 0;
}
