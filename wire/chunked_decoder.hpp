// One incremental decoder of the chunked transfer coding (RFC 9112 §7.1), shared by the
// hand-written readers that must stay hand-written: the simulator's lenient request framer, the
// client's tolerant response reader and the load generator's response framer. Well-formed
// traffic elsewhere goes through Beast.
//
// Allocation-free and pure: feed bytes as they arrive, in any split, and get events back. What it
// accepts is the lenient common ground of those readers: bare LF for CRLF, chunk extensions
// (after ';' or whitespace) skipped up to the line end, trailer lines skipped up to an empty one.
// What it refuses is reported with the offending byte and its offset in the body, and the
// decoder stops there.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>

namespace bgw::wire {

enum class ChunkError : std::uint8_t {
  none,
  bad_size_byte,       ///< not a hex digit (or no digit at all) where a chunk size belongs
  size_overflow,       ///< the size exceeds Limits::max_chunk_size
  no_lf_after_size,    ///< CR after the size line not followed by LF
  no_crlf_after_data,  ///< chunk data not followed by CRLF or LF
  no_lf_after_data,    ///< CR after chunk data not followed by LF
  line_too_long,       ///< an extension or trailer line exceeds Limits::max_line
};

/// Words for an error, to be followed by the offending byte ("invalid byte in chunk size:").
const char* describe(ChunkError e);

class ChunkedDecoder {
 public:
  struct Limits {
    std::uint64_t max_chunk_size = std::numeric_limits<std::uint64_t>::max();
    /// Bytes of one chunk-extension or trailer line (without its LF).
    std::size_t max_line = std::numeric_limits<std::size_t>::max();
  };

  enum class Event : std::uint8_t {
    need_more,    ///< every byte given was used; feed more
    chunk,        ///< a size line ended: chunk_size() is the new chunk's size (0: the last)
    data,         ///< Step::bytes are chunk data
    trailer,      ///< Step::bytes are part of a trailer line (no LF; a CR before it included)
    trailer_end,  ///< a non-empty trailer line ended
    done,         ///< the empty line after the last chunk: the body ended
    error,        ///< see error(); the offending byte was not used
  };
  struct Step {
    Event event = Event::need_more;
    std::size_t used = 0;    ///< bytes of the input this step consumed
    std::string_view bytes;  ///< for data and trailer: the bytes themselves (inside the input)
  };

  ChunkedDecoder() = default;
  explicit ChunkedDecoder(Limits limits) : limits_(limits) {}

  /// Decodes from the start of `in` up to the next event. Nothing is used after done or error.
  Step next(std::string_view in) noexcept;

  /// Runs next() until the input is used up, the body ended or an error; returns bytes used.
  /// For callers that only need to know where the body ends.
  std::size_t feed(std::string_view in) noexcept;

  bool done() const noexcept { return state_ == State::done; }
  bool failed() const noexcept { return state_ == State::failed; }
  /// Chunk data bytes so far.
  std::uint64_t payload() const noexcept { return payload_; }
  /// The size of the chunk whose size line ended last.
  std::uint64_t chunk_size() const noexcept { return chunk_size_; }
  ChunkError error() const noexcept { return error_; }
  /// After an error: the offending byte, and its offset from the start of the chunked body.
  char error_byte() const noexcept { return error_byte_; }
  std::uint64_t error_offset() const noexcept { return error_offset_; }

 private:
  enum class State : std::uint8_t {
    size,
    extension,
    size_lf,
    data,
    data_cr,
    data_lf,
    trailer,
    done,
    failed
  };
  Step step(std::string_view in) noexcept;
  Step end_size_line(std::size_t used) noexcept;
  Step fail(ChunkError e, std::string_view in, std::size_t at) noexcept;

  Limits limits_;
  State state_ = State::size;
  bool digits_ = false;
  bool line_is_cr_ = false;  ///< the trailer line so far is exactly "\r"
  std::uint64_t size_ = 0;   ///< the size being parsed, then what is left of the chunk
  std::uint64_t chunk_size_ = 0;
  std::uint64_t payload_ = 0;
  std::uint64_t consumed_ = 0;
  std::size_t line_ = 0;  ///< bytes on the current extension or trailer line
  ChunkError error_ = ChunkError::none;
  char error_byte_ = 0;
  std::uint64_t error_offset_ = 0;
};

}  // namespace bgw::wire
