// The run identity header in a request head, and the marked answer to a foreign request.
#include "simulator/run_identity.hpp"

#include <gtest/gtest.h>

namespace {

using bgw::sim::foreign_response;
using bgw::sim::run_identity_of;

TEST(RunIdentity, FoundCaseInsensitivelyAndTrimmed) {
  EXPECT_EQ(run_identity_of("GET / HTTP/1.1\r\nHost: x\r\nx-bgw-run:  a/1.2.ff \r\n\r\n"),
            "a/1.2.ff");
  EXPECT_EQ(run_identity_of("GET / HTTP/1.1\nX-Bgw-Run: b\n\n"), "b");
}

TEST(RunIdentity, AbsentOrOnlyAPrefixIsNone) {
  EXPECT_FALSE(run_identity_of("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_FALSE(run_identity_of("GET / HTTP/1.1\r\nX-Bgw-Runs: a\r\nX-Bgw-Ru: b\r\n\r\n"));
  // The request line is not a header, whatever it contains.
  EXPECT_FALSE(run_identity_of("X-Bgw-Run: a\r\n\r\n"));
}

TEST(RunIdentity, TheMarkedResponseNamesBothRunsAndIsFramed) {
  const std::string r = foreign_response("ours", "theirs");
  EXPECT_EQ(r.rfind("HTTP/1.1 421 Misdirected Request\r\n", 0), 0u);
  EXPECT_NE(r.find("\r\nX-Bgw-Foreign: ours\r\n"), std::string::npos);
  EXPECT_NE(r.find("Connection: close"), std::string::npos);
  const auto end = r.find("\r\n\r\n");
  ASSERT_NE(end, std::string::npos);
  const std::string body = r.substr(end + 4);
  EXPECT_NE(body.find("theirs"), std::string::npos);
  EXPECT_NE(r.find("Content-Length: " + std::to_string(body.size()) + "\r\n"), std::string::npos);
}

}  // namespace
