#include "proxy_under_test.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include "harness/proxy/adapter.hpp"
#include "harness/proxy/child_process.hpp"
#include "harness/proxy/loopback_lease.hpp"
#include "harness/proxy/proxy_launch.hpp"
#include "harness/scenario/scenario.hpp"
#include "testing/fake_upstreams.hpp"

namespace bgw::testing {
namespace {

namespace fs = std::filesystem;

// The adapter directories this library knows, most specific first. Set by CMake: the
// installed share/badgateway/proxies, then the source tree's proxies/ (builds in-tree).
constexpr std::string_view known_dirs[] = {BGW_TESTING_INSTALLED_PROXIES_DIR,
                                           BGW_TESTING_SOURCE_PROXIES_DIR};

proxy::Adapter load(const std::string& adapter) {
  const std::string file = ProxyUnderTest::adapter_file(adapter);
  auto loaded = proxy::load_adapter(file);
  if (!loaded.ok()) {
    std::string what = "badgateway::testing: adapter " + file + " is invalid";
    for (const auto& d : loaded.diagnostics) what += "\n" + d.to_string();
    throw std::runtime_error(what);
  }
  return std::move(*loaded.adapter);
}

fs::path fresh_run_dir() {
  const char* tmp = std::getenv("TMPDIR");
  static std::atomic<unsigned> counter{0};
  const fs::path dir = fs::path(tmp && *tmp ? tmp : "/tmp") / "badgateway" / "embedded" /
                       (std::to_string(::getpid()) + "-" + std::to_string(++counter));
  fs::create_directories(dir);
  return dir;
}

}  // namespace

struct ProxyUnderTest::Impl {
  proxy::Adapter adapter;
  proxy::LoopbackLease lease;  // the proxy's own address: no other run can take its port
  proxy::LaunchOptions options;
  proxy::LaunchedProxy proxy;
  std::string version;
  bool remove_run_dir = false;
};

std::string ProxyUnderTest::adapter_file(const std::string& adapter) {
  if (adapter.find('/') != std::string::npos || adapter.ends_with(".toml")) return adapter;
  std::error_code ec;
  if (const char* env = std::getenv("BGW_PROXIES_DIR"); env && *env)
    return proxy::resolve_adapter(adapter, env);
  for (const std::string_view dir : known_dirs) {
    const std::string file = proxy::resolve_adapter(adapter, std::string(dir));
    if (!dir.empty() && fs::exists(file, ec)) return file;
  }
  return proxy::resolve_adapter(adapter, std::string(known_dirs[0]));
}

std::optional<std::string> ProxyUnderTest::unavailable(const std::string& adapter) {
  const std::string file = adapter_file(adapter);
  std::error_code ec;
  if (!fs::exists(file, ec)) return "no adapter " + file;
  auto loaded = proxy::load_adapter(file);
  if (!loaded.ok()) return "adapter " + file + " is invalid";
  if (proxy::find_program(loaded.adapter->program).empty())
    return loaded.adapter->name + " is not installed (" + loaded.adapter->program +
           " not found in PATH)";
  return std::nullopt;
}

ProxyUnderTest::ProxyUnderTest(const std::string& adapter, FakeUpstreams& upstreams,
                               ProxyOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->adapter = load(adapter);
  impl_->remove_run_dir = options.run_dir.empty();
  auto& lo = impl_->options;
  lo.run_dir = options.run_dir.empty() ? fresh_run_dir() : options.run_dir;
  fs::create_directories(lo.run_dir);
  lo.listen_host = impl_->lease.address();
  lo.timeout_scale = options.timeout_scale;
  for (const auto& u : upstreams.topology().upstreams) {
    lo.upstream_ports[u.name] = upstreams.upstream(u.name).port();
    lo.upstream_hosts[u.name] = upstreams.upstream(u.name).address();
  }
  try {
    impl_->proxy = proxy::launch_proxy(impl_->adapter, upstreams.topology(), lo);
  } catch (const std::exception& e) {
    if (impl_->remove_run_dir) {
      std::error_code ec;
      fs::remove_all(lo.run_dir, ec);
    }
    throw std::runtime_error(std::string("badgateway::testing: ") + impl_->adapter.name +
                             " did not start: " + e.what());
  }
  impl_->version = proxy::read_version(impl_->adapter);
}

ProxyUnderTest::~ProxyUnderTest() {
  stop();
  if (impl_->remove_run_dir) {
    std::error_code ec;
    fs::remove_all(impl_->options.run_dir, ec);
  }
}

void ProxyUnderTest::stop() {
  if (impl_->proxy.child) proxy::stop_proxy(impl_->proxy, impl_->adapter, impl_->options);
}

const std::string& ProxyUnderTest::host() const {
  return impl_->proxy.host;
}
std::uint16_t ProxyUnderTest::port() const {
  return impl_->proxy.port;
}
const std::string& ProxyUnderTest::version() const {
  return impl_->version;
}
const std::filesystem::path& ProxyUnderTest::run_dir() const {
  return impl_->options.run_dir;
}
std::string ProxyUnderTest::log_tail() const {
  return proxy::proxy_log_tail(impl_->options.run_dir);
}

}  // namespace bgw::testing
