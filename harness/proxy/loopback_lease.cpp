#include "loopback_lease.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <utility>

#include "harness/proxy/child_process.hpp"

namespace bgw::proxy {
namespace {

namespace fs = std::filesystem;

constexpr int max_tries = 256;

std::string pick_address(std::mt19937& rng) {
  // 127.100-115.B.C, C in 1..254: clear of 127.0.0.1 and Debian's 127.0.1.1, and a bounded
  // set of lock-file names. All of 127.0.0.0/8 is local on lo (the "local 127.0.0.0/8" route).
  std::uniform_int_distribution<int> a(100, 115);
  std::uniform_int_distribution<int> b(0, 255);
  std::uniform_int_distribution<int> c(1, 254);
  return "127." + std::to_string(a(rng)) + "." + std::to_string(b(rng)) + "." +
         std::to_string(c(rng));
}

fs::path lock_path(const fs::path& dir, const std::string& address) {
  return dir / (address + ".lock");
}

// The file at `path` is still the one open as `fd`: a holder unlinks its lock file on release,
// so a lock taken on an already unlinked file holds nothing.
bool same_file(int fd, const fs::path& path) {
  struct stat a {};
  struct stat b {};
  return ::fstat(fd, &a) == 0 && ::stat(path.c_str(), &b) == 0 && a.st_dev == b.st_dev &&
         a.st_ino == b.st_ino;
}

}  // namespace

fs::path LoopbackLease::lock_directory() {
  if (::access("/run/lock", W_OK | X_OK) == 0) return "/run/lock/badgateway-addr";
  return "/tmp/badgateway-addr";
}

LoopbackLease::LoopbackLease(fs::path lock_dir) {
  std::error_code ec;
  if (fs::create_directories(lock_dir, ec))
    ::chmod(lock_dir.c_str(), 01777);  // every user's runs share the address space
  if (ec) throw HarnessError("cannot create " + lock_dir.string() + ": " + ec.message());
  std::mt19937 rng(std::random_device{}());
  for (int i = 0; i < max_tries; ++i) {
    const std::string address = pick_address(rng);
    const fs::path path = lock_path(lock_dir, address);
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0)
      throw HarnessError("cannot open the address lock " + path.string() + ": " +
                         std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0 && same_file(fd, path)) {
      address_ = address;
      lock_file_ = path;
      fd_ = fd;
      return;
    }
    ::close(fd);  // held by another run (or released and unlinked meanwhile): another address
  }
  throw HarnessError("no free loopback address after " + std::to_string(max_tries) +
                     " tries (locks in " + lock_dir.string() + ")");
}

LoopbackLease::LoopbackLease(LoopbackLease&& other) noexcept
    : address_(std::move(other.address_)),
      lock_file_(std::move(other.lock_file_)),
      fd_(std::exchange(other.fd_, -1)) {}

LoopbackLease::~LoopbackLease() {
  if (fd_ < 0) return;
  // Unlink while still holding the lock, then release: whoever opened the old file meanwhile
  // sees it is no longer the one at the path (same_file) and tries again.
  ::unlink(lock_file_.c_str());
  ::close(fd_);
}

bool LoopbackLease::held(const std::string& address, const fs::path& lock_dir) {
  const int fd = ::open(lock_path(lock_dir, address).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool taken = ::flock(fd, LOCK_SH | LOCK_NB) != 0;
  ::close(fd);
  return taken;
}

}  // namespace bgw::proxy
