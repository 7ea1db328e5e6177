// A program run as a child with its stdout and stderr on pipes, for tests that run the CLI as a
// user does: read its first line, wait for its exit (poll() on the pipes and a pidfd, with
// deadlines, never a sleep), drain what it wrote. Killed if a test leaves it running.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

extern char** environ;

namespace bgw::test {

class ChildProgram {
 public:
  ChildProgram(const std::string& exe, const std::vector<std::string>& args) {
    int out[2], err[2];
    if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    std::vector<std::string> all{exe};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, exe.c_str(), &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    ::close(err[1]);
    out_ = out[0];
    err_ = err[0];
    if (pid_ > 0) pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
  }
  ~ChildProgram() {
    if (pid_ > 0 && !status_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    for (int fd : {out_, err_, pidfd_})
      if (fd >= 0) ::close(fd);
  }
  ChildProgram(const ChildProgram&) = delete;
  ChildProgram& operator=(const ChildProgram&) = delete;

  bool started() const { return pid_ > 0 && pidfd_ >= 0; }
  void signal(int sig) const { ::kill(pid_, sig); }

  /// The first line on stdout, or nullopt at EOF or the deadline.
  std::optional<std::string> read_line(std::chrono::steady_clock::duration timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      if (auto nl = out_buf_.find('\n'); nl != std::string::npos) {
        std::string line = out_buf_.substr(0, nl);
        out_buf_.erase(0, nl + 1);
        return line;
      }
      if (!read_some(out_, out_buf_, deadline)) return std::nullopt;
    }
  }

  /// Waits for the exit (bounded) and returns the exit code, or nullopt at the deadline.
  std::optional<int> wait_exit(std::chrono::steady_clock::duration timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    pollfd p{pidfd_, POLLIN, 0};
    while (true) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      const int n = ::poll(&p, 1, static_cast<int>(left.count()));
      if (n > 0) break;
      if (n < 0 && errno != EINTR) return std::nullopt;
    }
    int status = 0;
    if (::waitpid(pid_, &status, 0) != pid_) return std::nullopt;
    status_ = status;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  /// Everything on a stream after the child exited.
  std::string drain_stdout() { return drain(out_, out_buf_); }
  std::string drain_stderr() { return drain(err_, err_buf_); }

 private:
  static bool read_some(int fd, std::string& buf, std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    const int n = ::poll(&p, 1, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) return true;
    if (n <= 0) return false;
    char chunk[4096];
    const ssize_t got = ::read(fd, chunk, sizeof chunk);
    if (got <= 0) return false;
    buf.append(chunk, static_cast<std::size_t>(got));
    return true;
  }
  static std::string drain(int fd, std::string& buf) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (read_some(fd, buf, deadline)) {
    }
    return std::exchange(buf, {});
  }

  pid_t pid_ = -1;
  int out_ = -1, err_ = -1, pidfd_ = -1;
  std::string out_buf_, err_buf_;
  std::optional<int> status_;
};

}  // namespace bgw::test
