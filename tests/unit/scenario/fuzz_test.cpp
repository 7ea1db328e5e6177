// Hostile input never crashes the loader or escapes as an exception, and whatever it rejects
// comes with at least one diagnostic: random bytes, mutations of valid files, and the limits
// (size, nesting, encoding). Fixed seeds, bounded counts: runs in well under a second or two.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "harness/scenario/discover.hpp"
#include "harness/scenario/load.hpp"
#include "repo_root.hpp"

namespace {

using bgw::scenario::load_scenario_text;
using bgw::scenario::LoadResult;

// Loads `text` and checks the loader's contract; returns false (with a failure) if broken.
bool survives(const std::string& text, const std::string& what) {
  LoadResult r;
  try {
    r = load_scenario_text(text, "fuzz.toml");
  } catch (...) {
    ADD_FAILURE() << what << ": an exception escaped the loader";
    return false;
  }
  if (r.ok() != r.diagnostics.empty()) {
    ADD_FAILURE() << what << ": ok() is " << r.ok() << " with " << r.diagnostics.size()
                  << " diagnostics";
    return false;
  }
  for (const auto& d : r.diagnostics) {
    if (d.where.line == 0 || d.where.column == 0 || d.message.empty()) {
      ADD_FAILURE() << what << ": malformed diagnostic " << d.to_string();
      return false;
    }
  }
  return true;
}

std::vector<std::string> seeds() {
  std::vector<std::string> out;
  if (const auto root = bgw::test::repo_root()) {
    for (const auto& f : bgw::scenario::find_scenario_files({*root / "scenarios"}).files) {
      std::ifstream in(f, std::ios::binary);
      std::stringstream s;
      s << in.rdbuf();
      out.push_back(s.str());
    }
  }
  out.push_back(
      "[scenario]\nname = \"s\"\ndescription = \"d\"\n[[upstream]]\nname = \"a\"\n"
      "[[upstream.fault]]\nfault = \"close_mid_body\"\nparams = { bytes = 3, length = 10 }\n"
      "[[upstream.event]]\nat = \"1s\"\naction = \"set_fault\"\nsteps = [{ read = \"whole\" }, "
      "{ drip = \"ab\", interval = \"1ms\" }, { reset = true }]\n[proxy]\npool = [\"a\"]\n"
      "[[step]]\nrequest = { method = \"POST\", body_size = \"1KiB\" }\n[[step.expect]]\n"
      "severity = \"must\"\nstatus = [502, \"5xx\"]\nwithin = \"1s\"\n[[expect]]\n"
      "severity = \"should\"\nupstream = \"a\"\nrequests = { min = 1 }\n");
  return out;
}

TEST(ScenarioFuzz, RandomBytesNeverCrashAndAlwaysExplain) {
  std::mt19937_64 rng(20261124);
  std::uniform_int_distribution<int> byte(0, 255), length(0, 600);
  // Bias half the inputs towards TOML-looking text, so the decoder is reached too.
  const std::string alphabet = "[]{}=\"'.,#\n \t\\abcdefnrstuz0123456789-_:";
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  for (int i = 0; i < 2000; ++i) {
    std::string text(static_cast<std::size_t>(length(rng)), '\0');
    for (char& c : text) c = i % 2 ? static_cast<char>(byte(rng)) : alphabet[pick(rng)];
    if (!survives(text, "random input " + std::to_string(i))) return;
    // Random text is never a scenario: it must be rejected with a reason.
    EXPECT_FALSE(load_scenario_text(text, "fuzz.toml").diagnostics.empty());
  }
}

TEST(ScenarioFuzz, MutationsOfValidFilesNeverCrash) {
  const auto valid = seeds();
  ASSERT_FALSE(valid.empty());
  std::mt19937_64 rng(7);
  const std::string tokens[] = {
      "[",        "]",    "{",      "}",          "=",       "\"",           "'",      ".",
      ",",        "\n",   "#",      "0",          "-1",      "1e9",          "true",   "\"5xx\"",
      "[[step]]", "\xff", "\"\"\"", "[upstream]", "nth = 0", "at = \"99s\"", "\\u0000"};
  int rejected = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string text = valid[static_cast<std::size_t>(i) % valid.size()];
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      const std::size_t at = rng() % text.size();
      switch (rng() % 5) {
        case 0:
          text[at] = static_cast<char>(rng() % 256);
          break;  // flip a byte
        case 1:
          text.erase(at, 1 + rng() % 8);
          break;  // delete
        case 2:
          text.insert(at, tokens[rng() % std::size(tokens)]);
          break;  // insert
        case 3:
          text.resize(at);
          break;   // truncate
        case 4: {  // duplicate a line
          const auto begin = text.rfind('\n', at);
          const auto end = text.find('\n', at);
          const auto b = begin == std::string::npos ? 0 : begin + 1;
          text.insert(b, text.substr(b, (end == std::string::npos ? text.size() : end) - b) + "\n");
          break;
        }
      }
    }
    if (!survives(text, "mutation " + std::to_string(i))) return;
    rejected += load_scenario_text(text, "fuzz.toml").ok() ? 0 : 1;
  }
  EXPECT_GT(rejected, 1000);  // most mutations break something, and each says what
}

TEST(ScenarioFuzz, LimitsAreDiagnosticsNotCrashes) {
  const std::string head = "[scenario]\nname = \"t\"\ndescription = \"d\"\n";
  // 100000 dotted keys would overflow the stack inside toml++; the guard stops it first.
  std::string dotted = head + "a";
  for (int i = 0; i < 100000; ++i) dotted += ".a";
  EXPECT_TRUE(survives(dotted + " = 1\n", "dotted keys"));
  std::string header = head + "[a";
  for (int i = 0; i < 100000; ++i) header += ".a";
  EXPECT_TRUE(survives(header + "]\n", "table header"));
  EXPECT_TRUE(survives(head + "x = " + std::string(100000, '[') + "\n", "nested arrays"));
  EXPECT_TRUE(survives(head + "x = " + std::string(3000, '{') + "\n", "nested tables"));
  EXPECT_TRUE(survives(head + "x = \"\xc3\x28\"\n", "invalid UTF-8"));
  EXPECT_TRUE(survives(std::string("\0\0\0\0", 4), "NUL bytes"));
  EXPECT_TRUE(survives(std::string(bgw::scenario::max_file_size + 1, 'a'), "too large"));

  // A 50 MB file on disk is refused by its size, before it is read.
  const auto path = std::filesystem::path(testing::TempDir()) /
                    ("bgw_fuzz_big_" + std::to_string(::getpid()) + ".toml");
  { std::ofstream(path) << "#"; }
  std::filesystem::resize_file(path, 50u * 1024 * 1024);
  const auto start = std::chrono::steady_clock::now();
  const LoadResult r = bgw::scenario::load_scenario(path);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  std::filesystem::remove(path);
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_NE(r.diagnostics[0].message.find("limited to 4 MiB"), std::string::npos);
}

}  // namespace
