// What every byte-stream fuzz target needs: the input split into two feeds at a point the input
// itself chooses, so one run checks "the same bytes give the same result however they are split".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace bgw::fuzz {

struct Split {
  bool head_request = false;  ///< the response answers a HEAD request
  std::string_view bytes;     ///< what the peer sent
  std::size_t at = 0;         ///< where the second feed starts (0..bytes.size())
};

/// The first byte chooses HEAD (bit 7) and the split point (the rest, scaled to the length);
/// an empty input is an empty stream.
inline Split split_input(const std::uint8_t* data, std::size_t size) {
  Split s;
  if (size == 0) return s;
  s.head_request = (data[0] & 0x80) != 0;
  s.bytes = std::string_view(reinterpret_cast<const char*>(data + 1), size - 1);
  s.at = s.bytes.empty() ? 0 : (data[0] & 0x7f) * s.bytes.size() / 0x7f;
  return s;
}

}  // namespace bgw::fuzz
