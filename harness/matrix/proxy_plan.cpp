#include "proxy_plan.hpp"

#include <algorithm>
#include <filesystem>
#include <ostream>
#include <set>

#include "harness/proxy/child_process.hpp"

namespace bgw::matrix {

namespace fs = std::filesystem;

std::vector<std::string> adapter_files(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".toml" && it->is_regular_file(ec)) out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

ProxyPlan plan_one(const std::string& path, bool required, std::vector<std::string>& errors,
                   std::ostream& diagnostics) {
  ProxyPlan p;
  p.adapter_path = path;
  p.name = fs::path(path).stem().string();
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    errors.push_back("no adapter '" + path + "'" + proxy::adapter_hint(path));
    return p;
  }
  auto loaded = proxy::load_adapter(path);
  for (const auto& d : loaded.diagnostics) diagnostics << d.to_string() << "\n";
  if (!loaded.ok()) {
    if (required) errors.push_back("the adapter " + path + " does not load");
    p.skip_reason = "the adapter does not load" +
                    (loaded.diagnostics.empty() ? "" : ": " + loaded.diagnostics.front().message);
    return p;
  }
  p.adapter = std::move(loaded.adapter);
  p.name = p.adapter->name;
  const bool installed = !proxy::find_program(p.adapter->program).empty();
  if (installed) p.version = proxy::read_version(*p.adapter);
  if (!installed)
    p.skip_reason = p.adapter->program + " is not installed";
  else if (!p.adapter->verified)
    p.skip_reason = "the adapter is not verified on this machine (verified = false)";
  return p;
}

}  // namespace

ProxyPlans plan_proxies(const std::vector<std::string>& requested, const std::string& proxies_dir,
                        std::ostream& diagnostics) {
  ProxyPlans out;
  if (requested.empty()) {
    const auto files = adapter_files(proxies_dir);
    if (files.empty()) out.errors.push_back("no adapters (*.toml) in " + proxies_dir);
    for (const auto& f : files) out.plans.push_back(plan_one(f, false, out.errors, diagnostics));
  } else {
    for (const auto& r : requested) {
      out.plans.push_back(
          plan_one(proxy::resolve_adapter(r, proxies_dir), true, out.errors, diagnostics));
    }
  }
  std::set<std::string> seen;
  for (const auto& p : out.plans) {
    if (!seen.insert(p.name).second)
      out.errors.push_back("two columns would be named '" + p.name + "'");
  }
  return out;
}

}  // namespace bgw::matrix
