#include "command_line.hpp"

#include <iostream>

namespace bgw::cli {
namespace {

// CLI11 says "--proxy: 1 required TEXT missing"; ours says what the option wants.
std::string missing_value_message(const CLI::App& app, const std::string& what) {
  const std::string name = what.substr(0, what.find(':'));
  for (const CLI::Option* option : app.get_options()) {
    if (option->check_name(name)) {
      const std::string type = option->get_type_name();
      return option_display_name(option->get_name(false, true)) + " needs a value" +
             (type.empty() ? "" : " (" + type + ")");
    }
  }
  return name + " needs a value";
}

}  // namespace

void configure_app(CLI::App& app) {
  app.set_help_flag("-h,--help");
  app.allow_extras();
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

int usage_error(std::string_view command, const std::string& message, std::string_view usage) {
  std::cerr << "badgateway " << command << ": " << message << "\n\n" << usage;
  return 2;
}

std::optional<int> parse_command_line(CLI::App& app, const std::vector<std::string>& args,
                                      std::string_view command, std::string_view usage) {
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 pops from the back
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    std::cout << usage;
    return 0;
  } catch (const CLI::ArgumentMismatch& e) {
    return usage_error(command, missing_value_message(app, e.what()), usage);
  } catch (const CLI::Error& e) {
    return usage_error(command, e.what(), usage);
  } catch (const UsageError& e) {
    return usage_error(command, e.what(), usage);
  }
  for (const std::string& extra : app.remaining()) {
    if (extra == "--") continue;
    return usage_error(command, "unknown option '" + extra + "'", usage);
  }
  return std::nullopt;
}

CLI::Option* add_duration(CLI::App& app, const std::string& names,
                          std::optional<sim::Duration>& target, const DurationRange& range) {
  const std::string name = option_display_name(names);
  return app
      .add_option_function<std::string>(
          names,
          [&target, range, name](const std::string& text) {
            target = parse_duration_in(text, range);
            if (!target)
              throw UsageError(name + " takes " + describe(range) + ", not '" + text + "'");
          })
      ->type_name("D");
}

CLI::Option* add_duration(CLI::App& app, const std::string& names, sim::Duration& target,
                          const DurationRange& range) {
  const std::string name = option_display_name(names);
  return app
      .add_option_function<std::string>(
          names,
          [&target, range, name](const std::string& text) {
            const auto d = parse_duration_in(text, range);
            if (!d) throw UsageError(name + " takes " + describe(range) + ", not '" + text + "'");
            target = *d;
          })
      ->type_name("D");
}

std::string option_display_name(const std::string& names) {
  std::string first;
  std::size_t start = 0;
  while (start <= names.size()) {
    const std::size_t comma = std::min(names.find(',', start), names.size());
    std::string part = names.substr(start, comma - start);
    if (part.rfind("--", 0) == 0) return part;
    if (first.empty()) first = part;
    start = comma + 1;
  }
  return first;
}

CLI::Option* add_jobs_option(CLI::App& app, int& jobs) {
  return add_number(app, "-j,--jobs", jobs, ranges::jobs);
}

CLI::Option* add_timeout_scale_option(CLI::App& app, double& scale) {
  return add_number(app, "--timeout-scale", scale, ranges::timeout_scale, "X");
}

CLI::Option* add_shard_option(CLI::App& app, std::optional<run::Shard>& shard) {
  return app
      .add_option_function<std::string>(
          "--shard",
          [&shard](const std::string& text) {
            shard = run::parse_shard(text);
            if (!shard)
              throw UsageError("--shard takes I/N, whole numbers with 1 <= I <= N <= " +
                               std::to_string(run::max_shards) + " (such as 2/3), not '" + text +
                               "'");
          })
      ->type_name("I/N");
}

}  // namespace bgw::cli
