// A loopback address of one's own for one scenario run: 127.A.B.C, never 127.0.0.1, held by an
// exclusive flock(2) on a lock file for as long as the lease lives. The run's upstreams and its
// proxy listen on that address only, so no socket of another run can receive this run's traffic
// whatever SO_REUSEPORT lets them share (see docs/architecture.md, "Isolation"). The kernel
// drops the lock when the holder dies, even by SIGKILL, so a crash never leaks an address.
#pragma once

#include <filesystem>
#include <string>

namespace bgw::proxy {

class LoopbackLease {
 public:
  /// Takes a free address from 127.100.0.1 .. 127.115.255.254 (4,096 of them, so at most as
  /// many lock files), trying others while one is held. Lock files live in `lock_dir` (created
  /// world-writable); the default is lock_directory(). Throws HarnessError when none is free
  /// after a bounded number of tries or the directory cannot be used.
  explicit LoopbackLease(std::filesystem::path lock_dir = lock_directory());
  ~LoopbackLease();
  LoopbackLease(LoopbackLease&& other) noexcept;
  LoopbackLease& operator=(LoopbackLease&&) = delete;
  LoopbackLease(const LoopbackLease&) = delete;
  LoopbackLease& operator=(const LoopbackLease&) = delete;

  /// "127.A.B.C".
  const std::string& address() const { return address_; }

  /// Whether `address` is leased by someone (this process included) right now.
  static bool held(const std::string& address,
                   const std::filesystem::path& lock_dir = lock_directory());
  /// /run/lock/badgateway-addr when /run/lock is writable, else /tmp/badgateway-addr: one place
  /// for every badgateway process of the machine, whatever their TMPDIR.
  static std::filesystem::path lock_directory();

 private:
  std::string address_;
  std::filesystem::path lock_file_;
  int fd_ = -1;
};

}  // namespace bgw::proxy
