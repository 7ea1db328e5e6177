// A journal file that a long run cannot let grow without bound: JSON lines appended in chunks
// (one write(2) per chunk, never per line), and, given a size cap, rotated: when the next chunk
// would take the file past the cap, PATH becomes PATH.1 (replacing the previous PATH.1) and a
// new PATH starts. The disk then holds at most about twice the cap, and the newest lines.
// Used by bgw-upstream --journal-file and badgateway serve --journal.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

namespace bgw::sim {

class JournalFile {
 public:
  /// Creates or truncates `path`. `max_bytes` 0: no cap. Throws std::runtime_error when the
  /// file cannot be opened.
  explicit JournalFile(std::string path, std::uint64_t max_bytes = 0);
  ~JournalFile();
  JournalFile(const JournalFile&) = delete;
  JournalFile& operator=(const JournalFile&) = delete;

  /// Appends whole lines (`chunk` ends with '\n'), rotating first when they would not fit.
  /// Thread-safe: writers on several threads each hand over whole chunks, so lines never mix.
  /// A failure is remembered (ok(), error()) and later chunks are dropped.
  void write(std::string_view chunk);

  /// The chunk size a Buffer collects before it writes: 64 KiB, or less under a small cap so a
  /// file still rotates in several steps.
  std::size_t chunk_size() const { return chunk_size_; }
  const std::string& path() const { return path_; }
  std::uint64_t max_bytes() const { return max_bytes_; }
  bool ok() const;
  std::string error() const;
  std::uint64_t rotations() const;

  /// One writer's lines: collects them and hands the file a chunk at a time. Not thread-safe:
  /// one per thread that journals. Flushes when destroyed.
  class Buffer {
   public:
    explicit Buffer(JournalFile& file) : file_(file) { text_.reserve(file.chunk_size()); }
    ~Buffer() { flush(); }
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;
    void add_line(std::string_view line) {
      text_ += line;
      text_ += '\n';
      if (text_.size() >= file_.chunk_size()) flush();
    }
    void flush() {
      if (text_.empty()) return;
      file_.write(text_);
      text_.clear();
    }

   private:
    JournalFile& file_;
    std::string text_;
  };

 private:
  void open_fresh();

  std::string path_;
  std::uint64_t max_bytes_;
  std::size_t chunk_size_;
  mutable std::mutex mutex_;
  int fd_ = -1;
  std::uint64_t written_ = 0;  // bytes in the current file
  std::uint64_t rotations_ = 0;
  std::string error_;
};

}  // namespace bgw::sim
