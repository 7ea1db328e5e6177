// The one chunked decoder (wire::ChunkedDecoder): what it accepts and refuses, and that every
// input gives the same events, payload, trailers and error position whole, split at every point
// and fed byte by byte.
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "wire/chunked_decoder.hpp"

namespace {

using bgw::wire::ChunkedDecoder;
using bgw::wire::ChunkError;
using Event = ChunkedDecoder::Event;

// Everything a decode produced, gathered so that two decodes compare with ==.
struct Decoded {
  std::size_t used = 0;  ///< bytes of the input that belonged to the body
  bool done = false;
  ChunkError error = ChunkError::none;
  char error_byte = 0;
  std::uint64_t error_offset = 0;
  std::vector<std::uint64_t> chunks;
  std::string payload;
  std::vector<std::string> trailers;
  bool operator==(const Decoded&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Decoded& d) {
  os << "used=" << d.used << " done=" << d.done << " error=" << bgw::wire::describe(d.error)
     << " at " << d.error_offset << " payload=\"" << d.payload << "\" chunks=" << d.chunks.size()
     << " trailers=" << d.trailers.size();
  return os;
}

// Feeds `pieces` one after another the way a reader does: what next() does not use of a piece is
// offered again, with the next piece appended.
Decoded decode(const std::vector<std::string>& pieces, ChunkedDecoder::Limits limits = {}) {
  ChunkedDecoder dec(limits);
  Decoded out;
  std::string line;
  std::string pending;
  for (const std::string& piece : pieces) {
    pending += piece;
    std::size_t at = 0;
    while (at < pending.size() && !out.done && out.error == ChunkError::none) {
      const auto s = dec.next(std::string_view(pending).substr(at));
      at += s.used;
      out.used += s.used;
      switch (s.event) {
        case Event::chunk:
          out.chunks.push_back(dec.chunk_size());
          break;
        case Event::data:
          out.payload.append(s.bytes);
          break;
        case Event::trailer:
          line.append(s.bytes);
          break;
        case Event::trailer_end:
          out.trailers.push_back(line);
          line.clear();
          break;
        case Event::done:
          out.done = true;
          break;
        case Event::error:
          out.error = dec.error();
          out.error_byte = dec.error_byte();
          out.error_offset = dec.error_offset();
          break;
        case Event::need_more:
          EXPECT_EQ(at, pending.size()) << "need_more used everything";
          break;
      }
    }
    pending.erase(0, at);
  }
  EXPECT_EQ(dec.done(), out.done);
  EXPECT_EQ(dec.failed(), out.error != ChunkError::none);
  EXPECT_EQ(dec.payload(), out.payload.size());
  return out;
}

Decoded whole(const std::string& s, ChunkedDecoder::Limits limits = {}) {
  return decode({s}, limits);
}

// Same result for every two-piece split and byte by byte.
void expect_split_invariant(const std::string& s, ChunkedDecoder::Limits limits = {}) {
  SCOPED_TRACE(s);
  const Decoded ref = whole(s, limits);
  for (std::size_t cut = 0; cut <= s.size(); ++cut)
    ASSERT_EQ(decode({s.substr(0, cut), s.substr(cut)}, limits), ref) << "split at " << cut;
  std::vector<std::string> bytes;
  for (const char c : s) bytes.emplace_back(1, c);
  ASSERT_EQ(decode(bytes, limits), ref) << "byte by byte";
}

const std::vector<std::string> kInputs = {
    "5\r\nhello\r\n0\r\n\r\n",
    "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\nPIPELINED",
    "A\r\n0123456789\r\nf\r\n0123456789abcde\r\n0\r\n\r\n",
    "5;name=value;x\r\nhello\r\n3 \t;ext\r\nabc\r\n0;last\r\n\r\n",
    "5\nhello\n0\n\n",  // bare LF everywhere
    "5\r\nhello\r\n0\r\nX-Trailer: t\r\nMore: y\r\n\r\nGET / HTTP/1.1\r\n",
    "0\r\n\r\n",
    "5\r\nhello\r\nzz\r\n",         // bad size after a good chunk
    "5\r\nhelloX\r\n",              // no CRLF after data
    "5\r\nhello\rX",                // CR without LF after data
    "5\rX",                         // CR without LF after size
    ";\r\n",                        // no digits
    "fffffffffffffffffff\r\n",      // overflow
    "3\r\nabc\r\n0\r\n\r\r\n\r\n",  // "\r\r" is a non-empty trailer line
};

TEST(ChunkedDecoder, SameEventsForEverySplitAndByteByByte) {
  for (const std::string& s : kInputs) expect_split_invariant(s);
  for (const std::string& s : kInputs) expect_split_invariant(s, {1u << 20, 8});
}

TEST(ChunkedDecoder, DecodesPayloadAndStopsAtTheEnd) {
  const Decoded d = whole("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\nPIPELINED");
  EXPECT_TRUE(d.done);
  EXPECT_EQ(d.payload, "hello world");
  EXPECT_EQ(d.chunks, (std::vector<std::uint64_t>{5, 6, 0}));
  EXPECT_EQ(d.used, std::string("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n").size());
}

TEST(ChunkedDecoder, HexSizesExtensionsAndBareLf) {
  EXPECT_EQ(whole("A\r\n0123456789\r\nf\r\n0123456789abcde\r\n0\r\n\r\n").payload.size(), 25u);
  const Decoded ext = whole("5;name=value;x\r\nhello\r\n3 \t;ext\r\nabc\r\n0;last\r\n\r\n");
  EXPECT_TRUE(ext.done);
  EXPECT_EQ(ext.payload, "helloabc");
  const Decoded lf = whole("5\nhello\n0\n\n");
  EXPECT_TRUE(lf.done);
  EXPECT_EQ(lf.payload, "hello");
}

TEST(ChunkedDecoder, TrailerLinesAreReportedWithoutTheirLf) {
  const Decoded d = whole("5\r\nhello\r\n0\r\nX-Trailer: t\r\nMore: y\r\n\r\nNEXT");
  EXPECT_TRUE(d.done);
  EXPECT_EQ(d.trailers, (std::vector<std::string>{"X-Trailer: t\r", "More: y\r"}));
  EXPECT_EQ(d.used, std::string("5\r\nhello\r\n0\r\nX-Trailer: t\r\nMore: y\r\n\r\n").size());
}

TEST(ChunkedDecoder, ErrorsSayWhatAndWhere) {
  struct Case {
    std::string in;
    ChunkError error;
    char byte;
    std::uint64_t offset;
    std::string payload;
  };
  const std::vector<Case> cases = {
      {"5\r\nhello\r\nzz\r\n", ChunkError::bad_size_byte, 'z', 10, "hello"},
      {"5\r\nhelloX\r\n", ChunkError::no_crlf_after_data, 'X', 8, "hello"},
      {"5\r\nhello\rX", ChunkError::no_lf_after_data, 'X', 9, "hello"},
      {"5\rX", ChunkError::no_lf_after_size, 'X', 2, ""},
      {";\r\n", ChunkError::bad_size_byte, ';', 0, ""},
      {"\r\n", ChunkError::bad_size_byte, '\r', 0, ""},
      {"fffffffffffffffffff\r\n", ChunkError::size_overflow, 'f', 16, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.in);
    const Decoded d = whole(c.in);
    EXPECT_FALSE(d.done);
    EXPECT_EQ(d.error, c.error);
    EXPECT_EQ(d.error_byte, c.byte);
    EXPECT_EQ(d.error_offset, c.offset);
    EXPECT_EQ(d.used, c.offset) << "the offending byte is not used";
    EXPECT_EQ(d.payload, c.payload);
  }
  EXPECT_STREQ(bgw::wire::describe(ChunkError::bad_size_byte), "invalid byte in chunk size:");
}

TEST(ChunkedDecoder, LimitsOnChunkSizeAndLineLength) {
  EXPECT_EQ(whole("11\r\n", {16, 100}).error, ChunkError::size_overflow);
  EXPECT_EQ(whole("10\r\n", {16, 100}).error, ChunkError::none);
  const Decoded ext = whole("5;" + std::string(20, 'e') + "\r\n", {100, 8});
  EXPECT_EQ(ext.error, ChunkError::line_too_long);
  EXPECT_EQ(ext.error_offset, 2u + 8u);
  EXPECT_EQ(whole("0\r\n" + std::string(9, 't') + "\r\n\r\n", {100, 8}).error,
            ChunkError::line_too_long);
  EXPECT_TRUE(whole("0\r\n" + std::string(7, 't') + "\r\n\r\n", {100, 8}).done);
}

TEST(ChunkedDecoder, NothingIsUsedAfterTheEnd) {
  ChunkedDecoder dec;
  EXPECT_EQ(dec.feed("0\r\n\r\n"), 5u);
  EXPECT_TRUE(dec.done());
  EXPECT_EQ(dec.feed("more"), 0u);
  EXPECT_EQ(dec.feed(""), 0u);
}

}  // namespace
