// A proxy adapter, loaded from proxies/<name>.toml: how to start the proxy and render its
// config from a scenario's topology, how to tell it is ready, how to stop it, how to read its
// version, and its known deviations (used to mark failures xfail, and to flag xpass when a
// deviation no longer happens). Adding a proxy means writing data, not C++.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "harness/proxy/readiness.hpp"
#include "harness/scenario/diagnostic.hpp"
#include "harness/scenario/scenario.hpp"

namespace bgw::proxy {

/// A behaviour of this proxy that differs from what scenarios expect, with the evidence.
struct Deviation {
  std::string scenario;  ///< a scenario name or a glob ("garbage-*")
  std::string check;     ///< the check kind it covers ("status", "body", ...); empty: any
  std::string versions;  ///< optional version constraint (">=1.23", "<2.8"); empty: all
  std::string actual;    ///< what the proxy really does
  std::string reason;    ///< why (source, docs)
  std::string link;      ///< where to read more
  /// The deviation happens on some runs only, for a documented cause (a proxy whose timers
  /// tick once a second): a failure it covers is xfail, and a run without it is a plain pass,
  /// never xpass.
  bool intermittent = false;
  scenario::Location where;
};

struct Adapter {
  std::string name;
  std::string description;
  std::string program;                   ///< the executable, looked up in PATH (and sbin)
  std::vector<std::string> argv;         ///< with {{program}}, {{workdir}}, {{listen.port}}, ...
  std::string config_template;           ///< path of the template (resolved from the adapter's dir)
  std::string config_file;               ///< file name the rendered config is written to
  std::vector<std::string> directories;  ///< created in the run directory before start
  std::vector<std::string> check_argv;   ///< validates the rendered config (nginx -t); optional
  std::vector<std::string> version_argv;  ///< prints the version
  std::string version_pattern;            ///< ECMAScript regex; group 1 is the version
  std::vector<std::string> features;      ///< what `requires` may ask for
  /// ECMAScript regex every [proxy.override.<name>] key must match (what the template can
  /// place there); empty: any key.
  std::string override_keys;
  ReadyProbe::Kind ready = ReadyProbe::Kind::tcp;
  std::string ready_log_file;  ///< log_line probe: file in the run directory
  std::string ready_needle;    ///< log_line probe: the text that means ready
  std::chrono::milliseconds ready_timeout{5000};
  int stop_signal = 15;  ///< SIGTERM unless the adapter says otherwise
  std::chrono::milliseconds stop_grace{3000};
  bool verified = true;  ///< false: shipped as a template, not verified here
  std::vector<Deviation> deviations;
  std::string path;  ///< the adapter file
};

struct AdapterLoad {
  std::optional<Adapter> adapter;
  scenario::Diagnostics diagnostics;
  bool ok() const { return adapter.has_value(); }
};

/// Load an adapter file. Problems come back as `file:line:col` diagnostics, like scenarios.
AdapterLoad load_adapter(const std::string& path);

/// Resolve `--proxy NAME|FILE`: a path to a .toml file, or the name of an adapter shipped in
/// `proxies_dir` (proxies/<NAME>.toml).
std::string resolve_adapter(const std::string& name_or_file, const std::string& proxies_dir);

/// The scenario's [proxy.override.<adapter>] knobs this adapter cannot use: its template has no
/// {{#overrides}} section, or a key does not match `override_keys`. Each diagnostic is at the
/// knob (file:line:col) and names the adapter. Knobs for other proxies are ignored.
scenario::Diagnostics check_overrides(const Adapter& adapter, const scenario::Scenario& scenario,
                                      const std::string& template_text);

/// For an adapter file that does not exist: "; did you mean 'apache2'?" naming the closest
/// adapter file next to it (empty when it exists or nothing is close).
std::string adapter_hint(const std::string& path);

/// The proxy's version by running version_argv (empty when it cannot be read).
std::string read_version(const Adapter& adapter);

/// Compare dotted versions: "1.22.1" vs ">=1.23". True when `version` satisfies `constraint`
/// (or the constraint is empty). Unparsable input satisfies nothing.
bool version_satisfies(const std::string& version, const std::string& constraint);

}  // namespace bgw::proxy
