// Command-line parsing for every badgateway command, on CLI11: `--opt value` and `--opt=value`,
// `-j4`, strict numbers and durations with the one range each option has (option_values.hpp),
// and the same failure everywhere: "badgateway CMD: message", the command's usage on stderr,
// exit code 2. `--help` prints the usage on stdout and exits 0.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "harness/cli/option_values.hpp"
#include "harness/run/shard.hpp"

namespace bgw::cli {

/// A bad option value, thrown from an option's callback; parse_command_line reports it.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// An app with badgateway's conventions: -h/--help, an option given twice keeps the last value,
/// an option's value is one argument, unknown options are reported by parse_command_line.
void configure_app(CLI::App& app);

/// Parses `args` (those after the command name) into the options bound to `app`. Returns
/// nullopt when the command should run, else its exit code: 0 after --help (usage on stdout),
/// 2 after a usage error (message and usage on stderr).
std::optional<int> parse_command_line(CLI::App& app, const std::vector<std::string>& args,
                                      std::string_view command, std::string_view usage);

/// Prints "badgateway COMMAND: message", a blank line and the usage on stderr; returns 2.
int usage_error(std::string_view command, const std::string& message, std::string_view usage);

/// An option taking a number within `range` (the message names the option and the range).
template <class T>
CLI::Option* add_number(CLI::App& app, const std::string& names, T& target,
                        const NumberRange& range, const std::string& value_name = "N");

/// An option taking a duration within `range`.
CLI::Option* add_duration(CLI::App& app, const std::string& names, sim::Duration& target,
                          const DurationRange& range);
CLI::Option* add_duration(CLI::App& app, const std::string& names,
                          std::optional<sim::Duration>& target, const DurationRange& range);

/// The long name of "-j,--jobs" for messages: "--jobs" (or the short one when alone).
std::string option_display_name(const std::string& names);

// ---- the options several commands share, defined once ----

/// `-j N, --jobs N`: scenarios in parallel.
CLI::Option* add_jobs_option(CLI::App& app, int& jobs);

/// `--timeout-scale X`: multiplies client deadlines and readiness timeouts.
CLI::Option* add_timeout_scale_option(CLI::App& app, double& scale);

/// `--shard I/N`: only the scenarios of shard I of N (run/shard.hpp).
CLI::Option* add_shard_option(CLI::App& app, std::optional<run::Shard>& shard);

/// The usage lines of `--shard`, the same in run and matrix.
inline constexpr const char* shard_usage =
    "  --shard I/N           only shard I of N (1-based): the scenarios whose name hashes\n"
    "                        to it (FNV-1a mod N; stable as scenarios come and go); an\n"
    "                        empty shard runs nothing and exits 0\n";

namespace detail {
template <class T>
struct number_target {
  using type = T;
};
template <class T>
struct number_target<std::optional<T>> {
  using type = T;
};
}  // namespace detail

template <class T>
CLI::Option* add_number(CLI::App& app, const std::string& names, T& target,
                        const NumberRange& range, const std::string& value_name) {
  const std::string name = option_display_name(names);
  return app
      .add_option_function<std::string>(
          names,
          [&target, range, name](const std::string& text) {
            const auto value = parse_number(text, range);
            if (!value)
              throw UsageError(name + " takes " + describe(range) + ", not '" + text + "'");
            target = static_cast<typename detail::number_target<T>::type>(*value);
          })
      ->type_name(value_name);
}

}  // namespace bgw::cli
