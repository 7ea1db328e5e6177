// `badgateway matrix` end to end: the real proxies that are installed (nginx, haproxy), the
// reference mini proxy, an unverified adapter and one whose program is missing, on a small
// scenario set in two directories. Checks the three files, the cells, the skipped columns and
// the exit codes; the HTML in a real browser is matrix_browser_test.cpp.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "harness/matrix/html_writer.hpp"
#include "harness/proxy/child_process.hpp"
#include "harness/proxy/readiness.hpp"
#include "support/await_event.hpp"
#include "support/test_files.hpp"
#include "unit/scenario/repo_root.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::HasSubstr;
using testing::Not;

fs::path temp_dir(const std::string& what) {
  return bgw::test::fresh_temp_dir("matrix-" + what);
}

std::string read(const fs::path& p) {
  return bgw::test::read_file(p);
}

// The mini proxy's adapter with the built binary filled in; `name`, `program` and `verified`
// make the variants (an unverified adapter, one whose program is not installed).
fs::path mini_adapter(const fs::path& dir, const std::string& name, const std::string& program,
                      bool verified) {
  const auto root = bgw::test::repo_root();
  std::string text = read(*root / "tests/support/mini_proxy/mini.toml.in");
  text = std::regex_replace(text, std::regex("@PROGRAM@"), program);
  text = std::regex_replace(text, std::regex("@TEMPLATE@"),
                            (*root / "tests/support/mini_proxy/mini.conf.in").string());
  text = std::regex_replace(text, std::regex("name = \"mini\""), "name = \"" + name + "\"");
  if (!verified)
    text = std::regex_replace(text, std::regex("\nfeatures = "), "\nverified = false\nfeatures = ");
  const fs::path path = dir / (name + ".toml");
  std::ofstream(path) << text;
  return path;
}

struct CliRun {
  bgw::proxy::ExitStatus status;
  std::string out;
  std::string err;
};

// Run the CLI, bounded: a hung matrix is a test failure, never a hung test.
CliRun run_cli(const std::vector<std::string>& args, const fs::path& dir,
               std::chrono::milliseconds deadline = 50s) {
  std::vector<std::string> argv{BGW_CLI_EXE};
  argv.insert(argv.end(), args.begin(), args.end());
  bgw::proxy::ChildProcess cli({.argv = argv,
                                .stdout_path = (dir / "cli.out").string(),
                                .stderr_path = (dir / "cli.err").string()});
  auto status = cli.wait_for(deadline);
  if (!status) {
    ADD_FAILURE() << "badgateway matrix did not finish within " << deadline.count() << " ms";
    status = cli.stop(1s);
  }
  return {*status, read(dir / "cli.out"), read(dir / "cli.err")};
}

// The scenario set: two directories (two row groups), one scenario where proxies differ on a
// SHOULD, one that nginx fails as a known deviation, one whose upstream sends markup and NUL.
void write_scenarios(const fs::path& dir) {
  fs::create_directories(dir / "basic");
  fs::create_directories(dir / "hostile");
  const std::string head = "[proxy]\ntimeouts = { connect = \"500ms\", read = \"1s\" }\n\n";
  std::ofstream(dir / "basic" / "refused.toml")
      << "[scenario]\nname = \"t-mx-refused\"\ndescription = \"refused: a gateway error\"\n"
         "spec = [\"RFC 9110 \xc2\xa7"
         "15.6.3\"]\n\n[[upstream]]\nname = \"a\"\n"
         "listener = \"refuse\"\n\n"
      << head
      << "[[step]]\nrequest = { target = \"/\" }\n[[step.expect]]\nseverity = \"must\"\n"
         "status = \"5xx\"\nwithin = \"1s\"\n[[step.expect]]\nseverity = \"should\"\n"
         "status = 502\n";
  std::ofstream(dir / "basic" / "no_colon.toml")
      << "[scenario]\nname = \"t-mx-header-no-colon\"\ndescription = \"a header line without "
         "a colon\"\n\n[[upstream]]\nname = \"a\"\n[[upstream.fault]]\nfault = "
         "\"header_no_colon\"\n\n"
      << head
      << "[[step]]\nrequest = { target = \"/\" }\n[[step.expect]]\nseverity = \"must\"\n"
         "status = 502\n";
  const std::string body =
      "<script>console.log('pwned-body')</script>\"'<img src=x onerror=console.log(1)>";
  const std::string nul_body = body + std::string(1, '\0') + "end";
  const std::string body_toml = std::regex_replace(body, std::regex("\""), "\\\"");
  std::ofstream(dir / "hostile" / "markup.toml")
      << "[scenario]\nname = \"t-mx-hostile\"\ndescription = \"</th><script>console.log("
         "'pwned-desc')</script>\"\n\n[[upstream]]\nname = \"a\"\n[[upstream.fault]]\nsteps = [\n"
         "  { read = \"head\" },\n  { write = \"HTTP/1.1 200 OK\\r\\nContent-Length: "
      << nul_body.size() << "\\r\\nConnection: close\\r\\n\\r\\n"
      << body_toml << "\\u0000end\" },\n  { close = true },\n]\n\n"
      << head
      << "[[step]]\nrequest = { target = \"/\" }\n[[step.expect]]\nseverity = \"must\"\n"
         "status = 200\n";
}

// The cell kind of (scenario, proxy) in the HTML.
std::string html_cell(const std::string& html, const std::string& scenario,
                      const std::string& proxy) {
  const std::regex re("data-cell=\"([a-z]+)\"><details class=\"obs\" id=\"" +
                      bgw::matrix::cell_id(scenario, proxy) + "\"");
  std::smatch m;
  return std::regex_search(html, m, re) ? m[1].str() : "(no cell)";
}

// The cell kind of (scenario, proxy) in the JSON: the scenario's object, then the proxy's cell.
std::string json_cell(const std::string& json, const std::string& scenario,
                      const std::string& proxy) {
  const auto start = json.find("{\"name\":\"" + scenario + "\"");
  if (start == std::string::npos) return "(no scenario)";
  const auto end = json.find("\n{\"name\":", start + 1);
  const std::string part = json.substr(start, end == std::string::npos ? end : end - start);
  std::smatch m;
  if (!std::regex_search(part, m, std::regex("\"" + proxy + "\":\\{\"cell\":\"([a-z]+)\"")))
    return "(no cell)";
  return m[1].str();
}

// The Markdown table's row for `scenario`, split into its cells.
std::vector<std::string> markdown_row(const std::string& md, const std::string& scenario) {
  std::istringstream in(md);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with("| " + scenario + " |")) continue;
    std::vector<std::string> cells;
    std::size_t pos = 1;
    for (auto bar = line.find(" |", pos); bar != std::string::npos; bar = line.find(" |", pos)) {
      cells.push_back(line.substr(pos + 1, bar - pos - 1));
      pos = bar + 2;
    }
    return cells;
  }
  return {};
}

TEST(MatrixCli, RealProxiesTheMiniProxyAndSkippedColumns) {
  const auto root = bgw::test::repo_root();
  ASSERT_TRUE(root);
  // The cells below are the measured behaviour of nginx and haproxy (CI installs both). Without
  // one of them there is nothing to compare: say so, rather than expect a column of skips.
  for (const char* proxy : {"nginx", "haproxy"}) {
    if (bgw::proxy::find_program(proxy).empty())
      GTEST_SKIP() << proxy << " is not installed; this test compares the real proxies' cells";
  }
  const fs::path dir = temp_dir("cli");
  write_scenarios(dir / "scenarios");
  const auto mini = mini_adapter(dir, "mini", BGW_MINI_PROXY_EXE, true);
  const auto unverified = mini_adapter(dir, "unverified", BGW_MINI_PROXY_EXE, false);
  const auto absent = mini_adapter(dir, "absent", "bgw-no-such-proxy-anywhere", true);
  // The shipped adapters by path: a build directory outside the source tree has no proxies/
  // above the binary for a bare name to resolve to.
  const std::string shipped =
      (*root / "proxies/nginx.toml").string() + "," + (*root / "proxies/haproxy.toml").string();
  const auto run = run_cli(
      {"matrix", "--proxies",
       shipped + "," + mini.string() + "," + unverified.string() + "," + absent.string(), "-j", "2",
       "--runs-dir", (dir / "runs").string(), "--html", (dir / "m.html").string(), "--markdown",
       (dir / "m.md").string(), "--json", (dir / "m.json").string(), (dir / "scenarios").string()},
      dir);
  ASSERT_TRUE(run.status.exited && run.status.code == 0) << run.status.describe() << "\n"
                                                         << run.err;

  struct Expect {
    std::string scenario, proxy, cell;
  };
  const std::vector<Expect> expected{
      {"t-mx-refused", "nginx", "pass"},
      {"t-mx-refused", "haproxy", "should"},  // 503, where 502 SHOULD be
      {"t-mx-refused", "mini", "pass"},
      {"t-mx-header-no-colon", "nginx", "xfail"},  // a known nginx deviation
      {"t-mx-header-no-colon", "haproxy", "pass"},
      {"t-mx-header-no-colon", "mini", "pass"},
      {"t-mx-hostile", "nginx", "pass"},
      {"t-mx-hostile", "haproxy", "pass"},
      {"t-mx-hostile", "mini", "pass"},
      {"t-mx-refused", "unverified", "skip"},
      {"t-mx-hostile", "absent", "skip"},
  };
  const std::string html = read(dir / "m.html");
  const std::string json = read(dir / "m.json");
  const std::string md = read(dir / "m.md");
  const std::vector<std::string> columns{"nginx", "haproxy", "mini", "unverified", "absent"};
  for (const auto& e : expected) {
    EXPECT_EQ(html_cell(html, e.scenario, e.proxy), e.cell)
        << e.scenario << " on " << e.proxy << " (HTML)\n"
        << run.err;
    EXPECT_EQ(json_cell(json, e.scenario, e.proxy), e.cell) << e.scenario << " on " << e.proxy;
    const auto row = markdown_row(md, e.scenario);
    const auto col = std::find(columns.begin(), columns.end(), e.proxy) - columns.begin();
    ASSERT_EQ(row.size(), columns.size() + 1) << md;
    EXPECT_THAT(row[static_cast<std::size_t>(col) + 1], HasSubstr(e.cell))
        << e.scenario << " on " << e.proxy << " (Markdown)";
  }

  // Skipped columns say why; the running ones carry their version.
  EXPECT_THAT(html, HasSubstr("skipped: the adapter is not verified on this machine"));
  EXPECT_THAT(html, HasSubstr("skipped: bgw-no-such-proxy-anywhere is not installed"));
  EXPECT_THAT(json, HasSubstr("\"name\":\"absent\",\"version\":\"\""));
  EXPECT_THAT(html, testing::ContainsRegex("nginx<span class=\"version\">[0-9.]+<"));
  // Row groups from the directories; the spec reference; the xfail's reason and link.
  EXPECT_THAT(html, HasSubstr("scope=\"rowgroup\">basic</th>"));
  EXPECT_THAT(html, HasSubstr("scope=\"rowgroup\">hostile</th>"));
  EXPECT_THAT(html, HasSubstr("RFC 9110 \xc2\xa7"
                              "15.6.3"));
  EXPECT_THAT(html, HasSubstr("ngx_http_parse_header_line accepts a header line"));
  EXPECT_THAT(md, HasSubstr("Known deviations:"));
  // The hostile upstream's bytes and the hostile description are text, not markup.
  EXPECT_EQ(std::count(html.begin(), html.end(), '\0'), 0);
  EXPECT_THAT(html, Not(HasSubstr("<script>console.log(")));
  EXPECT_THAT(html, Not(HasSubstr("<img")));
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;console.log(&#39;pwned-body&#39;)&lt;/script&gt;"));
  EXPECT_THAT(html, HasSubstr("onerror=console.log(1)&gt;\\0end"));
  EXPECT_THAT(html, HasSubstr("&lt;/th&gt;&lt;script&gt;console.log(&#39;pwned-desc&#39;)"));
  EXPECT_THAT(json, HasSubstr("onerror=console.log(1)>\\u0000end"));
  EXPECT_THAT(json, testing::StartsWith("{\"schema\":\"badgateway.matrix/1\""));
  // Progress on stderr: per proxy, per scenario.
  EXPECT_THAT(run.err, HasSubstr("badgateway matrix: 3 scenarios x 5 proxies, -j 2"));
  EXPECT_THAT(run.err, testing::ContainsRegex("\\[mini [123]/3\\] pass"));
  EXPECT_THAT(run.err, HasSubstr("unverified: skip (the adapter is not verified"));
  EXPECT_THAT(run.err, HasSubstr("wrote HTML"));
  fs::remove_all(dir);
}

TEST(MatrixCli, WithoutOutputFilesTheTableGoesToStdout) {
  ASSERT_TRUE(bgw::test::repo_root());
  const fs::path dir = temp_dir("stdout");
  write_scenarios(dir / "scenarios");
  const auto mini = mini_adapter(dir, "mini", BGW_MINI_PROXY_EXE, true);
  const auto run = run_cli({"matrix", "--proxies", mini.string(), "--filter", "t-mx-refused",
                            "--runs-dir", (dir / "runs").string(), (dir / "scenarios").string()},
                           dir);
  ASSERT_TRUE(run.status.exited && run.status.code == 0) << run.status.describe() << run.err;
  EXPECT_THAT(run.out, HasSubstr("| scenario | mini |"));
  EXPECT_THAT(run.out, HasSubstr("| t-mx-refused | \u2713 pass |"));
  EXPECT_THAT(run.out, Not(HasSubstr("t-mx-hostile")));  // filtered out
  fs::remove_all(dir);
}

// Ctrl-C in the middle of a proxy's column: badgateway stops the proxy, starts nothing new,
// still writes what ran (marked interrupted) and exits 130.
TEST(MatrixCli, CtrlCWritesThePartialMatrixAndExits130) {
  ASSERT_TRUE(bgw::test::repo_root());
  const fs::path dir = temp_dir("sigint");
  const auto mini = mini_adapter(dir, "mini", BGW_MINI_PROXY_EXE, true);
  fs::create_directories(dir / "scenarios");
  for (const std::string name : {"t-mx-stall-a", "t-mx-stall-b"}) {
    std::ofstream(dir / "scenarios" / (name + ".toml"))
        << "[scenario]\nname = \"" << name
        << "\"\ndescription = \"stalls\"\n\n[[upstream]]\nname = \"a\"\n[[upstream.fault]]\n"
           "fault = \"stall_before_headers\"\nparams = { duration = \"20s\" }\n\n[proxy]\n"
           "timeouts = { connect = \"500ms\", read = \"30s\" }\n\n[[step]]\nrequest = { target "
           "= \"/\" }\n[[step.expect]]\nseverity = \"must\"\nstatus = 504\n";
  }
  bgw::proxy::ChildProcess cli({.argv = {BGW_CLI_EXE, "matrix", "--proxies", mini.string(), "-j",
                                         "1", "--runs-dir", (dir / "runs").string(), "--json",
                                         (dir / "m.json").string(), (dir / "scenarios").string()},
                                .stdout_path = (dir / "cli.out").string(),
                                .stderr_path = (dir / "cli.err").string()});
  // Wait (inotify on the runs tree, bounded; badgateway's exit ends it early) until the first
  // scenario's mini proxy printed "ready", which it does once it listens; its port is in its
  // config next to it. The scenario then sits in its 20 s stall.
  const auto ready = bgw::test::await_file(
      dir / "runs",
      [](const fs::path& p) {
        return p.filename() == "proxy.stdout.log" && read(p).find("ready\n") != std::string::npos;
      },
      20s, cli.pidfd());
  ASSERT_FALSE(cli.poll().has_value()) << "badgateway exited early\n" << read(dir / "cli.err");
  ASSERT_TRUE(ready) << "the first scenario's proxy never came up\n" << read(dir / "cli.err");
  std::uint16_t port = 0;
  std::smatch m;
  const std::string conf = read(ready->parent_path() / "mini.conf");
  std::string host;
  if (std::regex_search(conf, m, std::regex("listen = (127\\.[0-9.]+):([0-9]+)"))) {
    host = m[1].str();  // the run's own address (docs/architecture.md, Isolation)
    port = static_cast<std::uint16_t>(std::stoi(m[2].str()));
  }
  ASSERT_TRUE(port && bgw::proxy::tcp_connects(host, port, 1s)) << conf;
  ::kill(cli.pid(), SIGINT);
  const auto status = cli.wait_for(15s);
  ASSERT_TRUE(status.has_value()) << "badgateway did not exit after SIGINT";
  EXPECT_TRUE(status->exited && status->code == 130) << status->describe() << "\n"
                                                     << read(dir / "cli.err");
  const std::string json = read(dir / "m.json");
  EXPECT_THAT(json, HasSubstr("\"interrupted\":true"));
  EXPECT_EQ(json_cell(json, "t-mx-stall-b", "mini"), "skip");
  EXPECT_THAT(json, HasSubstr("not run: interrupted"));
  // The scenario that was running is a skip too, with its evidence; its proxy is gone.
  EXPECT_EQ(json_cell(json, "t-mx-stall-a", "mini"), "skip");
  EXPECT_THAT(json, HasSubstr("interrupted while running"));
  EXPECT_FALSE(bgw::proxy::tcp_connects(host, port, 200ms)) << "port " << port << " still accepts";
  fs::remove_all(dir);
}

TEST(MatrixCli, UsageAndScenarioErrorsExit2BeforeAnythingRuns) {
  ASSERT_TRUE(bgw::test::repo_root());
  const fs::path dir = temp_dir("usage");
  write_scenarios(dir / "scenarios");
  std::ofstream(dir / "broken.toml") << "[scenario]\nname = \"x\"\nnope = 1\n";
  const std::string scen = (dir / "scenarios").string();
  const std::vector<std::vector<std::string>> cases{
      {"matrix"},
      {"matrix", "--no-such-option", scen},
      {"matrix", "-j", "0", scen},
      {"matrix", "--proxies", "no-such-proxy", scen},
      {"matrix", "--proxies", ",", scen},
      {"matrix", "--html", (dir / "no-such-dir" / "m.html").string(), scen},
      {"matrix", (dir / "broken.toml").string()},
      {"matrix", "--filter", "nothing-matches-*", scen},
  };
  for (const auto& args : cases) {
    const auto run = run_cli(args, dir, 20s);
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    EXPECT_TRUE(run.status.exited && run.status.code == 2)
        << joined << ": " << run.status.describe() << "\n"
        << run.err;
  }
  const auto help = run_cli({"matrix", "--help"}, dir, 20s);
  EXPECT_TRUE(help.status.exited && help.status.code == 0);
  EXPECT_THAT(help.out, HasSubstr("Usage: badgateway matrix"));
  fs::remove_all(dir);
}

}  // namespace
