// sim::json_text: Boost.JSON values written with numbers as people read them.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <limits>

#include "simulator/json_text.hpp"

namespace {

TEST(JsonText, DoublesInShortestFormAndTheRestAsBoostJsonWritesIt) {
  const boost::json::value v = {{"t_ms", 613.161},
                                {"zero", 0.0},
                                {"whole", 500.0},
                                {"n", 7},
                                {"big", std::numeric_limits<std::uint64_t>::max()},
                                {"s", "a\"b\\\n\x01"},
                                {"list", {1.5, true, nullptr}},
                                {"nan", std::numeric_limits<double>::quiet_NaN()}};
  const std::string text = bgw::sim::json_text(v);
  EXPECT_EQ(text, R"({"t_ms":613.161,"zero":0,"whole":500,"n":7,"big":18446744073709551615,)"
                  R"("s":"a\"b\\\n\u0001","list":[1.5,true,null],"nan":null})");
  // It reads back as the same values (NaN aside).
  auto back = boost::json::parse(text).as_object();
  EXPECT_EQ(back.at("t_ms").to_number<double>(), 613.161);
  EXPECT_EQ(back.at("s"), "a\"b\\\n\x01");
}

}  // namespace
