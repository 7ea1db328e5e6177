#include "load_command.hpp"

#include <unistd.h>

#include <array>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json.hpp>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

#include "bgw_version.hpp"
#include "harness/cli/command_line.hpp"
#include "harness/client/loopback_url.hpp"
#include "harness/load/request_bytes.hpp"
#include "harness/load/threaded_load.hpp"
#include "simulator/journal.hpp"
#include "simulator/json_text.hpp"
#include "simulator/units.hpp"

namespace bgw::cli {
namespace {

namespace net = boost::asio;
using load::LoadOptions;
using load::LoadResult;
using load::Outcome;

std::string ms(std::uint64_t ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(ns) / 1e6);
  return buf;
}

double seconds(std::chrono::nanoseconds d) {
  return static_cast<double>(d.count()) / 1e9;
}

double requests_per_second(const LoadResult& r) {
  const double s = seconds(r.elapsed);
  return s > 0 ? static_cast<double>(r.completed) / s : 0.0;
}

struct Percentile {
  const char* name;
  double q;
};
constexpr Percentile kPercentiles[] = {{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}, {"p99.9", 0.999}};

}  // namespace

const char* load_usage() {
  return "Usage: badgateway load URL [options]\n"
         "  HTTP/1.1 keep-alive load against a loopback URL (http://127.0.0.1:PORT/path);\n"
         "  prints requests/s, statuses, errors by kind and latency percentiles.\n"
         "  -c, --connections N   connections, 1 to 10000 (default 16)\n"
         "  -d, --duration D      how long to send, above 0 and up to 24h, e.g. 5s, 500ms\n"
         "                        (default 5s)\n"
         "  -R, --rate R          open loop: R requests/s in all (up to 1000000), latency from\n"
         "                        the scheduled send time (default, or 0: closed loop, as\n"
         "                        fast as answered)\n"
         "  -m, --method M        request method (default GET)\n"
         "  -H, --header K:V      an extra request header (repeatable)\n"
         "  --body TEXT           request body (sent with Content-Length)\n"
         "  --timeout D           per-request timeout, above 0 and up to 1h (default 5s)\n"
         "  --max-requests N      stop after N requests\n"
         "  -t, --threads N       N client threads, each with its own event loop and 1/N of\n"
         "                        the connections (default 1)\n"
         "  --no-request-ids      do not add X-Bgw-Request: <id> to each request\n"
         "  --json FILE           also write the summary as JSON\n"
         "  Options take their value as `--opt value` or `--opt=value`.\n"
         "  Exit codes: 0 the run completed, 1 not one request got a response, 2 usage\n"
         "  error, 3 setup error, 130 interrupted.\n";
}

bool parse_load_url(const std::string& url, LoadOptions& options, std::string& error) {
  auto parsed = client::parse_loopback_url(url, client::UrlUse::load_target);
  if (auto* message = std::get_if<std::string>(&parsed)) {
    error = *message;
    return false;
  }
  auto& u = std::get<client::LoopbackUrl>(parsed);
  options.host = u.host;
  options.port = u.port;
  options.target = u.target;
  return true;
}

void print_load_summary(std::ostream& out, const LoadResult& r) {
  char rate[64];
  std::snprintf(rate, sizeof rate, "%.1f", requests_per_second(r));
  out << "requests:     " << r.sent << " sent, " << r.completed << " completed, " << r.failed
      << " failed (elapsed " << seconds(r.elapsed) << " s)\n";
  out << "requests/s:   " << rate << "\n";
  out << "statuses:    ";
  std::map<int, std::uint64_t> statuses;
  for (const auto& b : r.buckets)
    for (const auto& [code, n] : b.statuses) statuses[code] += n;
  if (statuses.empty()) out << " none";
  for (const auto& [code, n] : statuses) out << " " << code << ": " << n;
  out << "\nerrors:      ";
  std::array<std::uint64_t, load::outcome_count> outcomes{};
  for (const auto& b : r.buckets)
    for (std::size_t i = 0; i < outcomes.size(); ++i) outcomes[i] += b.outcomes[i];
  bool any = false;
  for (std::size_t i = 1; i < outcomes.size(); ++i) {
    if (outcomes[i] == 0) continue;
    out << " " << load::to_string(static_cast<Outcome>(i)) << ": " << outcomes[i];
    any = true;
  }
  if (!any) out << " none";
  out << "\nlatency ms:  ";
  for (const auto& p : kPercentiles) out << " " << p.name << " " << ms(r.latency.percentile(p.q));
  out << " max " << ms(r.latency.max()) << " (mean "
      << ms(static_cast<std::uint64_t>(r.latency.mean())) << ")\n";
  out << "connections:  " << r.connects << " opened\n";
  if (r.records_truncated) out << "note: only the first " << r.records.size() << " records kept\n";
}

std::string load_summary_json(const LoadOptions& o, const LoadResult& r) {
  namespace json = boost::json;
  auto ms_value = [](std::uint64_t ns) { return static_cast<double>(ns / 1000) / 1e3; };
  std::map<int, std::uint64_t> statuses;
  std::array<std::uint64_t, load::outcome_count> outcomes{};
  for (const auto& b : r.buckets) {
    for (const auto& [code, n] : b.statuses) statuses[code] += n;
    for (std::size_t i = 0; i < outcomes.size(); ++i) outcomes[i] += b.outcomes[i];
  }
  json::object status_counts;
  for (const auto& [code, n] : statuses) status_counts[std::to_string(code)] = n;
  json::object outcome_counts;
  for (std::size_t i = 0; i < outcomes.size(); ++i)
    outcome_counts[load::to_string(static_cast<Outcome>(i))] = outcomes[i];
  json::object latency;
  for (const auto& p : kPercentiles) latency[p.name] = ms_value(r.latency.percentile(p.q));
  latency["max"] = ms_value(r.latency.max());
  latency["mean"] = ms_value(static_cast<std::uint64_t>(r.latency.mean()));
  json::array buckets;
  for (const auto& b : r.buckets) {
    buckets.push_back(
        json::object{{"start_ms", ms_value(static_cast<std::uint64_t>(b.start.count()))},
                     {"sent", b.sent},
                     {"failed", b.failed},
                     {"p50_ms", ms_value(b.latency.percentile(0.5))},
                     {"p99_ms", ms_value(b.latency.percentile(0.99))},
                     {"max_ms", ms_value(b.latency.max())}});
  }
  json::object out{{"badgateway_version", std::string(bgw::version)},
                   {"host", o.host},
                   {"port", o.port},
                   {"target", o.target},
                   {"method", o.method},
                   {"connections", o.connections},
                   {"rate", o.rate},
                   {"duration_s", seconds(o.duration)},
                   {"elapsed_s", seconds(r.elapsed)},
                   {"sent", r.sent},
                   {"completed", r.completed},
                   {"failed", r.failed},
                   {"requests_per_s", requests_per_second(r)},
                   {"connects", r.connects},
                   {"statuses", std::move(status_counts)},
                   {"outcomes", std::move(outcome_counts)},
                   {"latency_ms", std::move(latency)},
                   {"buckets", std::move(buckets)},
                   {"records_truncated", r.records_truncated}};
  return sim::json_text(out);
}

int load_command(const std::vector<std::string>& args) {
  LoadOptions options;
  std::string json;
  const std::string usage = load_usage();
  auto usage_error = [&](const std::string& message) {
    return cli::usage_error("load", message, usage);
  };
  std::vector<std::string> urls;
  std::vector<std::string> headers;
  bool no_request_ids = false;
  unsigned threads = 1;
  CLI::App app;
  configure_app(app);
  add_number(app, "-c,--connections", options.connections, ranges::connections);
  add_duration(app, "-d,--duration", options.duration, ranges::duration);
  add_number(app, "-R,--rate", options.rate, ranges::rate, "R");
  app.add_option("-m,--method", options.method)->type_name("M");
  app.add_option("-H,--header", headers)
      ->type_name("K:V")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--body", options.body)->type_name("TEXT");
  add_duration(app, "--timeout", options.request_timeout, ranges::request_timeout);
  add_number(app, "--max-requests", options.max_requests, ranges::max_requests);
  add_number(app, "-t,--threads", threads, ranges::threads);
  app.add_flag("--no-request-ids", no_request_ids);
  app.add_option("--json", json)->type_name("FILE");
  app.add_option("URL", urls);
  if (const auto exit = parse_command_line(app, args, "load", usage)) return *exit;
  if (no_request_ids) options.request_ids = false;
  for (const std::string& h : headers) {
    const std::size_t colon = h.find(':');
    if (colon == std::string::npos || colon == 0)
      return usage_error("bad header '" + h + "' (NAME:VALUE)");
    std::string value = h.substr(colon + 1);
    value.erase(0, std::min(value.find_first_not_of(" \t"), value.size()));
    options.headers.emplace_back(h.substr(0, colon), value);
  }
  if (urls.size() > 1) return usage_error("one URL at a time");
  const std::string url = urls.empty() ? std::string() : urls.front();
  if (url.empty()) return usage_error("give a URL (http://127.0.0.1:PORT/)");
  std::string error;
  if (!parse_load_url(url, options, error)) return usage_error(error);
  try {
    const load::RequestBytes request(options);  // a bad method, target or header: say so now
  } catch (const std::invalid_argument& e) {
    std::cerr << "badgateway " << e.what() << "\n\n" << usage;
    return 2;
  }
  const bool live = ::isatty(STDERR_FILENO) != 0;
  options.progress_every = std::chrono::seconds(1);

  // One thread, nothing posted from elsewhere: the scheduler and reactor need no locks.
  net::io_context io(BOOST_ASIO_CONCURRENCY_HINT_UNSAFE);
  net::cancellation_signal cancel;
  bool interrupted = false;
  net::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    interrupted = true;
    cancel.emit(net::cancellation_type::terminal);
  });

  std::optional<LoadResult> result;
  std::exception_ptr failure;
  load::ProgressFn progress;
  if (live) {
    progress = [](const load::Progress& p) {
      std::fprintf(stderr, "\r  %6.1fs  sent %llu  completed %llu  failed %llu  p99 %s ms   ",
                   seconds(p.at), static_cast<unsigned long long>(p.sent),
                   static_cast<unsigned long long>(p.completed),
                   static_cast<unsigned long long>(p.failed), ms(p.p99_ns_last_interval).c_str());
    };
  }
  // The summary reads the buckets; per-request records would only grow with the run.
  options.max_records = 0;
  std::cout << "badgateway load " << url << ": " << options.connections << " connections, "
            << (options.rate > 0 ? "open loop at " + std::to_string(options.rate) + " requests/s"
                                 : std::string("closed loop"))
            << ", " << sim::format_duration(options.duration)
            << (threads > 1 ? ", " + std::to_string(threads) + " threads" : std::string()) << "\n"
            << std::flush;
  if (threads > 1) {
    // This thread keeps the signals and the progress line; the generators run on their own.
    load::ThreadedLoad generators(options, threads);
    auto next_progress = load::Clock::now() + options.progress_every;
    bool cancelled = false;
    while (!generators.done()) {
      io.run_for(std::chrono::milliseconds(20));
      if (interrupted && !cancelled) {
        generators.cancel();
        cancelled = true;
      }
      if (progress && load::Clock::now() >= next_progress) {
        next_progress += options.progress_every;
        progress(generators.progress());
      }
    }
    signals.cancel();
    try {
      result = generators.join();
    } catch (...) {
      failure = std::current_exception();
    }
  } else {
    net::co_spawn(
        io, load::run_load(options, progress),
        net::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e, LoadResult r) {
          if (e)
            failure = e;
          else
            result = std::move(r);
          signals.cancel();
        }));
    io.run();
  }
  if (live) std::fprintf(stderr, "\r%70s\r", "");
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const std::invalid_argument& e) {
      std::cerr << "badgateway " << e.what() << "\n\n" << load_usage();
      return 2;
    } catch (const std::exception& e) {
      std::cerr << "badgateway load: " << e.what() << "\n";
      return 3;
    }
  }
  print_load_summary(std::cout, *result);
  if (!json.empty()) {
    std::ofstream f(json, std::ios::trunc);
    f << load_summary_json(options, *result) << "\n";
    if (!f) {
      std::cerr << "badgateway load: cannot write " << json << "\n";
      return 3;
    }
  }
  if (interrupted) return 130;
  return result->sent > 0 && result->completed == 0 ? 1 : 0;
}

}  // namespace bgw::cli
