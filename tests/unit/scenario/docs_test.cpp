// The reference and the examples cannot rot: every TOML block of docs/scenario-format.md and
// every file under scenarios/ loads with zero diagnostics, the documented key tables are
// exactly the loader's, and the fault table is the catalogue's.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "harness/scenario/discover.hpp"
#include "harness/scenario/keys.hpp"
#include "harness/scenario/load.hpp"
#include "harness/scenario/reference.hpp"
#include "harness/scenario/vocabulary.hpp"
#include "repo_root.hpp"

namespace {

namespace fs = std::filesystem;
using bgw::scenario::LoadResult;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string dump(const LoadResult& r) {
  std::string out;
  for (const auto& d : r.diagnostics) out += "  " + d.to_string() + "\n";
  return out;
}

class ScenarioDocs : public testing::Test {
 protected:
  void SetUp() override {
    const auto root = bgw::test::repo_root();
    ASSERT_TRUE(root) << "cannot find the repository root (docs/scenario-format.md)";
    root_ = *root;
    doc_ = read(root_ / "docs" / "scenario-format.md");
    ASSERT_FALSE(doc_.empty());
  }

  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    std::istringstream in(doc_);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }

  fs::path root_;
  std::string doc_;
};

TEST_F(ScenarioDocs, EveryTomlBlockInTheReferenceLoadsWithoutDiagnostics) {
  const auto ls = lines();
  int blocks = 0;
  for (std::size_t i = 0; i < ls.size(); ++i) {
    if (ls[i] != "```toml") continue;
    const std::size_t first = i + 1;
    std::string text;
    for (++i; i < ls.size() && ls[i] != "```"; ++i) text += ls[i] + "\n";
    ++blocks;
    const std::string name =
        "docs/scenario-format.md (block at line " + std::to_string(first) + ")";
    const LoadResult r = bgw::scenario::load_scenario_text(text, name);
    EXPECT_TRUE(r.ok() && r.diagnostics.empty()) << name << ":\n" << dump(r);
  }
  EXPECT_GE(blocks, 10);
}

TEST_F(ScenarioDocs, EveryScenarioFileLoadsWithoutDiagnostics) {
  const auto found = bgw::scenario::find_scenario_files({root_ / "scenarios"});
  EXPECT_TRUE(found.errors.empty());
  std::size_t examples = 0;
  std::map<std::string, std::string> names;
  for (const fs::path& file : found.files) {
    const LoadResult r = bgw::scenario::load_scenario(file);
    EXPECT_TRUE(r.ok() && r.diagnostics.empty()) << file << ":\n" << dump(r);
    if (!r.ok()) continue;
    const auto [it, fresh] = names.emplace(r.scenario->meta.name, file.string());
    EXPECT_TRUE(fresh) << "scenario name '" << it->first << "' used by " << it->second << " and "
                       << file;
    EXPECT_THAT(read(file), testing::StartsWith("# Why:"))
        << file << " must open with a '# Why:' paragraph";
    if (file.parent_path().filename() == "examples") ++examples;
  }
  EXPECT_GE(examples, 4u);
}

// After each `<!-- keys: PATH -->` marker, the first Markdown table lists the keys of PATH in
// its first column.
TEST_F(ScenarioDocs, KeyTablesInTheReferenceAreExactlyTheLoaders) {
  const std::regex marker(R"(<!-- keys: ([a-z_.]+) -->)");
  const std::regex row(R"(^\| `([a-z_]+)` \|)");
  std::map<std::string, std::set<std::string>> documented;
  std::string current;
  bool in_table = false;
  for (const std::string& line : lines()) {
    std::smatch m;
    if (std::regex_search(line, m, marker)) {
      current = m[1];
      EXPECT_FALSE(documented.count(current)) << "two key tables for " << current;
      documented[current];
      in_table = false;
      continue;
    }
    if (current.empty()) continue;
    if (!line.empty() && line[0] == '|') {
      in_table = true;
      if (std::regex_search(line, m, row)) documented[current].insert(m[1]);
    } else if (in_table || (!line.empty() && line[0] == '#')) {
      current.clear();
    }
  }
  std::set<std::string> loader_paths;
  for (const auto* table : bgw::scenario::key_tables()) {
    const std::string path(table->path);
    loader_paths.insert(path);
    ASSERT_TRUE(documented.count(path)) << "no `<!-- keys: " << path << " -->` table in the docs";
    const std::set<std::string> keys(table->keys.begin(), table->keys.end());
    for (const auto& k : keys)
      EXPECT_TRUE(documented[path].count(k))
          << "the loader accepts '" << k << "' in " << path << ", but the reference omits it";
    for (const auto& k : documented[path])
      EXPECT_TRUE(keys.count(k)) << "the reference documents '" << k << "' in " << path
                                 << ", but the loader rejects it";
  }
  for (const auto& [path, keys] : documented)
    EXPECT_TRUE(loader_paths.count(path)) << "the reference documents an unknown table " << path;
}

TEST_F(ScenarioDocs, FaultTableIsTheCatalogues) {
  const std::string begin = "<!-- BEGIN fault-table -->\n", end = "<!-- END fault-table -->";
  const auto a = doc_.find(begin), b = doc_.find(end);
  ASSERT_NE(a, std::string::npos);
  ASSERT_NE(b, std::string::npos);
  EXPECT_EQ(doc_.substr(a + begin.size(), b - a - begin.size()),
            bgw::scenario::fault_table_markdown())
      << "regenerate the table with `badgateway faults --markdown`";
}

template <class E>
void expect_spellings_documented(const std::string& doc) {
  for (const auto& s : bgw::scenario::spellings<E>())
    EXPECT_NE(doc.find("\"" + std::string(s.name) + "\""), std::string::npos)
        << "value \"" << s.name << "\" is not in the reference";
}

TEST_F(ScenarioDocs, EveryEnumeratedValueIsDocumented) {
  using namespace bgw::scenario;
  expect_spellings_documented<bgw::sim::ListenerMode>(doc_);
  expect_spellings_documented<bgw::sim::RuleScope>(doc_);
  expect_spellings_documented<bgw::sim::ReadPart>(doc_);
  expect_spellings_documented<EventAction>(doc_);
  expect_spellings_documented<RetryOn>(doc_);
  expect_spellings_documented<Severity>(doc_);
  expect_spellings_documented<BodyState>(doc_);
  expect_spellings_documented<ConnectionEnd>(doc_);
  expect_spellings_documented<bgw::sim::CertKind>(doc_);
  expect_spellings_documented<bgw::sim::KeyKind>(doc_);
  expect_spellings_documented<bgw::sim::TlsVersion>(doc_);
  expect_spellings_documented<bgw::sim::TlsOffer>(doc_);
  expect_spellings_documented<bgw::sim::TlsAlertCause>(doc_);
  for (const auto p : known_proxies())
    EXPECT_NE(doc_.find("\"" + std::string(p) + "\""), std::string::npos) << p;
  for (const auto f : known_features())
    EXPECT_NE(doc_.find("\"" + std::string(f) + "\""), std::string::npos) << f;
}

}  // namespace
