// kill -9 of badgateway leaves nothing behind: the guardian (harness/run/guardian.hpp) kills the
// proxy's process group when badgateway dies. Apache's worker and Squid change uid, which clears
// PR_SET_PDEATHSIG, so without the guardian both kept running and held their ports.
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "harness/proxy/adapter.hpp"
#include "harness/proxy/child_process.hpp"
#include "harness/proxy/readiness.hpp"
#include "support/await_event.hpp"
#include "support/test_files.hpp"
#include "unit/scenario/repo_root.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// The upstream stalls far longer than the test lasts: badgateway is mid-exchange when killed.
constexpr const char* stall_scenario = R"(
[scenario]
name = "t-kill9"
description = "stalls for longer than the test runs"
timeout = "60s"

[[upstream]]
name = "a"
[[upstream.fault]]
fault = "stall_before_headers"
params = { duration = "30s" }

[proxy]
timeouts = { connect = "500ms", read = "30s" }

[[step]]
request = { target = "/x" }

[[step.expect]]
severity = "must"
status = 504
)";

struct Process {
  pid_t pid = 0;
  std::string comm;     ///< the name (the guardian renames itself "bgw-guardian")
  std::string cmdline;  ///< argv joined by spaces
  bool zombie = false;
};

std::string first_line(const fs::path& p) {
  std::ifstream in(p);
  std::string s;
  std::getline(in, s);
  return s;
}

// Every live process whose command line mentions `needle` (the run directory: every process
// of a proxy carries its config path, the guardian and badgateway their --runs-dir).
std::vector<Process> processes_mentioning(const std::string& needle) {
  std::vector<Process> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmd = bgw::test::read_file(e.path() / "cmdline");
    for (char& c : cmd)
      if (c == '\0') c = ' ';
    if (cmd.find(needle) == std::string::npos) continue;
    Process p;
    p.pid = std::stoi(name);
    p.comm = first_line(e.path() / "comm");
    p.cmdline = cmd;
    const std::string stat = first_line(e.path() / "stat");
    const auto paren = stat.rfind(')');
    p.zombie = paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'Z';
    if (!p.zombie) out.push_back(std::move(p));
  }
  return out;
}

struct Endpoint {
  std::string host;  ///< dotted quad (the run's own loopback address, docs/architecture.md)
  std::uint16_t port = 0;
  auto operator<=>(const Endpoint&) const = default;
};

// The TCP endpoints these processes listen on: their socket inodes matched against
// /proc/net/tcp entries in state 0A (LISTEN); the address there is hex in network byte order.
std::set<Endpoint> listening_ports(const std::vector<Process>& procs) {
  std::set<std::string> inodes;
  for (const auto& p : procs) {
    std::error_code ec;
    for (const auto& fd : fs::directory_iterator("/proc/" + std::to_string(p.pid) + "/fd", ec)) {
      const std::string target = fs::read_symlink(fd.path(), ec).string();
      if (target.starts_with("socket:[")) inodes.insert(target.substr(8, target.size() - 9));
    }
  }
  std::set<Endpoint> ports;
  std::istringstream tcp(bgw::test::read_file("/proc/net/tcp"));
  std::string line;
  std::getline(tcp, line);  // header
  while (std::getline(tcp, line)) {
    std::istringstream f(line);
    std::string sl, local, remote, state, queues, timer, retr, uid, timeout, inode;
    f >> sl >> local >> remote >> state >> queues >> timer >> retr >> uid >> timeout >> inode;
    if (state != "0A" || !inodes.contains(inode)) continue;
    const auto colon = local.find(':');
    const auto raw = static_cast<std::uint32_t>(std::stoul(local.substr(0, colon), nullptr, 16));
    Endpoint ep;
    for (int i = 0; i < 4; ++i) ep.host += (i ? "." : "") + std::to_string((raw >> (8 * i)) & 0xff);
    ep.port = static_cast<std::uint16_t>(std::stoul(local.substr(colon + 1), nullptr, 16));
    ports.insert(ep);
  }
  return ports;
}

class Kill9 : public testing::TestWithParam<std::string> {};

TEST_P(Kill9, LeavesNoProxyProcessAndNoBoundPortWithinTwoSeconds) {
  const auto root = bgw::test::repo_root();
  ASSERT_TRUE(root);
  const fs::path adapter_file = *root / "proxies" / (GetParam() + ".toml");
  const auto adapter = bgw::proxy::load_adapter(adapter_file.string());
  ASSERT_TRUE(adapter.ok());
  if (bgw::proxy::find_program(adapter.adapter->program).empty())
    GTEST_SKIP() << adapter.adapter->program << " is not installed";

  const fs::path dir = bgw::test::fresh_temp_dir("kill9-" + GetParam());
  const fs::path runs = dir / "runs";
  std::ofstream(dir / "stall.toml") << stall_scenario;
  bgw::proxy::ChildProcess cli(
      {.argv = {BGW_CLI_EXE, "run", "--proxy", adapter_file.string(), "--runs-dir", runs.string(),
                (dir / "stall.toml").string()},
       .stdout_path = (dir / "out.log").string(),
       .stderr_path = (dir / "err.log").string()});

  // Ready: the proxy runs as two processes (Apache's root parent and its worker; Squid's sh
  // wrapper and Squid) and listens. The event: the line each writes once that is so (Apache
  // logs "resuming normal operations" after forking its children; the Squid adapter's wrapper
  // logs its ready line after Squid listens), waited on with inotify and a deadline.
  const std::string needle =
      GetParam() == "apache2" ? "resuming normal operations" : adapter.adapter->ready_needle;
  const auto ready = bgw::test::await_file(
      runs,
      [&](const fs::path& p) {
        return p.filename() == "error.log" &&
               bgw::test::read_file(p).find(needle) != std::string::npos;
      },
      20s, cli.pidfd());
  ASSERT_FALSE(cli.poll().has_value()) << "badgateway exited early:\n"
                                       << bgw::test::read_file(dir / "err.log");
  ASSERT_TRUE(ready) << "the proxy never logged '" << needle << "'";
  const auto is_proxy = [&](const Process& p) {
    return p.pid != cli.pid() && p.comm != "bgw-guardian";
  };
  const std::vector<Process> procs = processes_mentioning(runs.string());
  const std::set<Endpoint> ports = listening_ports(procs);
  ASSERT_GE(std::count_if(procs.begin(), procs.end(), is_proxy), 2) << "the proxy never started";
  ASSERT_FALSE(ports.empty()) << "the proxy never listened";
  EXPECT_TRUE(std::any_of(procs.begin(), procs.end(), [](const Process& p) {
    return p.comm == "bgw-guardian";
  })) << "no guardian runs beside badgateway";

  // Watch every process (the guardian too) through a pidfd: readable once it has exited.
  std::map<int, Process> watched;
  for (const auto& p : procs) {
    if (p.pid == cli.pid()) continue;
    const int fd = static_cast<int>(::syscall(SYS_pidfd_open, p.pid, 0));
    if (fd >= 0) watched.emplace(fd, p);
  }

  ::kill(cli.pid(), SIGKILL);
  const auto killed = Clock::now();
  const auto deadline = killed + 2s;
  while (!watched.empty() && Clock::now() < deadline) {
    std::vector<pollfd> fds;
    for (const auto& [fd, p] : watched) fds.push_back({fd, POLLIN, 0});
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (::poll(fds.data(), fds.size(), static_cast<int>(std::max<long>(left.count(), 0))) <= 0)
      break;
    for (const auto& f : fds) {
      if (f.revents == 0) continue;
      ::close(f.fd);
      watched.erase(f.fd);
    }
  }
  for (const auto& [fd, p] : watched) {
    ADD_FAILURE() << "still running 2s after kill -9 of badgateway: " << p.pid << " (" << p.comm
                  << ") " << p.cmdline;
    ::kill(p.pid, SIGKILL);  // do not leave it for the next test
    ::close(fd);
  }
  for (const Endpoint& ep : ports)
    EXPECT_FALSE(bgw::proxy::tcp_connects(ep.host, ep.port, 200ms))
        << ep.host << ":" << ep.port << " still accepts";
  EXPECT_TRUE(cli.wait_for(1s).has_value());
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(UidChangingProxies, Kill9, testing::Values("apache2", "squid"));

}  // namespace
