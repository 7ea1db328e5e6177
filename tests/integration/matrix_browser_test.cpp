// The matrix's HTML in a real browser (headless Chromium, Debian's /usr/bin/chromium): the page
// runs without a console message, an uncaught exception or a Content-Security-Policy violation;
// its script ran; the cells are in the DOM; a hostile proxy's bytes stayed text; and a
// #cell-... fragment opens that cell. Skipped, with the reason, where Chromium is not installed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "harness/matrix/html_writer.hpp"
#include "harness/proxy/child_process.hpp"
#include "support/test_files.hpp"
#include "unit/scenario/repo_root.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using namespace std::string_literals;
using testing::HasSubstr;
using testing::Not;

fs::path temp_dir(const std::string& what) {
  return bgw::test::fresh_temp_dir("matrix-browser-" + what);
}

std::string read(const fs::path& p) {
  return bgw::test::read_file(p);
}

std::string chromium() {
  for (const char* name : {"/usr/bin/chromium", "chromium", "chromium-browser"}) {
    if (auto p = bgw::proxy::find_program(name); !p.empty()) return p;
  }
  return {};
}

struct Page {
  std::string dom;                   ///< the DOM after the page's scripts ran
  std::vector<std::string> console;  ///< console messages, exceptions, CSP violations
  std::string log;                   ///< all of the browser's stderr, for failure messages
};

// Load `html` (plus `fragment`) in headless Chromium with a fresh profile and no network, dump
// the DOM. Bounded: on timeout the browser's whole process group is killed.
Page load(const fs::path& html, const std::string& fragment, const fs::path& work) {
  const fs::path profile = work / ("profile" + fragment.substr(fragment.empty() ? 0 : 1));
  fs::create_directories(profile);
  bgw::proxy::ChildProcess browser(
      {.argv = {chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile.string(), "--enable-logging=stderr",
                "--v=0", "--dump-dom", "file://" + fs::absolute(html).string() + fragment},
       .stdout_path = (work / "dom.html").string(),
       .stderr_path = (work / "browser.log").string()});
  const auto status = browser.wait_for(45s);
  if (!status) {
    browser.stop(500ms);
    ADD_FAILURE() << "chromium did not finish within 45 s\n" << read(work / "browser.log");
    return {};
  }
  Page page;
  page.dom = read(work / "dom.html");
  page.log = read(work / "browser.log");
  std::istringstream lines(page.log);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.find("CONSOLE") != std::string::npos) page.console.push_back(line);
  }
  EXPECT_TRUE(status->exited && status->code == 0) << status->describe() << "\n" << page.log;
  return page;
}

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + 1))
    ++n;
  return n;
}

// A matrix whose every field holds something hostile, rendered by the library.
bgw::matrix::Matrix hostile_matrix() {
  const std::string evil =
      "</pre></details></td><script>console.log('pwned')</script><img src=x "
      "onerror=console.log('img')><svg onload=console.log('svg')>\"'\0\xff\xc0\xbc"s;
  bgw::matrix::Matrix m;
  m.generated = std::chrono::system_clock::now();
  m.command_line = "badgateway matrix " + evil;
  m.rows = {
      {.name = "t-one", .file = "s/a/one.toml", .group = "a", .description = evil, .spec = {evil}},
      {.name = "t-two", .file = "s/b/two.toml", .group = "b"}};
  bgw::matrix::ProxyColumn p{.name = "alpha", .version = evil};
  bgw::run::ScenarioResult r;
  r.name = "t-one";
  r.verdict = bgw::run::Verdict::fail;
  r.reason = evil;
  r.checks.push_back({.kind = "status",
                      .subject = evil,
                      .passed = false,
                      .expected = "502",
                      .observed = evil,
                      .why = evil});
  bgw::run::Exchange x;
  x.request_bytes = evil;
  x.observation.connected = true;
  x.observation.received = "HTTP/1.1 200 OK\r\n\r\n" + evil;
  x.observation.status_line = evil;
  r.exchanges.push_back(x);
  r.upstream_journal = evil;
  r.proxy_log_tail = evil;
  p.results.push_back(r);
  bgw::run::ScenarioResult ok;
  ok.name = "t-two";
  ok.verdict = bgw::run::Verdict::xfail;
  ok.checks.push_back({.kind = "status",
                       .passed = false,
                       .deviation = bgw::proxy::Deviation{
                           .actual = evil, .reason = evil, .link = "javascript:console.log('l')"}});
  p.results.push_back(ok);
  m.columns = {p};
  return m;
}

TEST(MatrixBrowser, HostileBytesStayTextAndThePageRunsClean) {
  if (chromium().empty()) GTEST_SKIP() << "chromium is not installed (apt-get install chromium)";
  const fs::path dir = temp_dir("hostile");
  {
    std::ofstream out(dir / "m.html", std::ios::binary);
    bgw::matrix::write_html(hostile_matrix(), out);
  }
  const Page page = load(dir / "m.html", "", dir);
  EXPECT_THAT(page.console, testing::IsEmpty()) << page.log;
  EXPECT_THAT(page.dom, HasSubstr("<html lang=\"en\" class=\"js\">")) << "the script did not run";
  // The DOM holds our one script and nothing the data tried to add.
  EXPECT_EQ(count(page.dom, "<script"), 1u);
  EXPECT_EQ(count(page.dom, "<img"), 0u);
  EXPECT_EQ(count(page.dom, "<svg"), 0u);
  EXPECT_THAT(page.dom, Not(HasSubstr("href=\"javascript")));
  EXPECT_THAT(page.dom, HasSubstr("&lt;script&gt;console.log('pwned')&lt;/script&gt;"));
  // Both cells are there, with their kinds; the table has its two rows.
  EXPECT_THAT(page.dom,
              HasSubstr("data-cell=\"fail\"><details class=\"obs\" id=\"cell-t-one--alpha\">"));
  EXPECT_THAT(page.dom,
              HasSubstr("data-cell=\"xfail\"><details class=\"obs\" id=\"cell-t-two--alpha\">"));
  EXPECT_EQ(count(page.dom, "<tr class=\"scenario\""), 2u);
  fs::remove_all(dir);
}

TEST(MatrixBrowser, AFragmentOpensThatCell) {
  if (chromium().empty()) GTEST_SKIP() << "chromium is not installed (apt-get install chromium)";
  const fs::path dir = temp_dir("fragment");
  {
    std::ofstream out(dir / "m.html", std::ios::binary);
    bgw::matrix::write_html(hostile_matrix(), out);
  }
  const Page page = load(dir / "m.html", "#" + bgw::matrix::cell_id("t-two", "alpha"), dir);
  EXPECT_THAT(page.console, testing::IsEmpty()) << page.log;
  EXPECT_THAT(page.dom, HasSubstr("id=\"cell-t-two--alpha\" open=\"\""));
  EXPECT_THAT(page.dom, Not(HasSubstr("id=\"cell-t-one--alpha\" open")));
  fs::remove_all(dir);
}

// The CLI's own output, from a real run against the mini proxy whose upstream sends markup.
TEST(MatrixBrowser, TheCommandsReportFromARealRunLoadsClean) {
  if (chromium().empty()) GTEST_SKIP() << "chromium is not installed (apt-get install chromium)";
  const auto root = bgw::test::repo_root();
  ASSERT_TRUE(root);
  const fs::path dir = temp_dir("cli");
  std::string adapter = read(*root / "tests/support/mini_proxy/mini.toml.in");
  adapter = std::regex_replace(adapter, std::regex("@PROGRAM@"), BGW_MINI_PROXY_EXE);
  adapter = std::regex_replace(adapter, std::regex("@TEMPLATE@"),
                               (*root / "tests/support/mini_proxy/mini.conf.in").string());
  std::ofstream(dir / "mini.toml") << adapter;
  const std::string body = "<script>console.log('pwned')</script><img src=x onerror=alert(1)>";
  std::ofstream(dir / "hostile.toml")
      << "[scenario]\nname = \"t-browser-hostile\"\ndescription = \"<b>markup</b>\"\n\n"
         "[[upstream]]\nname = \"a\"\n[[upstream.fault]]\nsteps = [\n  { read = \"head\" },\n"
         "  { write = \"HTTP/1.1 502 <script>x</script>\\r\\nContent-Length: "
      << body.size() << "\\r\\nConnection: close\\r\\n\\r\\n"
      << body
      << "\" },\n  { close = true },\n]\n\n[proxy]\ntimeouts = { connect = \"500ms\", read = "
         "\"1s\" }\n\n[[step]]\nrequest = { target = \"/\" }\n[[step.expect]]\nseverity = "
         "\"must\"\nstatus = 200\n";
  bgw::proxy::ChildProcess cli(
      {.argv = {BGW_CLI_EXE, "matrix", "--proxies", (dir / "mini.toml").string(), "--runs-dir",
                (dir / "runs").string(), "--html", (dir / "m.html").string(),
                (dir / "hostile.toml").string()},
       .stdout_path = (dir / "cli.out").string(),
       .stderr_path = (dir / "cli.err").string()});
  auto status = cli.wait_for(30s);
  if (!status) status = cli.stop(1s);
  ASSERT_TRUE(status->exited && status->code == 0) << status->describe() << "\n"
                                                   << read(dir / "cli.err");
  const Page page = load(dir / "m.html", "", dir);
  EXPECT_THAT(page.console, testing::IsEmpty()) << page.log;
  EXPECT_THAT(page.dom, HasSubstr("class=\"js\""));
  EXPECT_EQ(count(page.dom, "<script"), 1u);
  EXPECT_EQ(count(page.dom, "<img"), 0u);
  // The proxy relayed a 502 where the scenario demands 200: a MUST violation, with the bytes.
  EXPECT_THAT(page.dom, HasSubstr("data-cell=\"fail\"><details class=\"obs\" "
                                  "id=\"cell-t-browser-hostile--mini\">"));
  EXPECT_THAT(page.dom, HasSubstr("&lt;img src=x onerror=alert(1)&gt;"));
  fs::remove_all(dir);
}

}  // namespace
