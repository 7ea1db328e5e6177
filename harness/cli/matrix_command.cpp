#include "matrix_command.hpp"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>

#include "harness/cli/command_line.hpp"
#include "harness/cli/run_command.hpp"
#include "harness/matrix/html_writer.hpp"
#include "harness/matrix/json_writer.hpp"
#include "harness/matrix/markdown_writer.hpp"
#include "harness/matrix/proxy_plan.hpp"
#include "harness/matrix/run_matrix.hpp"
#include "harness/run/interrupt.hpp"

namespace bgw::cli {
namespace {

namespace fs = std::filesystem;

struct Options {
  std::vector<std::string> proxies;
  std::string filter;
  std::string html;
  std::string markdown;
  std::string json;
  std::optional<run::Shard> shard;
  std::vector<std::string> paths;
  matrix::MatrixOptions matrix;
};

void split_commas(const std::string& text, std::vector<std::string>& out) {
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    if (comma > start) out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
}

// An output's directory must exist before minutes of running, not after.
bool writable_target(const std::string& file) {
  std::error_code ec;
  const fs::path dir = fs::absolute(fs::path(file), ec).parent_path();
  return !ec && fs::is_directory(dir, ec) && ::access(dir.c_str(), W_OK) == 0 &&
         !fs::is_directory(file, ec);
}

// Written next to the target, then renamed over it: a reader never sees half a report.
bool write_file(const std::string& file, const std::function<void(std::ostream&)>& write) {
  const std::string tmp = file + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return false;
    write(out);
    out.flush();
    if (!out) {
      std::error_code ec;
      fs::remove(tmp, ec);
      return false;
    }
  }
  std::error_code ec;
  fs::rename(tmp, file, ec);
  if (ec) fs::remove(tmp, ec);
  return !ec;
}

int run(Options& o) {
  auto loaded = load_scenarios(o.paths, o.filter, "matrix", std::cerr);
  if (!loaded) return 2;
  std::vector<scenario::Scenario> scenarios = std::move(*loaded);
  if (o.shard) {
    const std::size_t all = scenarios.size();
    scenarios = run::take_shard(std::move(scenarios), *o.shard);
    std::cerr << "badgateway matrix: shard " << o.shard->to_string() << " holds "
              << scenarios.size() << " of " << all << " scenarios"
              << (scenarios.empty() ? "; nothing to run here" : "") << "\n";
  }
  matrix::order_by_group(scenarios);

  const auto plans = matrix::plan_proxies(o.proxies, find_proxies_dir(), std::cerr);
  if (!plans.errors.empty()) {
    for (const auto& e : plans.errors) std::cerr << "badgateway matrix: " << e << "\n";
    return 2;
  }

  run::install_signal_handling();
  const matrix::Matrix m = matrix::run_matrix(scenarios, plans.plans, o.matrix, std::cerr);

  bool written = true;
  auto emit = [&](const std::string& file, const char* what,
                  const std::function<void(std::ostream&)>& write) {
    if (file.empty()) return;
    if (write_file(file, write)) {
      std::cerr << "badgateway matrix: wrote " << what << " " << file << "\n";
    } else {
      std::cerr << "badgateway matrix: cannot write " << file << "\n";
      written = false;
    }
  };
  emit(o.html, "HTML", [&](std::ostream& out) { matrix::write_html(m, out); });
  emit(o.markdown, "Markdown", [&](std::ostream& out) { matrix::write_markdown(m, out); });
  emit(o.json, "JSON", [&](std::ostream& out) { matrix::write_json(m, out); });
  if (o.html.empty() && o.markdown.empty() && o.json.empty()) {
    matrix::write_markdown(m, std::cout);
    std::cout.flush();
  }

  // One summary line per proxy, for the terminal.
  for (std::size_t p = 0; p < m.columns.size(); ++p) {
    const auto counts = m.counts(p);
    std::cerr << "  " << m.columns[p].name << ":";
    for (std::size_t i = 0; i < matrix::all_cells.size(); ++i) {
      if (counts[i])
        std::cerr << " " << counts[i] << " " << matrix::to_string(matrix::all_cells[i]);
    }
    std::cerr << "\n";
  }
  if (run::interrupted() || m.interrupted) return 130;
  if (!written) return 3;
  // Every column skipped (no proxy installed or verified): the matrix tested nothing, and says
  // so with the "skipped" code rather than a success (docs/matrix.md).
  const bool nothing_ran =
      std::all_of(m.columns.begin(), m.columns.end(),
                  [](const matrix::ProxyColumn& c) { return !c.skip_reason.empty(); });
  if (nothing_ran) {
    std::cerr << "badgateway matrix: nothing was tested: no proxy could run (exit code "
              << run::exit_proxy_missing << ")\n";
    return run::exit_proxy_missing;
  }
  return 0;
}

}  // namespace

std::string matrix_usage() {
  return "Usage: badgateway matrix [options] PATH...\n"
         "  Run scenario files (directories: every *.toml, recursively) against several\n"
         "  proxies, one proxy after another, and write the results matrix.\n"
         "  --proxies A,B,...     adapters: shipped names or adapter .toml files (default:\n"
         "                        every adapter in the proxies directory; repeatable; --proxy\n"
         "                        is the same)\n"
         "                        shipped: " +
         shipped_adapter_list(find_proxies_dir()) +
         "\n"
         "  -j, --jobs N          scenarios in parallel within a proxy, 1 to 64 (default 2)\n"
         "  --filter GLOB         only scenarios whose name matches (*, ?)\n" +
         std::string(shard_usage) +
         "  --html FILE           a self-contained HTML report (click a cell for evidence)\n"
         "  --markdown FILE       a compact Markdown table (for docs/results.md)\n"
         "  --json FILE           JSON, schema badgateway.matrix/1 (docs/matrix.md)\n"
         "                        (none of the three: the Markdown table on stdout)\n"
         "  --timeout-scale X     multiply client deadlines and readiness timeouts, 0.01 to\n"
         "                        100 (slow machines)\n"
         "  --runs-dir DIR        where run directories go (default $TMPDIR/badgateway/runs)\n"
         "  --keep-artifacts      keep every run directory (failures are always kept)\n"
         "  Options take their value as `--opt value` or `--opt=value`.\n"
         "  Progress goes to stderr. Exit codes: 0 the matrix was written (proxy failures are\n"
         "  its data), 2 usage or scenario error, 3 harness error, 130 interrupted.\n";
}

int matrix_command(const std::vector<std::string>& args) {
  Options o;
  const std::string usage = matrix_usage();
  auto usage_error = [&](const std::string& message) {
    return cli::usage_error("matrix", message, usage);
  };
  std::vector<std::string> proxy_lists;  // repeatable: the lists add up
  CLI::App app;
  configure_app(app);
  app.add_option("--proxies,--proxy", proxy_lists)
      ->type_name("A,B,...")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  add_jobs_option(app, o.matrix.jobs);
  app.add_option("--filter", o.filter)->type_name("GLOB");
  add_shard_option(app, o.shard);
  app.add_option("--html", o.html)->type_name("FILE");
  app.add_option("--markdown", o.markdown)->type_name("FILE");
  app.add_option("--json", o.json)->type_name("FILE");
  add_timeout_scale_option(app, o.matrix.run.timeout_scale);
  app.add_option("--runs-dir", o.matrix.run.runs_root)->type_name("DIR");
  app.add_flag("--keep-artifacts", o.matrix.run.keep_artifacts);
  app.add_option("PATH", o.paths);
  if (const auto exit = parse_command_line(app, args, "matrix", usage)) return *exit;
  for (const std::string& list : proxy_lists) {
    if (list.empty()) return usage_error("--proxies needs a list of names or files");
    split_commas(list, o.proxies);
  }
  if (!proxy_lists.empty() && o.proxies.empty()) return usage_error("--proxies names no proxy");
  for (const auto& [name, value] :
       {std::pair{"--html", &o.html}, std::pair{"--markdown", &o.markdown},
        std::pair{"--json", &o.json}}) {
    if (app.count(name) > 0 && value->empty())
      return usage_error(std::string(name) + " needs a file");
  }
  if (app.count("--runs-dir") > 0 && o.matrix.run.runs_root.empty())
    return usage_error("--runs-dir needs a directory");
  if (o.paths.empty()) return usage_error("no scenario files or directories given");
  for (const std::string* f : {&o.html, &o.markdown, &o.json}) {
    if (!f->empty() && !writable_target(*f))
      return usage_error("cannot write " + *f + " (its directory must exist and be writable)");
  }
  std::vector<std::string> argv{"badgateway", "matrix"};
  argv.insert(argv.end(), args.begin(), args.end());
  o.matrix.command_line = matrix::quote_command_line(argv);
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::cerr << "badgateway matrix: " << e.what() << "\n";
    return 3;
  }
}

}  // namespace bgw::cli
