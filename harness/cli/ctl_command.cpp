#include "ctl_command.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>

#include "harness/cli/command_line.hpp"
#include "harness/control/control_client.hpp"
#include "harness/control/control_endpoint.hpp"

namespace bgw::cli {
namespace {

struct Action {
  std::string_view name;
  std::string_view args;  ///< for the usage and the argument count check
  std::size_t arity;
  std::string_view method;
  std::string_view what;
};

// Every route of the API has its action; `call` reaches any other request.
constexpr Action actions[] = {
    {"health", "", 0, "GET", "is serve up: scenario, upstream count, last journal seq"},
    {"upstreams", "[NAME]", 0, "GET", "every upstream (or one): port, listener, faults, counters"},
    {"faults", "NAME RULES", 2, "PUT", "replace NAME's fault rules (JSON, @FILE or - for stdin)"},
    {"clear", "NAME", 1, "DELETE", "remove NAME's fault rules"},
    {"crash", "NAME", 1, "POST", "NAME dies as a killed process would; the port then refuses"},
    {"restart", "NAME", 1, "POST", "NAME accepts again on the same port"},
    {"listener", "NAME MODE", 2, "PUT", "accept, refuse or blackhole"},
    {"add", "UPSTREAM", 1, "POST", "start an upstream (JSON of an [[upstream]], @FILE or -)"},
    {"remove", "NAME", 1, "DELETE", "stop NAME and release its port"},
    {"reset", "", 0, "POST", "back to the scenario file's upstreams, faults and listeners"},
    {"journal", "", 0, "GET", "journal entries after --since (waits up to --wait for one)"},
    {"events", "", 0, "GET", "follow the journal as it happens (--count N to stop after N)"},
    {"call", "METHOD PATH [BODY]", 2, "", "any request; the reply body as it comes"},
};

const Action* find_action(std::string_view name) {
  for (const Action& a : actions)
    if (a.name == name) return &a;
  return nullptr;
}

// A JSON argument: inline text, @FILE, or - (stdin). Empty optional with `why` set on failure.
std::optional<std::string> json_argument(const std::string& arg, std::string& why) {
  std::string text;
  if (arg == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), {});
  } else if (arg.starts_with('@')) {
    std::ifstream in(arg.substr(1));
    if (!in) {
      why = "cannot read " + arg.substr(1);
      return std::nullopt;
    }
    text.assign(std::istreambuf_iterator<char>(in), {});
  } else {
    text = arg;
  }
  return text;
}

std::string encode_segment(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// The API's error message from its JSON body, else the body itself.
std::string error_text(const std::string& body) {
  boost::system::error_code ec;
  const auto v = boost::json::parse(body, ec);
  if (!ec && v.is_object()) {
    const auto& o = v.get_object();
    if (const auto* e = o.if_contains("error"); e && e->is_string()) {
      std::string out(e->get_string());
      if (const auto* list = o.if_contains("errors");
          list && list->is_array() && list->get_array().size() > 1) {
        for (const auto& f : list->get_array()) {
          const auto& fo = f.as_object();
          out += "\n  " + std::string(fo.at("path").as_string()) + ": " +
                 std::string(fo.at("message").as_string());
        }
      }
      return out;
    }
  }
  return body;
}

}  // namespace

std::string ctl_usage() {
  std::string out =
      "Usage: badgateway ctl [--control HOST:PORT] [--token T] [--timeout D] ACTION [ARGS]\n"
      "  Drive `badgateway serve FILE --control HOST:PORT` (docs/control-api.md). The reply's\n"
      "  JSON goes to stdout; an error reply's message to stderr.\n"
      "\n"
      "Actions:\n";
  for (const Action& a : actions) {
    std::string head =
        "  " + std::string(a.name) + (a.args.empty() ? "" : " ") + std::string(a.args);
    if (head.size() < 26)
      head.resize(26, ' ');
    else
      head += "\n" + std::string(26, ' ');
    out += head + std::string(a.what) + "\n";
  }
  out +=
      "\n"
      "Options:\n"
      "  --control HOST:PORT   where serve's API listens (default: $BGW_CONTROL)\n"
      "  --token T             the bearer token serve was given (default: $BGW_CONTROL_TOKEN)\n"
      "  --timeout D           deadline of the whole exchange (default 10s; events: how long\n"
      "                        to follow, default 1h)\n"
      "  --since N             journal, events: entries after seq N (default 0)\n"
      "  --wait D              journal: wait up to D for an entry after --since (default 0)\n"
      "  --limit N             journal: at most N entries (default 1000)\n"
      "  --count N             events: stop after N events\n"
      "\n"
      "Exit codes: 0 the API answered 2xx, 1 it answered an error, 2 usage error, 3 the API\n"
      "could not be reached.\n";
  return out;
}

int ctl_command(const std::vector<std::string>& args) {
  std::string control, token;
  std::optional<sim::Duration> timeout, wait;
  std::optional<std::uint64_t> since, limit, count;
  std::vector<std::string> words;
  CLI::App app;
  configure_app(app);
  app.add_option("--control", control)->type_name("HOST:PORT");
  app.add_option("--token", token)->type_name("T");
  add_duration(app, "--timeout", timeout,
               DurationRange{std::chrono::milliseconds(1), std::chrono::hours(24)});
  add_duration(app, "--wait", wait, DurationRange{sim::Duration{0}, std::chrono::seconds(60)});
  add_number(app, "--since", since, NumberRange{0, 1e15, true});
  add_number(app, "--limit", limit, NumberRange{1, 10000, true});
  add_number(app, "--count", count, NumberRange{1, 1e9, true});
  app.add_option("ACTION", words);
  const std::string usage = ctl_usage();
  // CLI11 2.1 reads a positional in [brackets] as a list and splits it at commas, and a JSON
  // array of fault rules is one: such arguments pass through parsing behind a marker byte.
  constexpr char marker = '\x01';
  std::vector<std::string> marked = args;
  for (auto& arg : marked)
    if (arg.starts_with('[')) arg.insert(arg.begin(), marker);
  if (const auto exit = parse_command_line(app, marked, "ctl", usage)) return *exit;
  for (auto& word : words)
    if (word.starts_with(marker)) word.erase(0, 1);

  if (control.empty())
    if (const char* env = std::getenv("BGW_CONTROL")) control = env;
  if (token.empty())
    if (const char* env = std::getenv("BGW_CONTROL_TOKEN")) token = env;
  if (control.empty())
    return usage_error("ctl", "give --control HOST:PORT (or set BGW_CONTROL)", usage);
  auto endpoint = control::parse_control_endpoint(control);
  if (auto* why = std::get_if<std::string>(&endpoint))
    return usage_error("ctl", "--control: " + *why, usage);
  if (words.empty()) return usage_error("ctl", "give an ACTION", usage);
  const Action* action = find_action(words.front());
  if (action == nullptr) return usage_error("ctl", "unknown action '" + words.front() + "'", usage);
  const std::vector<std::string> rest(words.begin() + 1, words.end());
  const std::size_t most = action->name == "upstreams" ? 1
                           : action->name == "call"    ? 3
                                                       : action->arity;
  if (rest.size() < action->arity || rest.size() > most)
    return usage_error("ctl",
                       std::string(action->name) + " takes " +
                           (action->args.empty() ? "no arguments" : std::string(action->args)),
                       usage);
  const bool journal_options = since || wait || limit;
  if (journal_options && action->name != "journal" &&
      !(action->name == "events" && !wait && !limit))
    return usage_error("ctl", "--since, --wait and --limit go with journal (--since with events)",
                       usage);
  if (count && action->name != "events")
    return usage_error("ctl", "--count goes with events", usage);

  control::ClientRequest request;
  request.method = std::string(action->method);
  request.token = token;
  if (timeout) request.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(*timeout);
  const std::string name = rest.empty() ? "" : "/" + encode_segment(rest.front());
  const std::string_view a = action->name;
  std::string why;
  auto body_from = [&](const std::string& arg) {
    auto text = json_argument(arg, why);
    if (text) request.body = std::move(*text);
    return text.has_value();
  };
  if (a == "health") {
    request.target = "/health";
  } else if (a == "upstreams") {
    request.target = "/upstreams" + name;
  } else if (a == "faults") {
    request.target = "/upstreams" + name + "/faults";
    if (!body_from(rest[1])) return usage_error("ctl", why, usage);
  } else if (a == "clear") {
    request.target = "/upstreams" + name + "/faults";
  } else if (a == "crash" || a == "restart") {
    request.target = "/upstreams" + name + "/" + std::string(a);
  } else if (a == "listener") {
    request.target = "/upstreams" + name + "/listener";
    request.body = boost::json::serialize(boost::json::object{{"mode", rest[1]}});
  } else if (a == "add") {
    request.target = "/upstreams";
    if (!body_from(rest[0])) return usage_error("ctl", why, usage);
  } else if (a == "remove") {
    request.target = "/upstreams" + name;
  } else if (a == "reset") {
    request.target = "/reset";
  } else if (a == "journal") {
    request.target = "/journal?since=" + std::to_string(since.value_or(0)) + "&wait_ms=" +
                     std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        wait.value_or(sim::Duration{0}))
                                        .count()) +
                     "&limit=" + std::to_string(limit.value_or(1000));
    if (wait) request.timeout += std::chrono::duration_cast<std::chrono::milliseconds>(*wait);
  } else if (a == "events") {
    request.target = "/events?since=" + std::to_string(since.value_or(0));
    if (!timeout) request.timeout = std::chrono::hours(1);
  } else {  // call
    request.method = rest[0];
    request.target = rest[1];
    if (rest.size() == 3 && !body_from(rest[2])) return usage_error("ctl", why, usage);
  }

  const auto& at = std::get<control::ControlEndpoint>(endpoint);
  try {
    if (a == "events") {
      std::uint64_t seen = 0;
      std::string error_body;
      const int status = control::stream_events(
          at, request,
          [&](const std::string& event) {
            std::cout << event << "\n\n" << std::flush;
            return !count || ++seen < *count;
          },
          error_body);
      if (status != 200) {
        std::cerr << "badgateway ctl: " << status << ": " << error_text(error_body) << "\n";
        return 1;
      }
      return 0;
    }
    const control::ClientReply reply = control::call(at, request);
    if (reply.status >= 200 && reply.status < 300) {
      std::cout << reply.body << std::flush;
      return 0;
    }
    std::cerr << "badgateway ctl: " << reply.status << ": " << error_text(reply.body) << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "badgateway ctl: " << e.what() << "\n";
    return 3;
  }
}

}  // namespace bgw::cli
