// Malformed scenarios: each case asserts the exact line and column of a diagnostic and a
// fragment of its message, so errors keep pointing at the spot a user has to fix.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "harness/scenario/load.hpp"

namespace {

using bgw::scenario::load_scenario_text;
using bgw::scenario::LoadResult;

// A valid start, lines 1-5; cases append from line 6.
const std::string H =
    "[scenario]\n"
    "name = \"t\"\n"
    "description = \"d\"\n"
    "[[upstream]]\n"
    "name = \"a\"\n";

// The same with a TLS upstream, lines 1-6; cases append from line 7.
const std::string T = H + "tls = {}\n";

struct Case {
  const char* file;
  int source_line;  // where the case is written, for failure messages
  std::string toml;
  std::uint32_t line;
  std::uint32_t column;
  std::string fragment;
};

#define BAD(toml, line, column, fragment)            \
  Case {                                             \
    __FILE__, __LINE__, toml, line, column, fragment \
  }

std::string dump(const LoadResult& r) {
  std::string out;
  for (const auto& d : r.diagnostics) out += "  " + d.to_string() + "\n";
  return out.empty() ? "  (no diagnostics)\n" : out;
}

void expect_diagnostic(const Case& c) {
  testing::ScopedTrace trace(c.file, c.source_line, "malformed scenario case");
  LoadResult r;
  ASSERT_NO_THROW(r = load_scenario_text(c.toml, "t.toml"));
  EXPECT_FALSE(r.ok());
  bool found = false;
  for (const auto& d : r.diagnostics) {
    found = found || (d.where.line == c.line && d.where.column == c.column &&
                      d.message.find(c.fragment) != std::string::npos);
  }
  EXPECT_TRUE(found) << "expected t.toml:" << c.line << ":" << c.column << " containing \""
                     << c.fragment << "\"; got:\n"
                     << dump(r);
}

const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      // ---- TOML itself, and the file as a whole
      BAD(H + "x = = 1\n", 6, 5, "invalid TOML"),
      BAD(H + "name = \"again\"\n", 6, 8, "cannot redefine existing string 'name'"),
      BAD(H + "s = \"\xff\xfe\"\n", 6, 5, "invalid utf-8"),
      BAD(std::string(bgw::scenario::max_file_size + 1, '#'), 1, 1, "limited to 4 MiB"),
      BAD(H + "[" + std::string(200, 'k') + std::string(200, '.') + "]\n", 6, 329,
          "nest deeper than 128"),
      BAD(H + "x = " + std::string(300, '[') + "\n", 6, 133, "nest deeper than 128"),
      BAD("", 1, 1, "no [scenario] table"),
      BAD("[[upstream]]\nname = \"a\"\n", 1, 1, "no [scenario] table"),
      BAD("colour = 1\n" + H, 1, 1, "unknown key 'colour' in the top level"),
      BAD(H + "[step]\n", 6, 1, "must be an array of tables: write [[step]]"),
      BAD(H + "[step.expect]\nseverity = \"must\"\n", 6, 1,
          "or [[step.…]] header before any [[step]]"),
      BAD("[scenario]\nname = \"t\"\ndescription = \"d\"\n", 1, 1, "at least one [[upstream]]"),

      // ---- [scenario]
      BAD("[scenario]\ndescription = \"d\"\n[[upstream]]\nname = \"a\"\n", 1, 1,
          "missing the required key 'name'"),
      BAD("[scenario]\nname = \"Bad Name\"\ndescription = \"d\"\n[[upstream]]\nname = \"a\"\n", 2,
          8, "must start with a lowercase letter"),
      BAD("[scenario]\nname = \"t\"\ndescription = \"  \"\n[[upstream]]\nname = \"a\"\n", 3, 15,
          "'description' is empty"),
      BAD("[scenario]\nname = \"t\"\ndescription = \"d\"\ntiemout = \"1s\"\n[[upstream]]\nname = "
          "\"a\"\n",
          4, 1, "did you mean 'timeout'?"),
      BAD("[scenario]\nname = \"t\"\ndescription = \"d\"\ntimeout = 10\n[[upstream]]\nname = "
          "\"a\"\n",
          4, 11, "such as \"10s\" or \"10ms\", not a bare number"),
      BAD("[scenario]\nname = \"t\"\ndescription = \"d\"\ntimeout = \"10 sec\"\n[[upstream]]\n"
          "name = \"a\"\n",
          4, 11, "\"10 sec\" is not a duration"),
      BAD("[scenario]\nname = \"t\"\ndescription = \"d\"\ntimeout = \"0s\"\n[[upstream]]\nname = "
          "\"a\"\n",
          4, 11, "must be greater than 0s"),
      BAD("[scenario]\nname = \"t\"\ndescription = \"d\"\ntags = [\"ok\", \"Not Ok\"]\n"
          "[[upstream]]\nname = \"a\"\n",
          4, 15, "entries of 'tags'"),
      BAD("[scenario]\nname = \"t\"\ndescription = \"d\"\nrequires = [\"retires\"]\n"
          "[[upstream]]\nname = \"a\"\n",
          4, 13, "did you mean \"retries\"?"),
      BAD("[scenario]\nname = \"t\"\ndescription = \"d\"\nrequires = [\"nginx>=one\"]\n"
          "[[upstream]]\nname = \"a\"\n",
          4, 13, "is not a version requirement"),
      BAD("[scenario]\nname = \"t\"\ndescription = \"d\"\nrequires = [\"ngnix>=1.2\"]\n"
          "[[upstream]]\nname = \"a\"\n",
          4, 13, "unknown proxy \"ngnix\""),

      // ---- [[upstream]]
      BAD(H + "[[upstream]]\nlistener = \"accept\"\n", 6, 1, "missing the required key 'name'"),
      BAD(H + "[[upstream]]\nname = \"a\"\n", 6, 1, "duplicate upstream name 'a'"),
      BAD(H + "listener = \"acept\"\n", 6, 12, "did you mean \"accept\"?"),

      // ---- upstream.tls and proxy.upstream_tls
      BAD(H + "tls = { certs = \"good\" }\n", 6, 9,
          "unknown key 'certs' in upstream.tls; did you mean 'cert'?"),
      BAD(H + "tls = { cert = \"expird\" }\n", 6, 16, "did you mean \"expired\"?"),
      BAD(H + "tls = { key = \"dsa\" }\n", 6, 15, "'key' must be \"rsa\" or \"ecdsa\""),
      BAD(H + "tls = { versions = [\"1.4\"] }\n", 6, 21, "a TLS version must be"),
      BAD(H + "tls = { versions = [] }\n", 6, 20, "'versions' is empty"),
      BAD(H + "tls = { versions = [\"1.2\", \"1.2\"] }\n", 6, 28, "TLS 1.2 is listed twice"),
      BAD(H + "tls = { alpn = [\"\"] }\n", 6, 17, "1 to 255 bytes"),
      BAD(H + "tls = { alpn = [\"h2\", \"h2\"] }\n", 6, 23, "\"h2\" is listed twice"),
      BAD(H + "tls = \"yes\"\n", 6, 7, "'tls'"),
      BAD(H + "[[upstream.fault]]\nfault = \"tls_no_shared_cipher\"\n", 6, 1,
          "fault \"tls_no_shared_cipher\" needs a TLS upstream; add tls = { } to upstream 'a'"),
      BAD(H + "[[upstream.event]]\nat = \"1s\"\naction = \"set_fault\"\nfault = "
              "\"tls_alert_mid_body\"\n",
          6, 1, "needs a TLS upstream"),
      BAD(H + "[proxy]\nupstream_tls = { verify = false }\n", 7, 16, "no upstream has tls"),
      BAD(H + "tls = {}\n[proxy]\nupstream_tls = { verfy = false }\n", 8, 18,
          "did you mean 'verify'?"),
      BAD(H + "tls = {}\n[proxy]\nupstream_tls = { sni = \"127.0.0.1\" }\n", 8, 24,
          "'sni' must be a DNS name"),
      BAD(H + "tls = {}\n[proxy]\nupstream_tls = { verify = \"no\" }\n", 8, 27, "'verify'"),
      BAD(H + "address = \"10.0.0.1\"\n", 6, 11, "must be a loopback address"),
      BAD(H + "seed = -1\n", 6, 8, "must be at least 0"),
      BAD(H + "response = { status = 700 }\n", 6, 23, "must be from 100 to 599, not 700"),
      BAD(H + "response = { body = \"x\", body_size = 10 }\n", 6, 26, "conflicts with 'body'"),
      BAD(H + "response = { chunk_size = 10 }\n", 6, 14, "only applies with chunked = true"),
      BAD(H + "response = { headers = { X-A = \"a\\nb\" } }\n", 6, 32,
          "must not contain CR, LF or NUL"),
      BAD(H + "response = { headers = { \"Bad Name\" = \"x\" } }\n", 6, 26, "is not a header name"),
      BAD(H + "response = { headers = [[\"X-A\"]] }\n", 6, 25, "[name, value] pairs"),
      BAD(H + "response = { body_size = \"64 KiB\" }\n", 6, 26, "is not a size"),
      BAD(H + "response = { body_size = \"1GiB\" }\n", 6, 26, "must be at most 16MiB, not 1024MiB"),
      BAD(H + "response = { statsu = 200 }\n", 6, 14, "did you mean 'status'?"),
      BAD(H + "[upstream.fault]\nfault = \"ok\"\n", 6, 1, "write [[upstream.fault]]"),

      // ---- [[upstream.fault]]
      BAD(H + "[[upstream.fault]]\nfualt = \"reset_after_request\"\n", 7, 1,
          "unknown key 'fualt' in [[upstream.fault]]; did you mean 'fault'?"),
      BAD(H + "[[upstream.fault]]\nnth = 1\n", 6, 1,
          "needs 'fault' (a catalogue fault) or 'steps'"),
      BAD(H + "[[upstream.fault]]\nfault = \"reset_after_requets\"\n", 7, 9,
          "did you mean \"reset_after_request\"?"),
      BAD(H + "[[upstream.fault]]\nfault = \"close_mid_headers\"\nparams = { byts = 3 }\n", 8, 12,
          "takes no parameter 'byts'; did you mean 'bytes'?"),
      BAD(H + "[[upstream.fault]]\nfault = \"reset_after_request\"\nparams = { bytes = 3 }\n", 8,
          12, "(it takes none)"),
      BAD(H + "[[upstream.fault]]\nfault = \"stall_before_headers\"\nparams = { duration = 5 }\n",
          8, 23, "not a bare number"),
      BAD(H + "[[upstream.fault]]\nfault = \"close_mid_body\"\nparams = { chunked = \"yes\" }\n", 8,
          22, "must be true or false"),
      BAD(H + "[[upstream.fault]]\nfault = \"close_mid_headers\"\nparams = { bytes = 1000 }\n", 8,
          20, "parameter 'bytes' of \"close_mid_headers\" must be from 1 to"),
      BAD(H + "[[upstream.fault]]\nfault = \"refuse\"\n", 7, 9,
          "\"refuse\" is a listener fault, not a rule"),
      BAD(H + "[[upstream.fault]]\nfault = \"close_on_accept\"\non = \"request\"\n", 8, 6,
          "runs when a connection is accepted"),
      BAD(H + "[[upstream.fault]]\nfault = \"ok\"\nsteps = [{ reset = true }]\n", 8, 1,
          "'steps' conflicts with 'fault'"),
      BAD(H + "[[upstream.fault]]\nfault = \"ok\"\nnth = 2\nfirst = 1\n", 9, 1,
          "conflicts with 'nth'"),
      BAD(H + "[[upstream.fault]]\nfault = \"ok\"\nfirst = 3\nlast = 2\n", 9, 8,
          "'last' (2) is before 'first' (3)"),
      BAD(H + "[[upstream.fault]]\nfault = \"ok\"\nprobability = 1.5\n", 8, 15,
          "must be from 0 to 1, not 1.5"),
      BAD(H + "[[upstream.fault]]\nfault = \"ok\"\nnth = 0\n", 8, 7, "must be at least 1, not 0"),
      BAD(H + "[[upstream.fault]]\nfault = \"ok\"\non = \"requets\"\n", 8, 6,
          "did you mean \"request\"?"),
      BAD(H + "[[upstream.fault]]\nsteps = []\n", 7, 9, "'steps' is empty"),
      BAD(H + "[[upstream.fault]]\nsteps = [{ read = \"whole\", reset = true }]\n", 7, 10,
          "exactly one action"),
      BAD(H + "[[upstream.fault]]\nsteps = [{ reset = true }, { write = \"x\" }]\n", 7, 28,
          "step 2 can never run: the connection ended at step 1 ('reset')"),
      BAD(H + "[[upstream.fault]]\nsteps = [{ raed = \"whole\" }]\n", 7, 12,
          "unknown key 'raed' in a step of 'steps'; did you mean 'read'?"),
      BAD(H + "[[upstream.fault]]\nsteps = [{ write = \"x\" }]\n", 7, 9,
          "neither read the request nor end the connection"),
      BAD(H + "[[upstream.fault]]\nsteps = [{ read = \"whole\" }, { graceful_close = 5 }]\n", 7, 49,
          "'graceful_close' must be true or a duration"),
      BAD(H + "[[upstream.fault]]\nsteps = [{ read = \"whole\" }, { graceful_close = false }]\n", 7,
          49, "can only be true"),
      BAD(H + "[[upstream.fault]]\nsteps = [{ graceful_close = true }, { close = true }]\n", 7, 37,
          "can never run"),
      BAD(H + "[[upstream.fault]]\nfault = \"close_on_accept\"\nparams = { close = \"gracefull\" "
              "}\n",
          8, 20, "must be \"close\" (close(2): later writes get RST) or \"graceful\""),
      BAD(H + "[[upstream.fault]]\nfault = \"reset_on_accept\"\nparams = { close = \"graceful\" "
              "}\n",
          8, 12, "takes no parameter 'close'"),
      BAD(H + "[[upstream.fault]]\nsteps = [{ serve = 1 }, { close = true }]\n", 7, 10,
          "only runs in a connection rule"),
      BAD(H + "[[upstream.fault]]\nsteps = [{ close = false }]\n", 7, 20, "can only be true"),
      BAD(H + "[[upstream.fault]]\nsteps = [{ drip = \"ab\", interval = \"0s\" }, { close = true "
              "}]\n",
          7, 36, "'interval' must be greater than 0s"),
      BAD(H + "[[upstream.fault]]\nsteps = [{ write = \"x\", chunk = 2 }, { close = true }]\n", 7,
          25, "only applies to a 'drip' step"),
      BAD(H + "[[upstream.fault]]\nsteps = [{ read = \"all\" }]\n", 7, 19,
          "'read' must be \"head\" or \"whole\", not \"all\""),
      BAD(H + "[[upstream.fault]]\nsteps = [{ respond = \"al\" }, { close = true }]\n", 7, 22,
          "did you mean \"all\"?"),
      BAD(H + "[[upstream.fault]]\nsteps = [\"read\"]\n", 7, 10,
          "entries of 'steps' must be a table, not a string"),

      // ---- TLS steps: a TLS upstream only, each in its place around the handshake
      BAD(H + "[[upstream.fault]]\non = \"connection\"\nsteps = [{ stall = \"1s\" }, { handshake "
              "= {} }]\n",
          8, 28, "step 'handshake' needs a TLS upstream; add tls = { } to upstream 'a'"),
      BAD(H + "[[upstream.event]]\nat = \"1s\"\naction = \"set_fault\"\non = \"connection\"\n"
              "steps = [{ await_client_hello = true }, { close = true }]\n",
          10, 10, "step 'await_client_hello' needs a TLS upstream"),
      BAD(T + "[[upstream.fault]]\non = \"connection\"\nsteps = [{ handshake = { offer = "
              "\"legacy_version\" } }]\n",
          9, 34, "did you mean \"legacy_versions\"?"),
      BAD(T + "[[upstream.fault]]\non = \"connection\"\nsteps = [{ handshake = true }]\n", 9, 24,
          "'handshake' must be a table"),
      BAD(T + "[[upstream.fault]]\non = \"connection\"\nsteps = [{ handshake = { alpn = [] } }]\n",
          9, 33, "'alpn' is empty"),
      BAD(T + "[[upstream.fault]]\non = \"connection\"\nsteps = [{ handshake = { alpn = [\"h2\", "
              "\"h2\"] } }]\n",
          9, 40, "ALPN protocol \"h2\" is listed twice"),
      BAD(T + "[[upstream.fault]]\non = \"connection\"\nsteps = [{ handshake = { alpn_select = "
              "true } }]\n",
          9, 26, "'alpn_select' only applies with 'alpn'"),
      BAD(T + "[[upstream.fault]]\non = \"connection\"\nsteps = [{ handshake = { ofer = "
              "\"upstream\" } }]\n",
          9, 26, "unknown key 'ofer' in a 'handshake' step; did you mean 'offer'?"),
      BAD(T + "[[upstream.fault]]\nsteps = [{ read = \"whole\" }, { provoke_alert = "
              "\"bad_recod_mac\" "
              "}]\n",
          8, 48,
          "'provoke_alert' must be \"bad_record_mac\" or \"record_overflow\", not "
          "\"bad_recod_mac\"; did you mean \"bad_record_mac\"?"),
      BAD(T + "[[upstream.fault]]\nsteps = [{ read = \"whole\" }, { provoke_alert = 1 }]\n", 8, 48,
          "'provoke_alert' must be a string"),
      BAD(T + "[[upstream.fault]]\non = \"connection\"\nsteps = [{ server_hello_only = false }, { "
              "close = true }]\n",
          9, 32, "'server_hello_only' can only be true"),
      BAD(T + "[[upstream.fault]]\nsteps = [{ read = \"whole\" }, { corrupt_next_record = 1 }]\n",
          8, 54, "must be true or false"),
      BAD(T + "[[upstream.fault]]\nsteps = [{ handshake = {} }, { close = true }]\n", 8, 10,
          "'handshake' runs before the TLS handshake, and a request rule runs after it; add on = "
          "\"connection\""),
      BAD(T + "[[upstream.fault]]\non = \"connection\"\nsteps = [{ handshake = {} }, { handshake = "
              "{} }]\n",
          9, 30,
          "'handshake' runs before the TLS handshake, which step 1 ('handshake') already ran"),
      BAD(T + "[[upstream.fault]]\non = \"connection\"\nsteps = [{ serve = 1 }, { "
              "await_client_hello = true }]\n",
          9, 25, "which step 1 ('serve') already ran"),
      BAD(T + "[[upstream.fault]]\non = \"connection\"\nsteps = [{ server_hello_only = true }, "
              "{ serve = 1 }]\n",
          9, 40,
          "'serve' cannot follow step 1 ('server_hello_only'): no handshake can complete after a "
          "ServerHello sent alone"),
      BAD(T + "[[upstream.fault]]\non = \"connection\"\nsteps = [{ server_hello_only = true }, "
              "{ handshake = {} }]\n",
          9, 40, "'handshake' cannot follow step 1 ('server_hello_only')"),
      BAD(T + "[[upstream.fault]]\non = \"connection\"\nsteps = [{ server_hello_only = true }, "
              "{ stall = \"1s\" }]\n",
          9, 9, "after 'server_hello_only' (step 1) the steps must end the connection"),
      BAD(T + "[[upstream.fault]]\non = \"connection\"\nsteps = [{ provoke_alert = "
              "\"bad_record_mac\" }, { close = true }]\n",
          9, 10, "'provoke_alert' acts on TLS records, which need the handshake done"),

      // ---- [[upstream.event]]
      BAD(H + "[[upstream.event]]\nat = \"1s\"\n", 6, 1, "missing the required key 'action'"),
      BAD(H + "[[upstream.event]]\nat = \"1s\"\naction = \"crsh\"\n", 8, 10,
          "did you mean \"crash\"?"),
      BAD(H + "[[upstream.event]]\nat = \"40s\"\naction = \"crash\"\n", 7, 6,
          "event at 40s would never run: the scenario's timeout is 30s"),
      BAD(H + "[[upstream.event]]\nat = \"1s\"\naction = \"crash\"\nfault = \"ok\"\n", 9, 1,
          "only applies to action = \"set_fault\""),
      BAD(H + "[[upstream.event]]\nat = \"1s\"\naction = \"set_fault\"\n", 6, 1,
          "needs 'fault' (a catalogue fault) or 'steps'"),
      BAD(H + "[[upstream.event]]\nat = \"1s\"\naction = \"set_fault\"\nfault = \"blackhole\"\n", 9,
          9, "switch the listener with action"),

      // ---- [proxy]
      BAD(H + "[proxy]\npool = [\"b\"]\n", 7, 9, "names upstream 'b', but no [[upstream]]"),
      BAD(H + "[[upstream]]\nname = \"alpha\"\n[proxy]\npool = [\"alpah\"]\n", 9, 9,
          "did you mean 'alpha'?"),
      BAD(H + "[proxy]\npool = [\"a\", { upstream = \"a\" }]\n", 7, 27, "already in the pool"),
      BAD(H + "[proxy]\npool = [{ upstream = \"a\", backup = true }]\n", 7, 22,
          "at least one must be a primary"),
      BAD(H + "[proxy]\npool = [{ upstream = \"a\", weight = 0 }]\n", 7, 36, "from 1 to 1000"),
      BAD(H + "[proxy]\npool = []\n", 7, 8, "'pool' is empty"),
      BAD(H + "[proxy]\npool = [1]\n", 7, 9, "entries of 'pool' must be upstream names"),
      BAD(H + "[proxy]\ntimeouts = { connect = \"0s\" }\n", 7, 24, "must be greater than 0s"),
      BAD(H + "[proxy]\ntimeouts = { conect = \"1s\" }\n", 7, 14, "did you mean 'connect'?"),
      BAD(H + "[proxy]\nretry = { on = [\"5xx\"] }\n", 7, 17, "\"http_5xx\""),
      BAD(H + "[proxy]\nretry = { attempts = -1 }\n", 7, 22, "from 0 to 100"),
      BAD(H + "[proxy]\nhealth = { max_fails = \"1\" }\n", 7, 24,
          "must be an integer, not a string"),
      BAD(H + "[proxy.override.ngnix]\nx = 1\n", 6, 17, "did you mean 'nginx'?"),
      BAD(H + "[proxy.override.nginx]\nx = { y = { z = 1 } }\nw = [1]\n", 8, 6,
          "arrays in proxy overrides hold strings only"),
      BAD(H + "[proxy.override.apache]\nx = 1\n", 6, 17, "did you mean 'apache2'?"),
      BAD(H + "[proxy]\nretry = { same_upstream = 1 }\n", 7, 27, "'attempts' is 0"),
      BAD(H + "[proxy]\nretry = { attempts = 1, same_upstream = 101 }\n", 7, 41, "from 0 to 100"),
      BAD(H + "[proxy]\nlistener = { keepalive = \"yes\" }\n", 7, 26, "must be true or false"),

      // ---- [[step]]
      BAD(H + "[[step]]\nrepeat = 0\n", 7, 10, "must be from 1 to 10000, not 0"),
      BAD(H + "[[step]]\nrepeat = 2\nconcurrency = 3\n", 8, 15, "exceeds 'repeat' (2)"),
      BAD(H + "[[step]]\nreuse_connection = true\n", 7, 20, "no previous connection to reuse"),
      BAD(H + "[[step]]\n[[step]]\nreuse_connection = true\nrepeat = 2\nconcurrency = 2\n", 10, 15,
          "cannot go with reuse_connection"),
      BAD(H + "[[step]]\nrequest = { method = \"GE T\" }\n", 7, 22, "must be a token"),
      BAD(H + "[[step]]\nrequest = { target = \"/a b\" }\n", 7, 22, "contain no spaces"),
      BAD(H + "[[step]]\nrequest = { methd = \"GET\" }\n", 7, 13, "did you mean 'method'?"),
      BAD(H + "[[step]]\nrequest = \"GET /\"\n", 7, 11, "'request' must be a table, not a string"),
      BAD(H + "[[step]]\npause = \"1 s\"\n", 7, 9, "is not a duration"),
      BAD(H + "[[step]]\npause = \"31s\"\n", 6, 1, "pauses add up to 31s"),
      BAD(H + "[[step]]\npause = \"1s\"\nat = \"2s\"\n", 8, 1, "conflicts with 'pause'"),
      BAD(H + "[[step]]\nat = \"2s\"\n[[step]]\nat = \"1s\"\n", 9, 6,
          "earlier than the 'at' of a previous step (2s, line 7, column 6)"),
      BAD(H + "[[step]]\nat = \"31s\"\n", 6, 1, "'at' and pauses reach 31s"),
      BAD(H + "[[step]]\nat = \"2hr\"\n", 7, 6, "is not a duration"),

      // ---- [[step.expect]]
      BAD(H + "[[step]]\n[[step.expect]]\nstatus = 502\nany_of = [{ status = 502 }]\n", 9, 10,
          "'any_of' needs at least two alternatives"),
      BAD(H + "[[step]]\n[[step.expect]]\nany_of = { status = 502 }\n", 8, 10,
          "'any_of' must be an array"),
      BAD(H + "[[step]]\n[[step.expect]]\nany_of = [{ stauts = 502 }, { status = 200 }]\n", 8, 13,
          "did you mean 'status'?"),
      BAD(H + "[[step]]\n[[step.expect]]\nany_of = [{ status = 502 }, { any_of = [] }]\n", 8, 31,
          "any_of"),
      BAD(H + "[[step]]\n[[step.expect]]\nany_of = [{ status = 502 }, { severity = \"should\" }]\n",
          8, 31, "severity"),
      BAD(H + "[[step]]\n[[step.expect]]\nhead_contains = \"\"\n", 8, 17,
          "'head_contains' is empty"),
      BAD(H + "[[step]]\n[[step.expect]]\nhead_contains = 1\n", 8, 17, "must be a string"),
      BAD(H + "[[step]]\n[[step.expect]]\nseverity = \"must\"\n", 7, 1, "checks nothing"),
      BAD(H + "[[step]]\n[[step.expect]]\nseverity = \"mst\"\nstatus = 502\n", 8, 12,
          "did you mean \"must\"?"),
      BAD(H + "[[step]]\n[[step.expect]]\nseverity = \"must\"\nstatus = 99\n", 9, 10,
          "from 100 to 599"),
      BAD(H + "[[step]]\n[[step.expect]]\nseverity = \"must\"\nstatus = [502, \"6xx\"]\n", 9, 16,
          "takes a code (502), a class (\"5xx\")"),
      BAD(H + "[[step]]\n[[step.expect]]\nseverity = \"must\"\nstatus = \"502\"\n", 9, 10,
          "'status' codes are integers: write 502, not \"502\""),
      BAD(H + "[[step]]\n[[step.expect]]\nseverity = \"must\"\nbody = \"truncted\"\n", 9, 8,
          "did you mean \"truncated\"?"),
      BAD(H + "[[step]]\n[[step.expect]]\nseverity = \"must\"\nwithin = \"1s\"\nnot_before = "
              "\"2s\"\n",
          10, 14, "must be earlier than 'within'"),
      BAD(H + "[[step]]\n[[step.expect]]\nseverity = \"must\"\nwithin = \"31s\"\n", 9, 10,
          "longer than the scenario's timeout (30s)"),
      BAD(H + "[[step]]\n[[step.expect]]\nseverity = \"must\"\nbody = \"truncated\"\nbody_equals "
              "= \"x\"\n",
          10, 1, "needs a complete body"),
      BAD(H + "[[step]]\n[[step.expect]]\nseverity = \"must\"\nheaders = { present = [\"X-A\"], "
              "absent = [\"x-a\"] }\n",
          9, 42, "cannot be both absent and present"),
      BAD(H + "[[step]]\n[[step.expect]]\nseverity = \"must\"\nconnection = \"closed\"\n", 9, 14,
          "did you mean \"close\"?"),
      BAD(H + "[[step]]\n[[step.expect]]\nseverity = \"must\"\nstatus = 502\n"
              "[step.expect.override.haproxy]\n",
          10, 1, "this override changes nothing"),
      BAD(H + "[[step]]\n[[step.expect]]\nseverity = \"must\"\nstatus = 502\n"
              "[step.expect.override.haprox]\nstatus = 503\n",
          10, 23, "did you mean 'haproxy'?"),
      BAD(H + "[[step]]\n[[step.expect]]\nseverity = \"must\"\nstatus = 502\n"
              "[step.expect.override.haproxy]\nstauts = 503\n",
          11, 1, "did you mean 'status'?"),

      // ---- [[expect]]
      BAD(H + "[[expect]]\nseverity = \"must\"\nconnections = 1\n", 6, 1, "add upstream ="),
      BAD(H + "[[expect]]\nseverity = \"must\"\nupstream = \"b\"\nrequests = 1\n", 8, 12,
          "this expectation names upstream 'b'"),
      BAD(H + "[[expect]]\nseverity = \"must\"\nupstream = \"a\"\nrequests = { min = 2, max = 1 "
              "}\n",
          9, 29, "'max' (1) is below 'min' (2)"),
      BAD(H + "[[expect]]\nseverity = \"must\"\nupstream = \"a\"\nrequests = { mni = 2 }\n", 9, 14,
          "did you mean 'min'?"),
      BAD(H + "[[expect]]\nseverity = \"must\"\nnon_idempotent_once = false\n", 8, 23,
          "can only be true"),
      BAD(H + "[[expect]]\nseverity = \"must\"\nupstream = \"a\"\nconnections = \"one\"\n", 9, 15,
          "must be a count (1) or a range"),
  };
  return all;
}

TEST(ScenarioDecode, EveryMalformedCaseHasItsDiagnosticAtTheExactSpot) {
  ASSERT_GE(cases().size(), 40u);
  for (const Case& c : cases()) expect_diagnostic(c);
}

TEST(ScenarioDecode, ReportsEveryProblemOfAFileInOneRun) {
  const std::string text = H +
                           "listener = \"acept\"\n"             // 6
                           "[[upstream.fault]]\n"               // 7
                           "fault = \"reset_after_requets\"\n"  // 8
                           "[[step]]\n"                         // 9
                           "repeat = 0\n"                       // 10
                           "[[step.expect]]\n"                  // 11
                           "severity = \"must\"\n"              // 12
                           "status = \"6xx\"\n";                // 13
  const LoadResult r = load_scenario_text(text, "t.toml");
  ASSERT_EQ(r.diagnostics.size(), 4u) << dump(r);
  EXPECT_EQ(r.diagnostics[0].where.line, 6u);
  EXPECT_EQ(r.diagnostics[1].where.line, 8u);
  EXPECT_EQ(r.diagnostics[2].where.line, 10u);
  EXPECT_EQ(r.diagnostics[3].where.line, 13u);
}

TEST(ScenarioDecode, DiagnosticsPrintLikeACompiler) {
  const LoadResult r = load_scenario_text(H + "listener = \"acept\"\n", "dir/x.toml");
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].to_string(),
            "dir/x.toml:6:12: error: 'listener' must be \"accept\", \"refuse\" or \"blackhole\", "
            "not \"acept\"; did you mean \"accept\"?");
}

TEST(ScenarioDecode, UnknownKeyWithoutACloseMatchListsTheAllowedKeys) {
  const LoadResult r = load_scenario_text(H + "[proxy.health]\nzzzzzz = 1\n", "t.toml");
  ASSERT_EQ(r.diagnostics.size(), 1u) << dump(r);
  EXPECT_THAT(r.diagnostics[0].message,
              testing::HasSubstr("(allowed: 'max_fails' or 'fail_window')"));
}

TEST(ScenarioDecode, LoadingAMissingFileIsADiagnostic) {
  const LoadResult r = bgw::scenario::load_scenario("/nonexistent/dir/x.toml");
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_THAT(r.diagnostics[0].to_string(),
              testing::StartsWith("/nonexistent/dir/x.toml:1:1: error: cannot read the file"));
}

}  // namespace
