// Every shipped adapter renders a config the real proxy accepts, for every scenario we ship:
// the proxy's own config check (nginx -t, haproxy -c) runs on each rendered file. A template
// that breaks for one topology (a backup server, retries, passive health) fails here, not in
// the middle of a conformance run.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "harness/proxy/adapter.hpp"
#include "harness/proxy/child_process.hpp"
#include "harness/proxy/config_template.hpp"
#include "harness/proxy/topology_context.hpp"
#include "harness/scenario/discover.hpp"
#include "harness/scenario/load.hpp"
#include "harness/scenario/vocabulary.hpp"
#include "simulator/tls_material.hpp"
#include "unit/scenario/repo_root.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> adapter_names() {
  std::vector<std::string> names;
  const auto root = bgw::test::repo_root();
  if (!root) return names;
  for (const auto& e : fs::directory_iterator(*root / "proxies")) {
    if (e.path().extension() == ".toml") names.push_back(e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class AdapterConfig : public testing::TestWithParam<std::string> {};

// Runs the adapter's config check on `config` in `work`; empty when it accepts it, else why not.
std::string config_check_failure(const bgw::proxy::Adapter& a, const bgw::proxy::TemplateValue& ctx,
                                 const std::string& config, const fs::path& work) {
  std::ofstream(work / a.config_file) << config;
  for (const auto& d : a.directories) fs::create_directories(work / d);
  bgw::proxy::SpawnOptions so;
  for (const auto& arg : a.check_argv)
    so.argv.push_back(bgw::proxy::render_template(arg, ctx, a.path));
  so.workdir = work.string();
  so.stdout_path = (work / "check.out").string();
  so.stderr_path = (work / "check.err").string();
  bgw::proxy::ChildProcess check(so);
  const auto status = check.wait_for(10s);
  if (!status) return "config check did not finish";
  if (status->exited && status->code == 0) return {};
  return status->describe() + ":\n" + slurp(work / "check.err") + slurp(work / "check.out");
}

// Removes a work directory however the test ends (an ASSERT returns early).
struct RemoveAtExit {
  fs::path dir;
  ~RemoveAtExit() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

// One knob per adapter that the proxy accepts, the line it must render to, and the text that
// must come before that line (the block the template documents as the knobs' place).
struct SampleKnob {
  std::string key;
  bgw::scenario::KnobValue value;
  std::string line;
  std::string after;
};

const std::map<std::string, SampleKnob>& sample_knobs() {
  static const std::map<std::string, SampleKnob> knobs{
      {"nginx", {"proxy_buffering", std::string("off"), "proxy_buffering off;", "location / {"}},
      {"haproxy", {"balance", std::string("first"), "balance first", "backend app"}},
      {"apache2",
       {"ProxyPreserveHost", std::string("On"), "ProxyPreserveHost On", "ProxyPass \"/\""}},
      {"caddy",
       {"flush_interval", std::string("250ms"), "flush_interval 250ms", "reverse_proxy {"}},
      {"varnish", {"max_connections", std::int64_t{50}, ".max_connections = 50;", "backend be_"}},
      {"squid", {"forwarded_for", std::string("delete"), "forwarded_for delete", "http_port"}},
      {"lighttpd", {"server.tag", std::string("bgw"), "server.tag = \"bgw\"", "proxy.server"}},
      {"h2o", {"proxy.preserve-host", std::string("ON"), "proxy.preserve-host: ON", "paths:"}},
      {"trafficserver",
       {"proxy.config.http.insert_age_in_response", std::int64_t{0},
        "CONFIG proxy.config.http.insert_age_in_response INT 0", "records.config"}},
      {"tinyproxy", {"MaxClients", std::int64_t{50}, "MaxClients 50", "ReverseOnly"}},
      {"nghttpx", {"server-name", std::string("bgw"), "server-name=bgw", "backend="}},
      {"envoy",
       {"per_connection_buffer_limit_bytes", std::int64_t{65536},
        "per_connection_buffer_limit_bytes: 65536", "clusters:"}},
      {"traefik", {"passHostHeader", false, "passHostHeader: false", "loadBalancer:"}},
  };
  return knobs;
}

TEST_P(AdapterConfig, AnOverrideChangesTheRenderedConfigWhereTheTemplateSays) {
  const auto root = bgw::test::repo_root();
  ASSERT_TRUE(root);
  const auto load = bgw::proxy::load_adapter((*root / "proxies" / (GetParam() + ".toml")).string());
  ASSERT_TRUE(load.ok());
  const bgw::proxy::Adapter& a = *load.adapter;
  const auto sample = sample_knobs().find(a.name);
  ASSERT_NE(sample, sample_knobs().end()) << "no sample knob for the " << a.name << " adapter";
  const auto loaded =
      bgw::scenario::load_scenario(*root / "scenarios/conformance/retries/backup-takes-over.toml");
  ASSERT_TRUE(loaded.ok());
  bgw::scenario::Scenario sc = *loaded.scenario;
  sc.proxy.overrides.push_back(
      {.proxy = a.name, .knobs = {{sample->second.key, sample->second.value, {}}}, .where = {}});
  // A knob for another proxy is not used: it must change nothing here.
  sc.proxy.overrides.push_back({.proxy = a.name == "nginx" ? "haproxy" : "nginx",
                                .knobs = {{"not_for_this_proxy", std::string("x"), {}}},
                                .where = {}});
  EXPECT_TRUE(bgw::proxy::check_overrides(a, sc, slurp(a.config_template)).empty());

  const fs::path work =
      fs::temp_directory_path() / ("bgw-adapter-knob-" + a.name + "-" + std::to_string(::getpid()));
  RemoveAtExit cleanup{work};
  fs::create_directories(work);
  bgw::proxy::Bindings b;
  b.workdir = work.string();
  b.listen_port = 40000;
  std::uint16_t port = 40001;
  for (const auto& u : sc.upstreams) b.upstream_ports[u.name] = port++;
  auto render = [&](const bgw::scenario::Scenario& s) {
    auto ctx = bgw::proxy::make_context(s, b, a.name);
    ctx.set("program", a.program);
    return bgw::proxy::render_template(slurp(a.config_template), ctx, a.config_template);
  };
  const std::string plain = render(*loaded.scenario);
  const std::string config = render(sc);
  const SampleKnob& k = sample->second;
  EXPECT_EQ(plain.find(k.line), std::string::npos) << plain;
  const auto at = config.find(k.line);
  ASSERT_NE(at, std::string::npos) << config;
  const auto block = config.find(k.after);
  ASSERT_NE(block, std::string::npos) << config;
  EXPECT_LT(block, at) << "'" << k.line << "' is not inside '" << k.after << "':\n" << config;
  EXPECT_EQ(config.find("not_for_this_proxy"), std::string::npos);

  const std::string program = bgw::proxy::find_program(a.program);
  if (program.empty()) GTEST_SKIP() << a.program << " is not installed";
  if (a.check_argv.empty()) GTEST_SKIP() << a.name << " declares no config check";
  auto ctx = bgw::proxy::make_context(sc, b, a.name);
  ctx.set("program", program);
  const std::string checked =
      bgw::proxy::render_template(slurp(a.config_template), ctx, a.config_template);
  const std::string failure = config_check_failure(a, ctx, checked, work);
  EXPECT_EQ(failure, "") << a.name << " rejected the config with the override:\n" << checked;
}

// docs/adapters.md's feature table says which adapters declare each feature: it must be what
// the adapter files say, so "what each adapter cannot express" stays true.
TEST(AdapterFeatures, TheDocsTableIsTheAdaptersFeatures) {
  const auto root = bgw::test::repo_root();
  ASSERT_TRUE(root);
  std::map<std::string, std::set<std::string>> declared;  // feature -> adapters
  for (const auto& name : adapter_names()) {
    const auto load = bgw::proxy::load_adapter((*root / "proxies" / (name + ".toml")).string());
    ASSERT_TRUE(load.ok()) << name;
    for (const auto& f : load.adapter->features) declared[f].insert(load.adapter->name);
  }
  const std::string doc = slurp(*root / "docs/adapters.md");
  // | `feature` | a, b (note), c | why not |
  const std::regex row(R"(\n\| `([a-z_]+)` \| ([^|]*) \|)");
  int rows = 0;
  for (std::sregex_iterator it(doc.begin(), doc.end(), row), end; it != end; ++it) {
    const std::string feature = (*it)[1];
    if (std::find(bgw::scenario::known_features().begin(), bgw::scenario::known_features().end(),
                  feature) == bgw::scenario::known_features().end())
      continue;
    ++rows;
    const std::string names =
        std::regex_replace(std::string((*it)[2]), std::regex(R"(\([^)]*\))"), "");
    std::set<std::string> documented;
    const std::regex word("[a-z0-9]+");
    for (std::sregex_iterator n(names.begin(), names.end(), word), e; n != e; ++n)
      documented.insert(n->str());
    EXPECT_EQ(documented, declared[feature])
        << "the row for `" << feature << "` in docs/adapters.md";
  }
  EXPECT_GE(rows, 7);
}

// The [proxy] example of docs/scenario-format.md: its overrides really change nginx's and
// HAProxy's configs, and both proxies accept the result.
TEST(AdapterOverrides, TheDocsExampleChangesNginxAndHaproxy) {
  const auto root = bgw::test::repo_root();
  ASSERT_TRUE(root);
  const std::string doc = slurp(*root / "docs/scenario-format.md");
  const auto start = doc.find("[scenario]\nname = \"doc-proxy\"");
  ASSERT_NE(start, std::string::npos);
  const auto end = doc.find("```", start);
  const auto loaded =
      bgw::scenario::load_scenario_text(doc.substr(start, end - start), "doc-proxy.toml");
  ASSERT_TRUE(loaded.ok());
  const std::map<std::string, std::vector<std::string>> expected{
      {"nginx", {"proxy_buffering off;", "proxy_next_upstream_tries 3;"}},
      {"haproxy", {"option forwardfor", "option http-no-delay"}}};
  for (const auto& [name, lines] : expected) {
    const auto load = bgw::proxy::load_adapter((*root / "proxies" / (name + ".toml")).string());
    ASSERT_TRUE(load.ok());
    const bgw::proxy::Adapter& a = *load.adapter;
    EXPECT_TRUE(bgw::proxy::check_overrides(a, *loaded.scenario, slurp(a.config_template)).empty());
    const fs::path work =
        fs::temp_directory_path() / ("bgw-doc-knobs-" + name + "-" + std::to_string(::getpid()));
    RemoveAtExit cleanup{work};
    fs::create_directories(work);
    bgw::proxy::Bindings b;
    b.workdir = work.string();
    b.listen_port = 40000;
    b.upstream_ports = {{"a", 40001}, {"b", 40002}, {"c", 40003}};
    auto ctx = bgw::proxy::make_context(*loaded.scenario, b, a.name);
    const std::string program = bgw::proxy::find_program(a.program);
    ctx.set("program", program.empty() ? a.program : program);
    const std::string config =
        bgw::proxy::render_template(slurp(a.config_template), ctx, a.config_template);
    for (const auto& line : lines) EXPECT_THAT(config, testing::HasSubstr(line)) << name;
    if (!program.empty()) {
      EXPECT_EQ(config_check_failure(a, ctx, config, work), "") << config;
    }
  }
}

TEST(AdapterOverrides, AKnobTheTemplateCannotPlaceIsADiagnosticNamingTheAdapter) {
  const auto root = bgw::test::repo_root();
  ASSERT_TRUE(root);
  const auto load = bgw::proxy::load_adapter((*root / "proxies/nginx.toml").string());
  ASSERT_TRUE(load.ok());
  bgw::proxy::Adapter a = *load.adapter;
  const auto loaded = bgw::scenario::load_scenario_text(R"([scenario]
name = "t"
description = "d"
[[upstream]]
name = "a"
[proxy.override.nginx]
proxy_buffering = "off"
"Proxy Buffering" = "off"
[proxy.override.haproxy]
"Not A Haproxy Key" = 1
)",
                                                        "knobs.toml");
  ASSERT_TRUE(loaded.ok());
  const std::string tpl = slurp(a.config_template);
  auto diags = bgw::proxy::check_overrides(a, *loaded.scenario, tpl);
  ASSERT_EQ(diags.size(), 1u);  // haproxy's knob is not nginx's business
  EXPECT_THAT(diags[0].to_string(),
              testing::HasSubstr("knobs.toml:8:1: error: the nginx adapter cannot place the knob "
                                 "'Proxy Buffering'"));

  // A template with no {{#overrides}} section places nothing: every knob for it is reported.
  diags = bgw::proxy::check_overrides(a, *loaded.scenario, "listen {{listen.port}}\n");
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_THAT(diags[0].to_string(), testing::HasSubstr("knobs.toml:6:"));
  EXPECT_THAT(diags[0].to_string(), testing::HasSubstr("the nginx adapter"));
  EXPECT_THAT(diags[0].to_string(), testing::HasSubstr("no {{#overrides}} section"));
}

TEST(AdapterOverrides, ArraysRepeatTheirKeyAndBooleansCarryAFlag) {
  const auto loaded = bgw::scenario::load_scenario_text(R"([scenario]
name = "t"
description = "d"
[[upstream]]
name = "a"
[proxy.override.haproxy]
option = ["redispatch", "forwardfor"]
enabled = true
ratio = 0.5
)",
                                                        "arrays.toml");
  ASSERT_TRUE(loaded.ok());
  const auto ctx = bgw::proxy::make_context(*loaded.scenario, {}, "haproxy");
  const std::string out = bgw::proxy::render_template(
      "{{#overrides}}{{key}}={{value}}{{#is_bool}}{{#flag}}!{{/flag}}{{/is_bool}}"
      "{{#is_float}}~{{/is_float}};{{/overrides}}",
      ctx);
  EXPECT_EQ(out, "option=redispatch;option=forwardfor;enabled=true!;ratio=0.5~;");
  EXPECT_EQ(bgw::proxy::render_template("{{knobs.ratio}}", ctx), "0.5");
  // Another proxy sees none of them.
  const auto other = bgw::proxy::make_context(*loaded.scenario, {}, "nginx");
  EXPECT_EQ(bgw::proxy::render_template("{{^has_overrides}}none{{/has_overrides}}", other), "none");
}

TEST_P(AdapterConfig, LoadsWithoutDiagnostics) {
  const auto root = bgw::test::repo_root();
  ASSERT_TRUE(root);
  const auto load = bgw::proxy::load_adapter((*root / "proxies" / (GetParam() + ".toml")).string());
  std::string diags;
  for (const auto& d : load.diagnostics) diags += d.to_string() + "\n";
  EXPECT_TRUE(load.ok()) << diags;
}

TEST_P(AdapterConfig, RendersAConfigTheProxyAcceptsForEveryShippedScenario) {
  const auto root = bgw::test::repo_root();
  ASSERT_TRUE(root);
  const auto load = bgw::proxy::load_adapter((*root / "proxies" / (GetParam() + ".toml")).string());
  ASSERT_TRUE(load.ok());
  const bgw::proxy::Adapter& a = *load.adapter;
  const std::string program = bgw::proxy::find_program(a.program);
  if (program.empty()) GTEST_SKIP() << a.program << " is not installed";
  if (a.check_argv.empty()) GTEST_SKIP() << a.name << " declares no config check";

  const auto files = bgw::scenario::find_scenario_files({*root / "scenarios"});
  ASSERT_FALSE(files.files.empty());
  const fs::path work =
      fs::temp_directory_path() / ("bgw-adapter-" + a.name + "-" + std::to_string(::getpid()));
  RemoveAtExit cleanup{work};
  // Many scenarios render the same config (the topology is what differs, and often it does
  // not): check each distinct one once. varnishd -C compiles VCL to C each time (~0.4 s).
  std::set<std::string> checked;
  for (const auto& file : files.files) {
    const auto loaded = bgw::scenario::load_scenario(file);
    ASSERT_TRUE(loaded.ok()) << file;
    const auto& sc = *loaded.scenario;
    fs::remove_all(work);
    fs::create_directories(work);
    bgw::proxy::Bindings b;
    b.workdir = work.string();
    b.listen_port = 40000;
    std::uint16_t port = 40001;
    for (const auto& u : sc.upstreams) {
      b.upstream_ports[u.name] = port++;
      if (u.spec.tls && b.upstream_ca.empty()) {
        // As launch_proxy does: the run CA beside the config, for {{upstream_ca}}.
        const auto ca = bgw::sim::write_run_ca(work);
        b.upstream_ca = ca.ca.string();
        b.upstream_ca_chain = ca.chain.string();
      }
    }
    auto ctx = bgw::proxy::make_context(sc, b, a.name);
    ctx.set("program", program);
    const std::string config =
        bgw::proxy::render_template(slurp(a.config_template), ctx, a.config_template);
    if (!checked.insert(config).second) continue;
    EXPECT_EQ(config_check_failure(a, ctx, config, work), "")
        << a.name << " rejected the config for " << file << "\n--- config ---\n"
        << config;
  }
}

INSTANTIATE_TEST_SUITE_P(Shipped, AdapterConfig, testing::ValuesIn(adapter_names()),
                         [](const testing::TestParamInfo<std::string>& i) { return i.param; });

}  // namespace
