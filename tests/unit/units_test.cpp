// Durations and sizes as users write them: strict parsing, shortest exact formatting.
#include "simulator/units.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace {

using namespace std::chrono_literals;
using bgw::sim::Duration;
using bgw::sim::format_duration;
using bgw::sim::format_ms;
using bgw::sim::parse_duration;
using bgw::sim::parse_size;

TEST(ParseDuration, AcceptsEveryUnit) {
  EXPECT_EQ(parse_duration("7ns"), Duration{7ns});
  EXPECT_EQ(parse_duration("100us"), Duration{100us});
  EXPECT_EQ(parse_duration("100µs"), Duration{100us});
  EXPECT_EQ(parse_duration("250ms"), Duration{250ms});
  EXPECT_EQ(parse_duration("2s"), Duration{2s});
  EXPECT_EQ(parse_duration("1m"), Duration{60s});
  EXPECT_EQ(parse_duration("2min"), Duration{120s});
  EXPECT_EQ(parse_duration("2h"), Duration{7200s});
  EXPECT_EQ(parse_duration("1.5h"), Duration{5400s});
  EXPECT_EQ(parse_duration("0s"), Duration{0});
}

TEST(ParseDuration, AcceptsFractions) {
  EXPECT_EQ(parse_duration("1.5s"), Duration{1500ms});
  EXPECT_EQ(parse_duration("0.25ms"), Duration{250us});
  EXPECT_EQ(parse_duration(".5s"), Duration{500ms});
  EXPECT_EQ(parse_duration("5.s"), Duration{5s});
  EXPECT_EQ(parse_duration("0.1s"), Duration{100ms}) << "rounded, not truncated";
  EXPECT_EQ(parse_duration("1h"), Duration{1h});
  EXPECT_EQ(parse_duration("1.5h"), Duration{90min});
}

TEST(ParseDuration, RejectsMalformedText) {
  for (const char* bad :
       {"",   "250", "ms",     "s",     "-1s",  "+1s",  "1 s", " 1s", "1s ", "1hr",
        "1H", "1Ms", "1.5.2s", "1e3ms", "..5s", "1,5s", "abc", "1s1", "nan", "infs"}) {
    EXPECT_EQ(parse_duration(bad), std::nullopt) << "'" << bad << "'";
  }
}

TEST(ParseDuration, RejectsAbsurdlyLongDurations) {
  EXPECT_EQ(parse_duration("99999999999999m"), std::nullopt);
  EXPECT_NE(parse_duration("1000000s"), std::nullopt);
}

TEST(ParseSize, AcceptsBytesAndUnits) {
  EXPECT_EQ(parse_size("0"), 0u);
  EXPECT_EQ(parse_size("1024"), 1024u);
  EXPECT_EQ(parse_size("5B"), 5u);
  EXPECT_EQ(parse_size("10kB"), 10000u);
  EXPECT_EQ(parse_size("10KB"), 10000u);
  EXPECT_EQ(parse_size("64KiB"), 65536u);
  EXPECT_EQ(parse_size("2MB"), 2000000u);
  EXPECT_EQ(parse_size("2MiB"), 2u * 1024 * 1024);
  EXPECT_EQ(parse_size("1GB"), 1000000000u);
  EXPECT_EQ(parse_size("1GiB"), 1024u * 1024 * 1024);
  EXPECT_EQ(parse_size("1.5KiB"), 1536u);
}

TEST(ParseSize, RejectsMalformedOrFractionalBytes) {
  for (const char* bad : {"", "KiB", "-1", "+1", "1 KiB", "10kiB", "10kb", "1TB", "1TiB", "0.5",
                          "0.5B", "1.1KiB", "1e3", "abc", "12x"}) {
    EXPECT_EQ(parse_size(bad), std::nullopt) << "'" << bad << "'";
  }
}

TEST(ParseSize, RejectsAbsurdlyLargeSizes) {
  EXPECT_EQ(parse_size("2000000GB"), std::nullopt);
  EXPECT_EQ(parse_size("1000000GB"), 1000000000000000u);
}

TEST(FormatDuration, UsesTheShortestExactUnit) {
  EXPECT_EQ(format_duration(Duration{0}), "0s");
  EXPECT_EQ(format_duration(2s), "2s");
  EXPECT_EQ(format_duration(7200s), "2h");
  EXPECT_EQ(format_duration(3601s), "3601s");
  EXPECT_EQ(format_duration(120s), "120s");
  EXPECT_EQ(format_duration(250ms), "250ms");
  EXPECT_EQ(format_duration(1500ms), "1500ms");
  EXPECT_EQ(format_duration(1500us), "1500us");
  EXPECT_EQ(format_duration(100us), "100us");
  EXPECT_EQ(format_duration(7ns), "7ns");
  EXPECT_EQ(format_duration(1000001ns), "1000001ns");
}

TEST(FormatDuration, RoundTripsThroughParseDuration) {
  for (const Duration d : {Duration{0}, Duration{1ns}, Duration{999us}, Duration{250ms},
                           Duration{1500ms}, Duration{3s}, Duration{90s}, Duration{1234567ns}}) {
    EXPECT_EQ(parse_duration(format_duration(d)), d) << format_duration(d);
  }
}

TEST(FormatMs, ThreeDecimals) {
  EXPECT_EQ(format_ms(Duration{0}), "0.000");
  EXPECT_EQ(format_ms(Duration{1000142000}), "1000.142");
  EXPECT_EQ(format_ms(250ms), "250.000");
  EXPECT_EQ(format_ms(1500ns), "0.002");
}

}  // namespace
