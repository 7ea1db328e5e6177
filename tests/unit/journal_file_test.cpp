// sim::JournalFile: lines arrive whole, in chunks; past the cap the file becomes PATH.1 and a new
// one starts, so the disk holds the newest lines and at most about twice the cap.
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "simulator/journal_file.hpp"

namespace {

namespace fs = std::filesystem;
using bgw::sim::JournalFile;

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path fresh_dir(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("bgw-journal-file-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string line(int i) {
  std::string l = "{\"n\":" + std::to_string(i) + ",\"pad\":\"";
  l.append(40, 'x');
  return l + "\"}";
}

TEST(JournalFile, WithoutACapKeepsEveryLineInOrder) {
  const fs::path dir = fresh_dir("nocap");
  const fs::path path = dir / "j.jsonl";
  {
    JournalFile file(path.string());
    JournalFile::Buffer buffer(file);
    for (int i = 0; i < 5000; ++i) buffer.add_line(line(i));
  }
  std::istringstream in(read(path));
  int n = 0;
  for (std::string l; std::getline(in, l); ++n) ASSERT_EQ(l, line(n));
  EXPECT_EQ(n, 5000);
  EXPECT_FALSE(fs::exists(dir / "j.jsonl.1"));
  fs::remove_all(dir);
}

TEST(JournalFile, PastTheCapRotatesAndKeepsTheNewestWhole) {
  const fs::path dir = fresh_dir("cap");
  const fs::path path = dir / "j.jsonl";
  constexpr std::uint64_t cap = 16 * 1024;
  std::uint64_t rotations = 0;
  {
    JournalFile file(path.string(), cap);
    JournalFile::Buffer buffer(file);
    for (int i = 0; i < 5000; ++i) buffer.add_line(line(i));  // ~300 KB: many rotations
    buffer.flush();
    rotations = file.rotations();
    EXPECT_TRUE(file.ok()) << file.error();
  }
  EXPECT_GT(rotations, 10u);
  ASSERT_TRUE(fs::exists(dir / "j.jsonl.1"));
  EXPECT_LE(fs::file_size(path), cap);
  EXPECT_LE(fs::file_size(dir / "j.jsonl.1"), cap);
  // The two files together are the newest lines, whole and consecutive, ending with the last.
  std::istringstream in(read(dir / "j.jsonl.1") + read(path));
  std::string l, last;
  int first = -1, count = 0;
  while (std::getline(in, l)) {
    const int n = std::stoi(l.substr(5));
    if (first < 0) first = n;
    ASSERT_EQ(l, line(first + count));
    ++count;
    last = l;
  }
  EXPECT_EQ(last, line(4999));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}), 2)
      << "only PATH and PATH.1";
  fs::remove_all(dir);
}

TEST(JournalFile, AnUnwritablePathThrows) {
  EXPECT_THROW(JournalFile("/nonexistent-dir/j.jsonl"), std::runtime_error);
}

}  // namespace
