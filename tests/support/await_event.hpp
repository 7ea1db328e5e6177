// Waiting in tests on what a child process does, with a deadline and without a clock tick: a file
// appearing or growing under a directory (inotify), a process ending (pidfd). These replace loops
// that woke every few milliseconds to look (scripts/test.sh rejects those).
#pragma once

#include <poll.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <system_error>

namespace bgw::test {

namespace detail {

inline int remaining_ms(std::chrono::steady_clock::time_point deadline) {
  const auto left =
      std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

// Watch `dir` and every directory below it (inotify watches are per directory). Adding a watch
// twice returns the same one, so calling this after every event picks up new directories.
inline void watch_tree(int inotify, const std::filesystem::path& dir) {
  constexpr std::uint32_t mask = IN_CREATE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO;
  ::inotify_add_watch(inotify, dir.c_str(), mask);
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec)) ::inotify_add_watch(inotify, it->path().c_str(), mask);
  }
}

inline std::optional<std::filesystem::path> find_in_tree(
    const std::filesystem::path& root,
    const std::function<bool(const std::filesystem::path&)>& ok) {
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec) && ok(it->path())) return it->path();
  }
  return std::nullopt;
}

}  // namespace detail

/// The first regular file under `root` (recursively; `root` is created if missing) for which
/// `ok` holds, waiting up to `timeout`. Every wake-up is an inotify event (a file created,
/// written, closed or renamed into the tree) or `stop_fd` becoming readable (give a child's
/// pidfd: its exit ends the wait early); nullopt on the deadline or when `stop_fd` fired first.
inline std::optional<std::filesystem::path> await_file(
    const std::filesystem::path& root, const std::function<bool(const std::filesystem::path&)>& ok,
    std::chrono::milliseconds timeout, int stop_fd = -1) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  const int inotify = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (inotify < 0) return std::nullopt;
  std::optional<std::filesystem::path> found;
  for (;;) {
    // Watch first, then look: a file created between the two is seen by the look or the watch.
    detail::watch_tree(inotify, root);
    if ((found = detail::find_in_tree(root, ok))) break;
    pollfd fds[2] = {{inotify, POLLIN, 0}, {stop_fd, POLLIN, 0}};
    const int n = ::poll(fds, stop_fd >= 0 ? 2 : 1, detail::remaining_ms(deadline));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the deadline
    if (stop_fd >= 0 && (fds[1].revents & POLLIN)) {
      found = detail::find_in_tree(root, ok);  // it may have written the file, then exited
      break;
    }
    char events[4096];
    while (::read(inotify, events, sizeof events) > 0) {
    }
  }
  ::close(inotify);
  return found;
}

/// True once process `pid` (any process, not only our child) has ended, waiting up to `timeout`
/// on its pidfd. A zombie has ended (it holds no sockets); a pid that no longer exists has too.
inline bool await_exit(pid_t pid, std::chrono::milliseconds timeout) {
  const int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) return errno == ESRCH;
  pollfd p{fd, POLLIN, 0};
  const int n = ::poll(&p, 1, static_cast<int>(timeout.count()));
  ::close(fd);
  return n > 0;
}

}  // namespace bgw::test
