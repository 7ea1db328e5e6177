// The one URL parser for `--proxy-url` and `badgateway load URL`: plain http to a loopback
// address, a port that is a whole number from 1 to 65535, nothing the harness cannot honour.
#include "harness/client/loopback_url.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

using bgw::client::LoopbackUrl;
using bgw::client::parse_loopback_url;
using bgw::client::UrlUse;
using testing::HasSubstr;

LoopbackUrl ok(std::string_view text, UrlUse use) {
  auto r = parse_loopback_url(text, use);
  if (auto* e = std::get_if<std::string>(&r)) {
    ADD_FAILURE() << text << ": " << *e;
    return {};
  }
  return std::get<LoopbackUrl>(r);
}

std::string error(std::string_view text, UrlUse use) {
  auto r = parse_loopback_url(text, use);
  if (std::holds_alternative<LoopbackUrl>(r)) {
    ADD_FAILURE() << text << " was accepted";
    return {};
  }
  return std::get<std::string>(r);
}

TEST(LoopbackUrl, ProxyOriginIsHostAndPort) {
  auto u = ok("http://127.0.0.1:8080", UrlUse::proxy_origin);
  EXPECT_EQ(u.address, "127.0.0.1");
  EXPECT_EQ(u.port, 8080);
  EXPECT_EQ(ok("http://127.0.0.1:8080/", UrlUse::proxy_origin).port, 8080);
  u = ok("http://[::1]:65535", UrlUse::proxy_origin);
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.address, "::1");
  EXPECT_EQ(u.port, 65535);
  u = ok("HTTP://localhost:1", UrlUse::proxy_origin);
  EXPECT_EQ(u.host, "localhost");
  EXPECT_EQ(u.address, "127.0.0.1");
  EXPECT_EQ(ok("http://127.9.8.7:80", UrlUse::proxy_origin).address, "127.9.8.7");
}

TEST(LoopbackUrl, PortMustBeAWholeNumberFrom1To65535) {
  EXPECT_THAT(error("http://127.0.0.1:8080abc", UrlUse::proxy_origin),
              HasSubstr("the port must be a number from 1 to 65535 (got '8080abc')"));
  EXPECT_THAT(error("http://127.0.0.1:8080abc/x", UrlUse::load_target),
              HasSubstr("(got '8080abc')"));
  EXPECT_THAT(error("http://[::1]:80a?q", UrlUse::load_target), HasSubstr("(got '80a')"));
  EXPECT_THAT(error("http://127.0.0.1:0", UrlUse::proxy_origin), HasSubstr("1 to 65535"));
  EXPECT_THAT(error("http://127.0.0.1:65536", UrlUse::proxy_origin), HasSubstr("1 to 65535"));
  EXPECT_THAT(error("http://127.0.0.1:99999999999999999999/", UrlUse::load_target),
              HasSubstr("1 to 65535"));
  EXPECT_THAT(error("http://127.0.0.1:/", UrlUse::load_target), HasSubstr("1 to 65535"));
  EXPECT_THAT(error("http://127.0.0.1", UrlUse::proxy_origin), HasSubstr("no port"));
  EXPECT_EQ(ok("http://127.0.0.1/", UrlUse::load_target).port, 80);  // a load target defaults
}

TEST(LoopbackUrl, OnlyPlainHttpToLoopbackWithoutUserInfo) {
  EXPECT_THAT(error("https://127.0.0.1:8443", UrlUse::proxy_origin), HasSubstr("only http://"));
  EXPECT_THAT(error("ftp://127.0.0.1:21/", UrlUse::load_target), HasSubstr("only http://"));
  EXPECT_THAT(error("http://user:pw@127.0.0.1:8080", UrlUse::proxy_origin), HasSubstr("user info"));
  EXPECT_THAT(error("http://10.0.0.1:8080", UrlUse::proxy_origin), HasSubstr("not a loopback"));
  EXPECT_THAT(error("http://[2001:db8::1]:80/", UrlUse::load_target), HasSubstr("not a loopback"));
  EXPECT_THAT(error("http://example.com:80/", UrlUse::load_target), HasSubstr("not a loopback"));
  EXPECT_THAT(error("http://:8080", UrlUse::proxy_origin), HasSubstr("no host"));
  EXPECT_THAT(error("127.0.0.1:8080", UrlUse::proxy_origin), HasSubstr("not a valid URL"));
  EXPECT_THAT(error("", UrlUse::load_target), HasSubstr("not a valid URL"));
  EXPECT_THAT(error("http://127.0.0.1 :80/", UrlUse::load_target), HasSubstr("not a valid URL"));
}

TEST(LoopbackUrl, ProxyOriginHasNoPathQueryOrFragment) {
  EXPECT_THAT(error("http://127.0.0.1:8080/app", UrlUse::proxy_origin), HasSubstr("only scheme"));
  EXPECT_THAT(error("http://127.0.0.1:8080/?q", UrlUse::proxy_origin), HasSubstr("only scheme"));
  EXPECT_THAT(error("http://127.0.0.1:8080#x", UrlUse::proxy_origin), HasSubstr("only scheme"));
}

TEST(LoopbackUrl, LoadTargetKeepsPathAndQueryAndDropsTheFragment) {
  EXPECT_EQ(ok("http://127.0.0.1:8080", UrlUse::load_target).target, "/");
  EXPECT_EQ(ok("http://127.0.0.1:8080?q=1", UrlUse::load_target).target, "/?q=1");
  EXPECT_EQ(ok("http://127.0.0.1:8080/a/b%20c?x=1&y#frag", UrlUse::load_target).target,
            "/a/b%20c?x=1&y");
  const auto u = ok("http://[::1]:9000/p", UrlUse::load_target);
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.port, 9000);
}

}  // namespace
