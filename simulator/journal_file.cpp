#include "journal_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace bgw::sim {

JournalFile::JournalFile(std::string path, std::uint64_t max_bytes)
    : path_(std::move(path)),
      max_bytes_(max_bytes),
      chunk_size_(max_bytes == 0 ? 64 * 1024
                                 : static_cast<std::size_t>(
                                       std::clamp<std::uint64_t>(max_bytes / 8, 1, 64 * 1024))) {
  open_fresh();
  if (fd_ < 0) throw std::runtime_error("cannot write " + path_ + ": " + error_);
}

JournalFile::~JournalFile() {
  if (fd_ >= 0) ::close(fd_);
}

void JournalFile::open_fresh() {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) error_ = std::strerror(errno);
  written_ = 0;
}

void JournalFile::write(std::string_view chunk) {
  std::lock_guard lock(mutex_);
  if (fd_ < 0) return;
  if (max_bytes_ > 0 && written_ > 0 && written_ + chunk.size() > max_bytes_) {
    // The finished file keeps its name's .1; the one before it goes.
    ::close(fd_);
    fd_ = -1;
    if (std::rename(path_.c_str(), (path_ + ".1").c_str()) != 0) {
      error_ = "rotating to " + path_ + ".1: " + std::strerror(errno);
      return;
    }
    ++rotations_;
    open_fresh();
    if (fd_ < 0) return;
  }
  while (!chunk.empty()) {
    const ssize_t n = ::write(fd_, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error_ = std::strerror(n < 0 ? errno : EIO);
      ::close(fd_);
      fd_ = -1;
      return;
    }
    chunk.remove_prefix(static_cast<std::size_t>(n));
    written_ += static_cast<std::uint64_t>(n);
  }
}

bool JournalFile::ok() const {
  std::lock_guard lock(mutex_);
  return error_.empty();
}

std::string JournalFile::error() const {
  std::lock_guard lock(mutex_);
  return error_;
}

std::uint64_t JournalFile::rotations() const {
  std::lock_guard lock(mutex_);
  return rotations_;
}

}  // namespace bgw::sim
