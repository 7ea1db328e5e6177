#include "load.hpp"

#include <fstream>
#include <system_error>

#include "harness/scenario/limits.hpp"
#include "harness/scenario/sections.hpp"

namespace bgw::scenario {
namespace {

using detail::Decoder;

Scenario decode_scenario(Decoder& d, const toml::table& root) {
  detail::TableReader r(d, root, keys::root);
  Scenario s;
  s.file = d.file();
  // [scenario] first: its timeout bounds the timeline and the expectations.
  s.meta = detail::decode_meta(d, r.get("scenario"));
  const toml::node* upstreams = r.get("upstream");
  if (upstreams == nullptr || (upstreams->is_array() && upstreams->as_array()->empty()))
    d.error(s.meta.where, "a scenario needs at least one [[upstream]] table");
  s.upstreams = detail::decode_upstreams(d, upstreams);
  s.proxy = detail::decode_proxy(d, r.get("proxy"));
  detail::require_topology_features(s);
  s.steps = detail::decode_steps(d, r.get("step"));
  s.expects = detail::decode_expects(d, r.get("expect"));
  s.bench = detail::decode_bench(d, r.get("bench"), s.upstreams);
  detail::validate(d, s);
  return s;
}

LoadResult finish(LoadResult result, const Decoder& d, std::optional<Scenario> scenario) {
  if (result.diagnostics.empty()) result.scenario = std::move(scenario);
  sort_by_position(result.diagnostics);
  if (d.suppressed() > 0) {
    result.diagnostics.push_back(
        Diagnostic{d.start(), "too many errors: " + std::to_string(d.suppressed()) +
                                  " more not shown; fix these and run again"});
  }
  return result;
}

}  // namespace

LoadResult load_scenario_text(std::string_view text, std::string path) {
  LoadResult result;
  Decoder d(std::make_shared<const std::string>(std::move(path)), result.diagnostics);
  try {
    if (text.size() > max_file_size) {
      d.error(d.start(), "the file is " + std::to_string(text.size()) +
                             " bytes; scenario files are limited to " +
                             std::to_string(max_file_size / (1024 * 1024)) + " MiB");
      return finish(std::move(result), d, std::nullopt);
    }
    if (auto at = detail::find_deep_nesting(text, max_nesting)) {
      d.error(Location{d.file(), at->line, at->column},
              "keys and brackets nest deeper than " + std::to_string(max_nesting) +
                  " levels here; scenario files never need that");
      return finish(std::move(result), d, std::nullopt);
    }
    toml::table root;
    // The one place toml++'s exception is caught: a syntax error ends decoding, because the
    // parser cannot say what the rest of the file means.
    try {
      root = toml::parse(text, std::string_view(*d.file()));
    } catch (const toml::parse_error& e) {
      d.error(d.at(e.source()), "invalid TOML: " + std::string(e.description()));
      return finish(std::move(result), d, std::nullopt);
    }
    Scenario s = decode_scenario(d, root);
    return finish(std::move(result), d, std::move(s));
  } catch (const std::exception& e) {
    // Not expected: decoding reports problems as diagnostics. Still never let one escape.
    d.error(d.start(), std::string("internal error while loading the scenario: ") + e.what());
    return finish(std::move(result), d, std::nullopt);
  }
}

LoadResult load_scenario(const std::filesystem::path& path) {
  const std::string name = path.string();
  auto fail = [&](const std::string& message) {
    LoadResult result;
    result.diagnostics.push_back(
        Diagnostic{Location{std::make_shared<const std::string>(name), 1, 1}, message});
    return result;
  };
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec) return fail("cannot read the file: " + ec.message());
  if (!std::filesystem::is_regular_file(status)) return fail("not a regular file");
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return fail("cannot read the file: " + ec.message());
  if (size > max_file_size)
    return fail("the file is " + std::to_string(size) + " bytes; scenario files are limited to " +
                std::to_string(max_file_size / (1024 * 1024)) + " MiB");
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("cannot open the file");
  std::string text(static_cast<std::size_t>(size), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (in.bad()) return fail("cannot read the file");
  return load_scenario_text(text, name);
}

}  // namespace bgw::scenario
