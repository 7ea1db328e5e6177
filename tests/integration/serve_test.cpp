// The scenario commands as a user runs them: `badgateway serve` as a child process (bindings
// on stdout, a fault seen by a raw client, the timeline, SIGTERM, the journal), and `check`/
// `list` exit codes and diagnostics. Waits are poll() on pipes and a pidfd, with deadlines.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "harness/client/raw_client.hpp"
#include "harness/scenario/load.hpp"
#include "harness/scenario/simulation.hpp"
#include "support/child_program.hpp"
#include "support/run_until.hpp"
#include "support/tls_client.hpp"
#include "unit/scenario/repo_root.hpp"

extern char** environ;

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;
using bgw::client::Ending;

// A badgateway child with its stdout and stderr on pipes; killed if a test leaves it running.
class Cli : public bgw::test::ChildProgram {
 public:
  explicit Cli(const std::vector<std::string>& args) : ChildProgram(BGW_CLI_EXE, args) {}
};
struct Binding {
  std::string address;
  std::uint16_t port = 0;
  std::string listener;
};

std::optional<Binding> binding(const std::string& json, const std::string& upstream) {
  const std::regex re("\"" + upstream +
                      R"re(":\{"address":"([^"]+)","port":([0-9]+),"listener":"([a-z]+)"\})re");
  std::smatch m;
  if (!std::regex_search(json, m, re)) return std::nullopt;
  return Binding{m[1], static_cast<std::uint16_t>(std::stoi(m[2])), m[3]};
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A fresh directory per test: parallel runs never share files.
fs::path temp_dir(const std::string& name) {
  const fs::path dir =
      fs::path(testing::TempDir()) / ("bgw_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

bgw::client::RawResult exchange(boost::asio::io_context& io, std::uint16_t port,
                                const std::string& request, Clock::duration deadline = 2s) {
  bgw::client::RawExchange x;
  x.port = port;
  x.request = request;
  x.connect_timeout = 1s;
  x.deadline = deadline;
  return bgw::client::exchange(io, x);
}

// The piece `serve` (and later the runner) is built on, in process: events fire in order and
// each changes what a client sees. Events are 500ms apart so each exchange fits between two.
TEST(Simulation, RunsTheTimelineInProcess) {
  const auto loaded = bgw::scenario::load_scenario_text(
      "[scenario]\nname = \"sim\"\ndescription = \"d\"\n"
      "[[upstream]]\nname = \"a\"\n"
      "[[upstream.event]]\nat = \"1100ms\"\naction = \"refuse\"\n"
      "[[upstream.event]]\nat = \"100ms\"\naction = \"set_fault\"\nfault = "
      "\"reset_after_request\"\n"
      "[[upstream.event]]\nat = \"600ms\"\naction = \"clear_faults\"\n",
      "sim.toml");
  ASSERT_TRUE(loaded.ok());
  boost::asio::io_context io;
  bgw::scenario::Simulation sim(io, *loaded.scenario);
  EXPECT_EQ(sim.events_total(), 3u);
  const auto port = sim.upstream("a").port();
  EXPECT_THAT(sim.bindings_json(),
              testing::MatchesRegex("\\{\"a\":\\{\"address\":\"127.0.0.1\",\"port\":[0-9]+,"
                                    "\"listener\":\"accept\"\\}\\}"));
  const std::string get = "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
  EXPECT_EQ(exchange(io, port, get).ending, Ending::eof);  // before any event: the default

  sim.start_timeline();
  ASSERT_TRUE(bgw::test::run_until(
      io, [&] { return sim.events_run() >= 1; }, 5s, "set_fault"));
  EXPECT_EQ(exchange(io, port, get).ending, Ending::reset);
  ASSERT_TRUE(bgw::test::run_until(
      io, [&] { return sim.events_run() >= 2; }, 5s, "clear"));
  const auto healthy = exchange(io, port, get);
  EXPECT_THAT(healthy.received, testing::StartsWith("HTTP/1.1 200 OK"));
  ASSERT_TRUE(bgw::test::run_until(
      io, [&] { return sim.events_run() >= 3; }, 5s, "refuse"));
  EXPECT_EQ(exchange(io, port, get).ending, Ending::refused);

  sim.stop();
  const std::string j = sim.journal_json_lines();
  const auto set =
      j.find(R"("action":"set_fault","fault":"reset_after_request","requested_ms":100)");
  const auto clear = j.find(R"("action":"clear_faults","requested_ms":600)");
  const auto refuse = j.find(R"("action":"refuse","requested_ms":1100)");
  ASSERT_NE(set, std::string::npos) << j;
  ASSERT_NE(clear, std::string::npos) << j;
  ASSERT_NE(refuse, std::string::npos) << j;
  EXPECT_LT(set, clear);
  EXPECT_LT(clear, refuse);
  EXPECT_THAT(j, testing::HasSubstr(R"("source":"sim.toml:9:1")"));
}

TEST(ServeCommand, ServesAnExampleScenarioShowsItsFaultAndWritesTheJournal) {
  const auto root = bgw::test::repo_root();
  ASSERT_TRUE(root);
  const fs::path dir = temp_dir("serve_example");
  const fs::path journal = dir / "journal.jsonl";
  Cli cli({"serve", (*root / "scenarios/examples/no_retry_post.toml").string(), "--journal",
           journal.string()});
  ASSERT_TRUE(cli.started());

  const auto line = cli.read_line(10s);
  ASSERT_TRUE(line) << "no bindings line; stderr: " << cli.drain_stderr();
  EXPECT_THAT(*line, testing::HasSubstr("\"scenario\":\"no-retry-post\""));
  EXPECT_THAT(*line, testing::HasSubstr("\"journal\":\"" + journal.string() + "\""));
  const auto a = binding(*line, "a");
  const auto b = binding(*line, "b");
  ASSERT_TRUE(a && b) << *line;
  EXPECT_EQ(a->address, "127.0.0.1");
  EXPECT_EQ(a->listener, "accept");
  EXPECT_NE(a->port, 0);

  boost::asio::io_context io;
  // a: reset_after_request. The whole POST is read, then RST without a byte.
  const auto faulty =
      exchange(io, a->port, "POST /orders HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\n{}");
  EXPECT_TRUE(faulty.connected);
  EXPECT_EQ(faulty.ending, Ending::reset) << bgw::client::to_string(faulty.ending);
  EXPECT_EQ(faulty.received, "");
  // b: the default response.
  const auto healthy =
      exchange(io, b->port, "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  EXPECT_THAT(healthy.received, testing::StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(healthy.received, testing::EndsWith("hello"));

  cli.signal(SIGTERM);
  const auto code = cli.wait_exit(10s);
  ASSERT_TRUE(code) << "serve did not exit within 10s of SIGTERM";
  EXPECT_EQ(*code, 0) << cli.drain_stderr();

  ASSERT_TRUE(fs::exists(journal));
  const std::string j = read_file(journal);
  EXPECT_THAT(j, testing::HasSubstr(R"("upstream":"a","event":"listening","detail":"accept")"));
  EXPECT_THAT(j, testing::HasSubstr(R"("upstream":"a","event":"accepted","conn":1)"));
  EXPECT_THAT(j,
              testing::HasSubstr(R"("upstream":"a","event":"request_head","conn":1,"request":1)"));
  EXPECT_THAT(j, testing::HasSubstr(R"("upstream":"a","event":"closed","conn":1,"detail":"rst")"));
  EXPECT_THAT(j, testing::HasSubstr(R"("upstream":"b","event":"request_head")"));
  EXPECT_THAT(j, testing::HasSubstr(R"("upstream":"a","event":"stopped")"));
  EXPECT_THAT(j, testing::HasSubstr(R"("upstream":"b","event":"stopped")"));
  fs::remove_all(dir);
}

// A TLS upstream: the line names the run CA, written beside the journal, and a client that
// verifies against it (by the default name) is served.
TEST(ServeCommand, ATlsUpstreamComesWithItsRunCa) {
  const auto root = bgw::test::repo_root();
  ASSERT_TRUE(root);
  const fs::path dir = temp_dir("serve_tls");
  const fs::path journal = dir / "journal.jsonl";
  Cli cli({"serve", (*root / "scenarios/conformance/tls/cert-good-verify-on.toml").string(),
           "--journal", journal.string()});
  ASSERT_TRUE(cli.started());
  const auto line = cli.read_line(10s);
  ASSERT_TRUE(line) << "no bindings line; stderr: " << cli.drain_stderr();
  const std::string ca = (dir / "upstream-ca.pem").string();
  EXPECT_THAT(*line, testing::HasSubstr("\"upstream_ca\":\"" + ca + "\""));
  const auto a = binding(*line, "a");
  ASSERT_TRUE(a) << *line;
  bgw::test::TlsClientOptions o;
  o.port = a->port;
  o.verify = true;
  o.ca_pem = read_file(ca);
  const auto r = bgw::test::tls_exchange(o);
  EXPECT_TRUE(r.handshake_ok) << r.describe();
  EXPECT_THAT(r.bytes, testing::EndsWith("hello")) << r.describe();
  cli.signal(SIGTERM);
  const auto code = cli.wait_exit(10s);
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 0) << cli.drain_stderr();
  fs::remove_all(dir);
}

// What serve does for a run of hours: every journal line to a sink as it happens (what was
// journaled before first), the upstreams keeping no events, the timeline's records streamed too.
TEST(Simulation, StreamsTheJournalAndKeepsNone) {
  const auto loaded = bgw::scenario::load_scenario_text(
      "[scenario]\nname = \"stream\"\ndescription = \"d\"\n"
      "[[upstream]]\nname = \"a\"\n"
      "[[upstream.event]]\nat = \"0ms\"\naction = \"set_fault\"\nfault = \"reset_after_request\"\n",
      "stream.toml");
  ASSERT_TRUE(loaded.ok());
  boost::asio::io_context io;
  std::vector<std::string> lines;  // outlives the simulation, whose stop() still journals
  bgw::scenario::Simulation sim(io, *loaded.scenario);
  sim.stream_journal([&](const std::string& line) { lines.push_back(line); });
  ASSERT_EQ(lines.size(), 1u);  // the listening event of the bind, journaled before
  EXPECT_THAT(lines[0], testing::HasSubstr(R"("event":"listening")"));
  sim.start_timeline();
  ASSERT_TRUE(bgw::test::run_until(
      io, [&] { return sim.events_run() == 1; }, 2s, "the event"));
  const std::string get = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";
  EXPECT_EQ(exchange(io, sim.upstream("a").port(), get).ending, Ending::reset);
  ASSERT_TRUE(bgw::test::run_until(
      io, [&] { return sim.upstream("a").journal().total(bgw::sim::EventKind::closed) == 1; }, 2s,
      "the close"));
  std::string all;
  for (const auto& l : lines) all += l + "\n";
  EXPECT_THAT(all, testing::HasSubstr(R"("event":"timeline","action":"set_fault")"));
  EXPECT_THAT(all, testing::HasSubstr(R"("event":"request_head")"));
  EXPECT_THAT(all, testing::HasSubstr(R"("event":"closed","conn":1,"detail":"rst")"));
  EXPECT_TRUE(sim.upstream("a").journal().snapshot().empty());
  EXPECT_EQ(sim.upstream("a").journal().requests(), 1u);
}

// `serve --control` and `ctl` as a user runs them, two processes: the API's port in the bindings
// line, ctl's exit codes (0 applied, 1 the API said no, 2 usage, 3 unreachable), the change seen
// on the wire, and every change in the journal file after SIGTERM.
TEST(ServeCommand, ControlApiDrivenByCtl) {
  const auto root = bgw::test::repo_root();
  ASSERT_TRUE(root);
  const fs::path dir = temp_dir("serve_control");
  const fs::path journal = dir / "journal.jsonl";
  Cli serve({"serve", (*root / "scenarios/examples/no_retry_post.toml").string(), "--journal",
             journal.string(), "--control", "127.0.0.1:0"});
  ASSERT_TRUE(serve.started());
  const auto line = serve.read_line(10s);
  ASSERT_TRUE(line) << "no bindings line; stderr: " << serve.drain_stderr();
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      *line, m, std::regex(R"re("control":\{"address":"127.0.0.1","port":([0-9]+)\})re")))
      << *line;
  const std::string control = "127.0.0.1:" + m[1].str();
  const auto b = binding(*line, "b");
  ASSERT_TRUE(b);

  auto ctl = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"ctl", "--control", control});
    Cli c(args);
    const auto code = c.wait_exit(10s);
    return std::tuple{code.value_or(-1), c.drain_stdout(), c.drain_stderr()};
  };
  auto [health, health_out, health_err] = ctl({"health"});
  EXPECT_EQ(health, 0) << health_err;
  EXPECT_THAT(health_out, testing::HasSubstr("\"scenario\":\"no-retry-post\""));

  boost::asio::io_context io;
  const std::string get = "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
  EXPECT_THAT(exchange(io, b->port, get).received, testing::StartsWith("HTTP/1.1 200 OK"));
  auto [set, set_out, set_err] = ctl({"faults", "b", R"([{"fault":"reset_after_request"}])"});
  EXPECT_EQ(set, 0) << set_err;
  EXPECT_EQ(exchange(io, b->port, get).ending, Ending::reset);
  auto [crash, crash_out, crash_err] = ctl({"crash", "b"});
  EXPECT_EQ(crash, 0) << crash_err;
  EXPECT_EQ(exchange(io, b->port, get).ending, Ending::refused);

  auto [typo, typo_out, typo_err] = ctl({"faults", "b", R"({"fault":"rest_after_request"})"});
  EXPECT_EQ(typo, 1);
  EXPECT_THAT(typo_err, testing::HasSubstr("422: unknown fault \"rest_after_request\""));
  auto [usage, usage_out, usage_err] = ctl({"frobnicate"});
  EXPECT_EQ(usage, 2);
  EXPECT_THAT(usage_err, testing::HasSubstr("unknown action 'frobnicate'"));
  auto [journal_code, journal_out, journal_err] = ctl({"journal", "--since", "0"});
  EXPECT_EQ(journal_code, 0) << journal_err;
  EXPECT_THAT(journal_out, testing::HasSubstr("\"action\":\"crash\""));

  serve.signal(SIGTERM);
  const auto code = serve.wait_exit(10s);
  ASSERT_TRUE(code) << "serve did not exit within 10s of SIGTERM";
  EXPECT_EQ(*code, 0) << serve.drain_stderr();
  const std::string j = read_file(journal);
  EXPECT_THAT(j, testing::HasSubstr(R"("upstream":"b","event":"control")"));
  EXPECT_THAT(j, testing::HasSubstr(R"("action":"set_faults")"));
  EXPECT_THAT(j, testing::HasSubstr(R"("action":"crash")"));

  // serve is gone: ctl cannot reach it.
  auto [gone, gone_out, gone_err] = ctl({"health"});
  EXPECT_EQ(gone, 3);
  EXPECT_THAT(gone_err, testing::HasSubstr("Connection refused"));
  fs::remove_all(dir);
}

// The API can crash upstreams: a non-loopback address needs --control-allow-remote and a token.
TEST(ServeCommand, ARemoteControlAddressNeedsAllowRemoteAndAToken) {
  const auto root = bgw::test::repo_root();
  ASSERT_TRUE(root);
  const std::string file = (*root / "scenarios/examples/no_retry_post.toml").string();
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"serve", file, "--control", "0.0.0.0:0"},
           {"serve", file, "--control", "0.0.0.0:0", "--control-allow-remote"},
           {"serve", file, "--control-token", "t"},
           {"serve", file, "--control", "nohost"}}) {
    Cli cli(args);
    ASSERT_TRUE(cli.started());
    const auto code = cli.wait_exit(10s);
    EXPECT_EQ(code, 2) << args.back();
    EXPECT_THAT(cli.drain_stderr(), testing::HasSubstr("--control"));
  }
}

int connect_to(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Until the bytes end with `end`, or everything until EOF when `end` is empty; nullopt at the
// deadline.
std::optional<std::string> read_from(int fd, std::string_view end, Clock::time_point deadline) {
  std::string got;
  while (end.empty() || !got.ends_with(end)) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    pollfd p{fd, POLLIN, 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) return std::nullopt;
    char buf[4096];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  return got;
}

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// `serve --threads 2`: every upstream served by two threads (a listener each on its port). The
// timeline's crash reaches the connections of both, the control API still sees and changes the
// upstream as a whole, and the one journal has every request, numbered by one counter.
TEST(ServeCommand, ThreadsShareTheTimelineTheControlApiAndTheJournal) {
  const fs::path dir = temp_dir("serve_threads");
  const fs::path scenario = dir / "threads.toml";
  std::ofstream(scenario) << "[scenario]\nname = \"threads\"\ndescription = \"crash at 1500ms\"\n"
                             "[[upstream]]\nname = \"a\"\n"
                             "[[upstream.event]]\nat = \"1500ms\"\naction = \"crash\"\n";
  const fs::path journal = dir / "journal.jsonl";
  Cli serve({"serve", scenario.string(), "--journal", journal.string(), "--threads", "2",
             "--control", "127.0.0.1:0"});
  ASSERT_TRUE(serve.started());
  const auto line = serve.read_line(10s);
  ASSERT_TRUE(line) << serve.drain_stderr();
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      *line, m, std::regex(R"re("control":\{"address":"127.0.0.1","port":([0-9]+)\})re")))
      << *line;
  const std::string control = "127.0.0.1:" + m[1].str();
  const auto a = binding(*line, "a");
  ASSERT_TRUE(a) << *line;
  auto ctl = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"ctl", "--control", control});
    Cli c(args);
    const auto code = c.wait_exit(10s);
    return std::tuple{code.value_or(-1), c.drain_stdout(), c.drain_stderr()};
  };

  // Keep-alive connections, one request each, answered before the crash at 1500 ms. With 32 of
  // them the chance that the kernel gives one thread none is 2^-31.
  constexpr int connections = 32;
  std::vector<int> fds;
  const auto deadline = Clock::now() + 10s;
  for (int i = 0; i < connections; ++i) {
    const int fd = connect_to(a->port);
    ASSERT_GE(fd, 0) << "connect " << i;
    fds.push_back(fd);
    const std::string request = "GET /" + std::to_string(i) + " HTTP/1.1\r\nHost: t\r\n\r\n";
    ASSERT_EQ(::write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
  }
  for (int fd : fds) {
    const auto response = read_from(fd, "hello", deadline);
    ASSERT_TRUE(response);
    ASSERT_THAT(*response, testing::StartsWith("HTTP/1.1 200 OK"));
  }
  auto [view, view_out, view_err] = ctl({"call", "GET", "/upstreams/a"});
  EXPECT_EQ(view, 0) << view_err;
  EXPECT_THAT(view_out, testing::HasSubstr("\"live_connections\":" + std::to_string(connections)))
      << "the API counts the connections of both threads (or the crash came first)";
  // The crash, fired by the timeline on serve's thread, ends every connection of both threads.
  for (int fd : fds) {
    EXPECT_EQ(read_from(fd, "", deadline), "") << "a connection outlived the crash";
    ::close(fd);
  }
  auto [restart, restart_out, restart_err] = ctl({"restart", "a"});
  EXPECT_EQ(restart, 0) << restart_err;
  auto [set, set_out, set_err] = ctl({"faults", "a", R"([{"fault":"reset_after_request"}])"});
  EXPECT_EQ(set, 0) << set_err;
  boost::asio::io_context io;
  const std::string get = "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
  for (int i = 0; i < 8; ++i)  // whichever thread takes it, the fault applies
    EXPECT_EQ(exchange(io, a->port, get).ending, Ending::reset) << i;

  serve.signal(SIGTERM);
  const auto code = serve.wait_exit(10s);
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 0) << serve.drain_stderr();
  const std::string j = read_file(journal);
  EXPECT_EQ(count_of(j, R"("event":"request_head")"), std::size_t{connections + 8}) << j;
  // One counter for both threads: the request_head lines number 1..40, each once.
  std::set<int> numbers;
  std::istringstream lines(j);
  const std::regex head(R"re("event":"request_head","conn":[0-9]+,"request":([0-9]+),)re");
  for (std::string l; std::getline(lines, l);)
    if (std::smatch n; std::regex_search(l, n, head)) numbers.insert(std::stoi(n[1]));
  EXPECT_EQ(numbers.size(), std::size_t{connections + 8});
  EXPECT_EQ(*numbers.begin(), 1);
  EXPECT_EQ(*numbers.rbegin(), connections + 8);
  EXPECT_EQ(count_of(j, R"("event":"closed")"), std::size_t{connections + 8});
  EXPECT_EQ(count_of(j, R"("detail":"crash")"), std::size_t{connections});
  EXPECT_EQ(count_of(j, R"("event":"crashed")"), 1u);
  EXPECT_THAT(j, testing::HasSubstr(R"("event":"timeline","action":"crash")"));
  EXPECT_EQ(count_of(j, R"("event":"stopped")"), 1u);
  fs::remove_all(dir);
}

// What a serve that runs for hours can bound: the level (no payload bytes at `events`) and the
// file's size (past the cap PATH becomes PATH.1 and a new PATH starts; the disk keeps the newest).
TEST(ServeCommand, TheJournalFileHasItsLevelAndRotatesAtItsCap) {
  const auto root = bgw::test::repo_root();
  ASSERT_TRUE(root);
  const fs::path dir = temp_dir("serve_rotation");
  const fs::path journal = dir / "journal.jsonl";
  constexpr std::uintmax_t cap = 16 * 1024;
  Cli cli({"serve", (*root / "scenarios/examples/no_retry_post.toml").string(), "--journal",
           journal.string(), "--journal-level", "events", "--journal-max-bytes", "16KiB"});
  ASSERT_TRUE(cli.started());
  const auto line = cli.read_line(10s);
  ASSERT_TRUE(line) << cli.drain_stderr();
  const auto b = binding(*line, "b");
  ASSERT_TRUE(b) << *line;
  // About 300 bytes of journal per request at level events: 200 requests fill the cap ~4 times.
  boost::asio::io_context io;
  constexpr int requests = 200;
  for (int i = 0; i < requests; ++i) {
    const auto r =
        exchange(io, b->port,
                 "GET /" + std::to_string(i) + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    ASSERT_THAT(r.received, testing::StartsWith("HTTP/1.1 200 OK")) << i;
  }
  cli.signal(SIGTERM);
  const auto code = cli.wait_exit(10s);
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 0);
  EXPECT_THAT(cli.drain_stderr(),
              testing::HasSubstr(journal.string() + ".1 holds the lines before it"));

  const fs::path previous = dir / "journal.jsonl.1";
  ASSERT_TRUE(fs::exists(previous));
  EXPECT_LE(fs::file_size(journal), cap);
  EXPECT_LE(fs::file_size(previous), cap);
  const std::string j = read_file(previous) + read_file(journal);
  // The newest lines are kept, whole: the last request and both upstreams' stop.
  EXPECT_THAT(j, testing::HasSubstr(R"("detail":"GET /199 HTTP/1.1")"));
  EXPECT_THAT(j, testing::HasSubstr(R"("upstream":"b","event":"stopped")"));
  EXPECT_THAT(j, testing::Not(testing::HasSubstr(R"("detail":"GET /0 HTTP/1.1")")));
  // Level events: a head is its request line, a write has no bytes.
  EXPECT_THAT(j, testing::Not(testing::HasSubstr("Host: t")));
  EXPECT_THAT(j, testing::Not(testing::HasSubstr("HTTP/1.1 200 OK")));
  std::istringstream lines(j);
  for (std::string l; std::getline(lines, l);)
    ASSERT_TRUE(l.front() == '{' && l.back() == '}') << "a cut line: " << l;
  fs::remove_all(dir);
}

TEST(ServeCommand, TheTimelineSwitchesTheListenerAtItsOffset) {
  const fs::path dir = temp_dir("serve_timeline");
  const fs::path scenario = dir / "timeline.toml";
  std::ofstream(scenario) << "# Why: a timeline test.\n"
                             "[scenario]\nname = \"timeline\"\ndescription = \"refuse at 500ms\"\n"
                             "[[upstream]]\nname = \"a\"\n"
                             "[[upstream.fault]]\nfault = \"stall_before_headers\"\n"
                             "params = { duration = \"0s\" }\n"
                             "[[upstream.event]]\nat = \"500ms\"\naction = \"refuse\"\n";
  const fs::path journal = dir / "journal.jsonl";
  Cli cli({"serve", scenario.string(), "--journal", journal.string()});
  ASSERT_TRUE(cli.started());
  const auto line = cli.read_line(10s);
  ASSERT_TRUE(line) << cli.drain_stderr();
  const auto a = binding(*line, "a");
  ASSERT_TRUE(a) << *line;

  // Each probe connects and waits 50ms for bytes the stalling upstream never sends: "open"
  // until the refuse event, then "refused" at once. The probes pace themselves; no sleeping.
  boost::asio::io_context io;
  std::vector<Ending> seen;
  const auto deadline = Clock::now() + 10s;
  while (Clock::now() < deadline) {
    const auto r = exchange(io, a->port, "GET / HTTP/1.1\r\nHost: t\r\n\r\n", 50ms);
    seen.push_back(r.ending);
    if (r.ending == Ending::refused) break;
    ASSERT_EQ(r.ending, Ending::open) << bgw::client::to_string(r.ending);
  }
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back(), Ending::refused) << "the listener never switched to refuse";
  EXPECT_EQ(seen.front(), Ending::open) << "refused before the event at 500ms";

  cli.signal(SIGINT);
  const auto code = cli.wait_exit(10s);
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 0) << cli.drain_stderr();
  const std::string j = read_file(journal);
  EXPECT_THAT(j, testing::HasSubstr(R"("event":"timeline","action":"refuse","requested_ms":500)"));
  EXPECT_THAT(j, testing::HasSubstr(R"("event":"listening","detail":"refuse")"));
  fs::remove_all(dir);
}

TEST(ServeCommand, AnInvalidScenarioExitsTwoWithDiagnostics) {
  const fs::path dir = temp_dir("serve_invalid");
  const fs::path scenario = dir / "bad.toml";
  std::ofstream(scenario) << "[scenario]\nname = \"bad\"\ndescription = \"d\"\n"
                             "[[upstream]]\nname = \"a\"\nlistener = \"acept\"\n";
  Cli cli({"serve", scenario.string()});
  ASSERT_TRUE(cli.started());
  const auto code = cli.wait_exit(10s);
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 2);
  EXPECT_EQ(cli.drain_stdout(), "");
  EXPECT_THAT(cli.drain_stderr(),
              testing::HasSubstr(scenario.string() + ":6:12: error: 'listener' must be"));
  fs::remove_all(dir);
}

TEST(CheckCommand, TheShippedScenariosAreValid) {
  const auto root = bgw::test::repo_root();
  ASSERT_TRUE(root);
  Cli cli({"check", (*root / "scenarios").string()});
  const auto code = cli.wait_exit(30s);
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 0) << cli.drain_stderr();
  EXPECT_THAT(cli.drain_stdout(), testing::MatchesRegex("checked [0-9]+ files: [0-9]+ valid, 0 "
                                                        "invalid \\(0 errors\\)\n"));
}

TEST(CheckCommand, ABrokenFileExitsTwoWithEveryErrorsPosition) {
  const fs::path dir = temp_dir("check_broken");
  std::ofstream(dir / "good.toml") << "[scenario]\nname = \"good\"\ndescription = \"d\"\n"
                                      "[[upstream]]\nname = \"a\"\n";
  fs::create_directories(dir / "sub");
  std::ofstream(dir / "sub" / "broken.toml")
      << "[scenario]\nname = \"broken\"\ndescription = \"d\"\n"
         "[[upstream]]\nname = \"a\"\n[[upstream.fault]]\nfualt = \"reset\"\n"
         "[[step]]\nrepeat = 0\n";
  Cli cli({"check", dir.string()});
  const auto code = cli.wait_exit(30s);
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 2);
  const std::string err = cli.drain_stderr();
  const std::string broken = (dir / "sub" / "broken.toml").string();
  EXPECT_THAT(err, testing::HasSubstr(broken + ":6:1: error: a fault rule needs"));
  EXPECT_THAT(err, testing::HasSubstr(broken + ":7:1: error: unknown key 'fualt'"));
  EXPECT_THAT(err, testing::HasSubstr(broken + ":9:10: error: 'repeat' must be from 1"));
  EXPECT_EQ(cli.drain_stdout(), "checked 2 files: 1 valid, 1 invalid (3 errors)\n");
  fs::remove_all(dir);
}

TEST(ListCommand, ListsNameTagsAndDescription) {
  const auto root = bgw::test::repo_root();
  ASSERT_TRUE(root);
  Cli cli({"list", (*root / "scenarios/examples").string()});
  const auto code = cli.wait_exit(30s);
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 0) << cli.drain_stderr();
  EXPECT_THAT(cli.drain_stdout(),
              testing::ContainsRegex("refused-connect +\\[refuse, gateway-error\\] +The only "
                                     "upstream refuses connections"));
}

}  // namespace
