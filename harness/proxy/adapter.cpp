#include "adapter.hpp"

#include <signal.h>
#include <string.h>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "harness/proxy/child_process.hpp"
#include "harness/scenario/decode.hpp"
#include "harness/scenario/vocabulary.hpp"

namespace bgw::proxy {
namespace {

namespace fs = std::filesystem;
using scenario::Diagnostics;
using scenario::KeyTable;
using scenario::detail::Decoder;
using scenario::detail::TableReader;
using K = std::string_view;

constexpr std::array<K, 2> root_keys{"adapter", "deviation"};
constexpr std::array<K, 16> adapter_keys{
    "name",         "description", "program",    "argv",         "config_template",
    "config_file",  "directories", "check_argv", "version_argv", "version_pattern",
    "features",     "ready",       "stop",       "verified",     "notes",
    "override_keys"};
constexpr std::array<K, 4> ready_keys{"probe", "timeout", "log_file", "needle"};
constexpr std::array<K, 2> stop_keys{"signal", "grace"};
constexpr std::array<K, 7> deviation_keys{"scenario", "check", "versions",    "actual",
                                          "reason",   "link",  "intermittent"};

const KeyTable root_table{"", "the adapter file", root_keys};
const KeyTable adapter_table{"adapter", "[adapter]", adapter_keys};
const KeyTable ready_table{"adapter.ready", "[adapter.ready]", ready_keys};
const KeyTable stop_table{"adapter.stop", "[adapter.stop]", stop_keys};
const KeyTable deviation_table{"deviation", "[[deviation]]", deviation_keys};

constexpr std::array<K, 13> check_kinds{"status",      "within",        "not_before",
                                        "body",        "body_equals",   "connection",
                                        "header",      "head_contains", "any_of",
                                        "connections", "requests",      "non_idempotent_once",
                                        "proxy_alive"};

int signal_number(const std::string& name) {
  static const std::pair<const char*, int> table[] = {
      {"TERM", SIGTERM}, {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"KILL", SIGKILL},
      {"HUP", SIGHUP},   {"USR1", SIGUSR1}, {"USR2", SIGUSR2}};
  for (const auto& [n, v] : table) {
    if (name == n) return v;
  }
  return 0;
}

void decode_adapter(Decoder& d, const toml::table& root, Adapter& a, const fs::path& dir) {
  TableReader top(d, root, root_table);
  const toml::table* t = top.subtable("adapter");
  if (t == nullptr) {
    top.require("adapter");
    return;
  }
  TableReader r(d, *t, adapter_table);
  if (r.require("name")) a.name = r.name("name").value_or("");
  a.description = r.string("description").value_or("");
  if (r.require("program")) a.program = r.string("program").value_or("");
  if (r.require("argv")) a.argv = r.strings("argv").value_or(std::vector<std::string>{});
  if (a.argv.empty() && r.has("argv")) d.error(r.at("argv"), "'argv' must not be empty");
  if (r.require("config_template")) {
    const std::string tpl = r.string("config_template").value_or("");
    const fs::path p = fs::path(tpl).is_absolute() ? fs::path(tpl) : dir / tpl;
    if (!tpl.empty() && !fs::is_regular_file(p))
      d.error(r.at("config_template"), "config template '" + p.string() + "' does not exist");
    a.config_template = p.string();
  }
  if (r.require("config_file")) {
    a.config_file = r.string("config_file").value_or("");
    if (a.config_file.find('/') != std::string::npos)
      d.error(r.at("config_file"),
              "'config_file' is a file name inside the run directory, not a path");
  }
  a.directories = r.strings("directories").value_or(std::vector<std::string>{});
  a.check_argv = r.strings("check_argv").value_or(std::vector<std::string>{});
  a.version_argv = r.strings("version_argv").value_or(std::vector<std::string>{});
  a.version_pattern = r.string("version_pattern").value_or("");
  if (!a.version_pattern.empty()) {
    try {
      std::regex check(a.version_pattern);
    } catch (const std::regex_error& e) {
      d.error(r.at("version_pattern"), std::string("invalid regular expression: ") + e.what());
    }
  }
  a.features = r.strings("features").value_or(std::vector<std::string>{});
  for (const auto& f : a.features) {
    if (std::find(scenario::known_features().begin(), scenario::known_features().end(), f) ==
        scenario::known_features().end())
      d.error(r.at("features"),
              "unknown feature \"" + f + "\"" +
                  scenario::detail::did_you_mean(f, scenario::known_features(), '"') +
                  " (known: " + scenario::detail::list_of(scenario::known_features()) + ")");
  }
  a.override_keys = r.string("override_keys").value_or("");
  if (!a.override_keys.empty()) {
    try {
      std::regex check(a.override_keys);
    } catch (const std::regex_error& e) {
      d.error(r.at("override_keys"), std::string("invalid regular expression: ") + e.what());
    }
  }
  a.verified = r.boolean("verified").value_or(true);
  (void)r.string("notes");

  if (const toml::table* ready = r.subtable("ready")) {
    TableReader rr(d, *ready, ready_table);
    const std::string probe = rr.string("probe").value_or("tcp");
    if (probe == "tcp")
      a.ready = ReadyProbe::Kind::tcp;
    else if (probe == "http")
      a.ready = ReadyProbe::Kind::http;
    else if (probe == "log_line")
      a.ready = ReadyProbe::Kind::log_line;
    else
      d.error(rr.at("probe"),
              "'probe' must be \"tcp\", \"http\" or \"log_line\", not \"" + probe + "\"");
    if (auto t2 = rr.duration("timeout", std::chrono::minutes(5)))
      a.ready_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(*t2);
    a.ready_log_file = rr.string("log_file").value_or("");
    a.ready_needle = rr.string("needle").value_or("");
    if (a.ready == ReadyProbe::Kind::log_line &&
        (a.ready_log_file.empty() || a.ready_needle.empty()))
      d.error(rr.where(), "probe = \"log_line\" needs 'log_file' and 'needle'");
  }
  if (const toml::table* stop = r.subtable("stop")) {
    TableReader sr(d, *stop, stop_table);
    if (auto s = sr.string("signal")) {
      a.stop_signal = signal_number(*s);
      if (a.stop_signal == 0)
        d.error(sr.at("signal"),
                "'signal' must be TERM, INT, QUIT, KILL, HUP, USR1 or USR2, not \"" + *s + "\"");
    }
    if (auto g = sr.duration("grace", std::chrono::minutes(1)))
      a.stop_grace = std::chrono::duration_cast<std::chrono::milliseconds>(*g);
  }

  if (const toml::node* devs = top.get("deviation")) {
    scenario::detail::for_each_table(d, *devs, "deviation", 1000, [&](const toml::table& dt) {
      TableReader dr(d, dt, deviation_table);
      Deviation dev;
      dev.where = dr.where();
      if (dr.require("scenario")) dev.scenario = dr.string("scenario").value_or("");
      dev.check = dr.string("check").value_or("");
      if (!dev.check.empty() &&
          std::find(check_kinds.begin(), check_kinds.end(), dev.check) == check_kinds.end())
        d.error(dr.at("check"), "'check' must be one of " + scenario::detail::list_of(check_kinds) +
                                    ", not \"" + dev.check + "\"" +
                                    scenario::detail::did_you_mean(dev.check, check_kinds, '"'));
      dev.versions = dr.string("versions").value_or("");
      if (dr.require("actual")) dev.actual = dr.string("actual").value_or("");
      if (dr.require("reason")) dev.reason = dr.string("reason").value_or("");
      dev.link = dr.string("link").value_or("");
      dev.intermittent = dr.boolean("intermittent").value_or(false);
      a.deviations.push_back(std::move(dev));
    });
  }
}

}  // namespace

AdapterLoad load_adapter(const std::string& path) {
  AdapterLoad out;
  Decoder d(std::make_shared<const std::string>(path), out.diagnostics);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    d.error(d.start(), "cannot read the adapter file" + adapter_hint(path));
    return out;
  }
  std::stringstream text;
  text << in.rdbuf();
  const std::string content = text.str();
  if (content.size() > 1024 * 1024) {
    d.error(d.start(), "the adapter file is larger than 1 MiB");
    return out;
  }
  toml::table root;
  // Adapter files are parsed here as scenario files are in scenario/load.cpp: a syntax error
  // becomes a diagnostic at its position.
  try {
    root = toml::parse(std::string_view(content), std::string_view(path));
  } catch (const toml::parse_error& e) {
    d.error(d.at(e.source()), "invalid TOML: " + std::string(e.description()));
    return out;
  }
  Adapter a;
  a.path = path;
  try {
    decode_adapter(d, root, a, fs::path(path).parent_path());
  } catch (const std::exception& e) {
    d.error(d.start(), std::string("internal error while loading the adapter: ") + e.what());
  }
  scenario::sort_by_position(out.diagnostics);
  if (out.diagnostics.empty()) out.adapter = std::move(a);
  return out;
}

// "apache" for "apache2": the closest adapter file next to a missing one.
std::string adapter_hint(const std::string& path) {
  const fs::path p(path);
  std::error_code ec;
  if (fs::exists(p, ec)) return {};
  std::vector<std::string> stems;
  for (fs::directory_iterator it(p.parent_path().empty() ? "." : p.parent_path(), ec), end;
       !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".toml") stems.push_back(it->path().stem().string());
  }
  std::vector<std::string_view> names(stems.begin(), stems.end());
  return scenario::detail::did_you_mean(p.stem().string(), names, '\'');
}

std::string resolve_adapter(const std::string& name_or_file, const std::string& proxies_dir) {
  if (name_or_file.find('/') != std::string::npos || name_or_file.ends_with(".toml"))
    return name_or_file;
  return (fs::path(proxies_dir) / (name_or_file + ".toml")).string();
}

scenario::Diagnostics check_overrides(const Adapter& a, const scenario::Scenario& sc,
                                      const std::string& template_text) {
  scenario::Diagnostics out;
  const bool placed = template_text.find("{{#overrides}}") != std::string::npos;
  const std::regex keys(a.override_keys.empty() ? ".*" : a.override_keys);
  for (const auto& o : sc.proxy.overrides) {
    if (o.proxy != a.name) continue;  // knobs for another proxy are not used by this one
    if (!placed && !o.knobs.empty()) {
      out.push_back({o.where, "the " + a.name + " adapter (" + a.path +
                                  ") places no [proxy.override." + a.name +
                                  "] knobs: its template has no {{#overrides}} section"});
      continue;
    }
    for (const auto& k : o.knobs) {
      if (!std::regex_match(k.key, keys))
        out.push_back({k.where, "the " + a.name + " adapter cannot place the knob '" + k.key +
                                    "': its keys must match " + a.override_keys + " (" + a.path +
                                    ")"});
    }
  }
  return out;
}

std::string read_version(const Adapter& a) {
  if (a.version_argv.empty()) return {};
  const std::string program = find_program(a.program);
  if (program.empty()) return {};
  // The version command is tiny and quick; run it with both outputs into one temporary file
  // (nginx -v prints to stderr).
  const fs::path tmp = fs::temp_directory_path() /
                       ("bgw-version-" + std::to_string(::getpid()) + "-" + a.name + ".txt");
  SpawnOptions o;
  for (const auto& arg : a.version_argv) o.argv.push_back(arg == "{{program}}" ? program : arg);
  o.stdout_path = tmp.string();
  o.stderr_path = tmp.string() + ".err";
  std::string text;
  try {
    ChildProcess child(o);
    if (!child.wait_for(std::chrono::seconds(5))) child.stop(std::chrono::milliseconds(100));
    text = tail_file(o.stdout_path, 50) + tail_file(o.stderr_path, 50);
  } catch (const std::exception&) {
  }
  std::error_code ec;
  fs::remove(o.stdout_path, ec);
  fs::remove(o.stderr_path, ec);
  if (a.version_pattern.empty()) return text.substr(0, text.find('\n'));
  std::smatch m;
  if (std::regex_search(text, m, std::regex(a.version_pattern)) && m.size() > 1) return m[1].str();
  return {};
}

}  // namespace bgw::proxy
