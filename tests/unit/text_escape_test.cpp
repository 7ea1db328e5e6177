// Escaping for the matrix's outputs: whatever bytes a proxy sends (markup, quotes, NUL, invalid
// UTF-8) come out as visible text, never as markup, and the outputs stay valid UTF-8 / ASCII.
// Also the SHA-256 and base64 behind the HTML report's Content-Security-Policy hashes.
#include "harness/text/escape.hpp"

#include <gtest/gtest.h>

#include <string>

#include "harness/matrix/sha256.hpp"

namespace {

using namespace std::string_literals;
using namespace bgw::text;
using namespace bgw::matrix;  // sha256, base64

bool valid_utf8(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    const std::size_t n = decode_utf8(s, i, cp);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

TEST(MatrixEscape, Utf8DecoderAcceptsOnlyShortestFormScalarValues) {
  char32_t cp = 0;
  EXPECT_EQ(decode_utf8("a", 0, cp), 1u);
  EXPECT_EQ(decode_utf8("\xc2\xa7", 0, cp), 2u);  // §
  EXPECT_EQ(cp, U'\u00a7');
  EXPECT_EQ(decode_utf8("\xe2\x80\x94", 0, cp), 3u);  // em dash
  EXPECT_EQ(decode_utf8("\xf0\x9f\x98\x80", 0, cp), 4u);
  EXPECT_EQ(cp, U'\U0001f600');
  EXPECT_EQ(decode_utf8("\xc0\xbc", 0, cp), 0u);          // overlong '<'
  EXPECT_EQ(decode_utf8("\xe0\x80\xbc", 0, cp), 0u);      // overlong '<'
  EXPECT_EQ(decode_utf8("\xed\xa0\x80", 0, cp), 0u);      // a surrogate
  EXPECT_EQ(decode_utf8("\xf4\x90\x80\x80", 0, cp), 0u);  // above U+10FFFF
  EXPECT_EQ(decode_utf8("\xe2\x80", 0, cp), 0u);          // cut short
  EXPECT_EQ(decode_utf8("\x80", 0, cp), 0u);              // a lone continuation byte
  EXPECT_EQ(decode_utf8("\xff", 0, cp), 0u);
}

TEST(MatrixEscape, HtmlTextLeavesNoMarkupAndStaysValidUtf8) {
  EXPECT_EQ(html_text("<script>alert(\"x\")</script>"),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
  EXPECT_EQ(html_text("a & b's"), "a &amp; b&#39;s");
  EXPECT_EQ(html_text("RFC 9110 \xc2\xa7"
                      "15.6.3"),
            "RFC 9110 \xc2\xa7"
            "15.6.3");
  EXPECT_EQ(html_text("nul\0here"s), "nul\\x00here");
  EXPECT_EQ(html_text("bad \xff\xfe utf8"), "bad \\xff\\xfe utf8");
  EXPECT_EQ(html_text("\xc0\xbc"
                      "script>"),
            "\\xc0\\xbcscript&gt;");  // overlong '<' stays bytes
  EXPECT_EQ(html_text("line\nnext\ttab\r"), "line\nnext\ttab\\x0d");
  EXPECT_EQ(html_text("\xc2\x85"), "\\u0085");  // C1 control
  const std::string hostile = "<img src=x onerror=alert(1)>\"'\0\xff\xc3("s;
  const std::string out = html_text(hostile);
  EXPECT_EQ(out.find('<'), std::string::npos);
  EXPECT_EQ(out.find('>'), std::string::npos);
  EXPECT_EQ(out.find('"'), std::string::npos);
  EXPECT_EQ(out.find('\''), std::string::npos);
  EXPECT_EQ(out.find('\0'), std::string::npos);
  EXPECT_TRUE(valid_utf8(out));
}

TEST(MatrixEscape, WireTextIsPrintableAsciiWithALineBreakAfterEachLf) {
  EXPECT_EQ(wire_text("GET / HTTP/1.1\r\nHost: x\r\n\r\n", 100),
            "GET / HTTP/1.1\\r\\n\nHost: x\\r\\n\n\\r\\n\n");
  EXPECT_EQ(wire_text("a\0b\\c\xff\t"s, 100), "a\\0b\\\\c\\xff\\t");
  EXPECT_EQ(wire_text("0123456789", 4), "0123...(10 bytes, first 4 shown)");
  for (const unsigned char c : wire_text("\x01\x7f\x80<>", 100))
    EXPECT_TRUE(c == '\n' || (c >= 0x20 && c < 0x7f));
}

TEST(MatrixEscape, JsonTextIsAsciiAndKeepsUnicode) {
  EXPECT_EQ(json_text("a\"b\\c\n"), R"("a\"b\\c\n")");
  EXPECT_EQ(json_text("\xc2\xa7"), R"("\u00a7")");
  EXPECT_EQ(json_text("\xf0\x9f\x98\x80"), R"("\ud83d\ude00")");
  EXPECT_EQ(json_text("x\xffy"), R"("x\ufffdy")");  // not UTF-8: the replacement character
  EXPECT_EQ(json_text("\0"s), R"("\u0000")");
  EXPECT_EQ(json_text("</script>"), R"("</script>")");  // JSON needs no HTML escaping
}

TEST(MatrixEscape, JsonBytesAreOneEscapePerByte) {
  EXPECT_EQ(json_bytes("\xc2\xa7\0\xff"s), R"("\u00c2\u00a7\u0000\u00ff")");
}

TEST(MatrixEscape, MarkdownTextCannotBreakATableOrAddMarkup) {
  EXPECT_EQ(markdown_text("a|b"), "a\\|b");
  EXPECT_EQ(markdown_text("two\nlines"), "two lines");
  EXPECT_EQ(markdown_text("<script>"), "&lt;script&gt;");
  EXPECT_EQ(markdown_text("*x* _y_ [z](w) `c`"), "\\*x\\* \\_y\\_ \\[z\\](w) \\`c\\`");
  EXPECT_EQ(markdown_text("nul\0\xff"s), "nul\xef\xbf\xbd");
}

TEST(MatrixEscape, XmlTextKeepsUtf8AndReplacesOnlyWhatXmlForbids) {
  EXPECT_EQ(xml_text("RFC 9110 \xc2\xa7"
                     "15.6.3"),
            "RFC 9110 \xc2\xa7"
            "15.6.3");  // § kept, not \xc2\xa7
  EXPECT_EQ(xml_text("\xe6\x97\xa5\xe6\x9c\xac"), "\xe6\x97\xa5\xe6\x9c\xac");  // CJK kept
  EXPECT_EQ(xml_text("\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80");  // beyond the BMP kept
  EXPECT_EQ(xml_text("<a href=\"x\">&'</a>"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(xml_text("nul\0here"s), "nul\\x00here");  // XML 1.0 has no NUL at all
  EXPECT_EQ(xml_text("\x1b[0m"), "\\x1b[0m");         // nor other C0 controls
  EXPECT_EQ(xml_text("line\nnext\ttab"), "line\nnext\ttab");
  EXPECT_EQ(xml_text("bad \xff\xfe utf8"), "bad \\xff\\xfe utf8");    // not UTF-8: visible bytes
  EXPECT_EQ(xml_text("\xc0\xbc"), "\\xc0\\xbc");                      // an overlong '<' stays text
  EXPECT_EQ(xml_text("\xef\xbf\xbe\xef\xbf\xbf"), "\\ufffe\\uffff");  // noncharacters
  EXPECT_EQ(xml_text("\xef\xbf\xbd"), "\xef\xbf\xbd");  // U+FFFD itself is a character
  EXPECT_TRUE(valid_utf8(xml_text("\xff\xc3(\xed\xa0\x80")));
  EXPECT_EQ(html_text("a \xc2\xa7 <b>"), xml_text("a \xc2\xa7 <b>"));  // one escaper for both
}

TEST(MatrixEscape, MarkdownCellKeepsOurMarkupAndNothingBreaksTheTable) {
  EXPECT_EQ(markdown_cell("the first `bytes` bytes, *then* FIN"),
            "the first `bytes` bytes, *then* FIN");
  EXPECT_EQ(markdown_cell("a|b <br> & c\nd"), "a\\|b &lt;br&gt; &amp; c d");
  EXPECT_EQ(markdown_cell("\xc2\xa7 nul\0\xff"s), "\xc2\xa7 nul\xef\xbf\xbd");
}

TEST(MatrixEscape, OnlyPlainWebUrlsBecomeLinks) {
  EXPECT_TRUE(is_web_link("https://github.com/nginx/nginx/blob/release-1.22.1/src/x.c#L10"));
  EXPECT_TRUE(is_web_link("http://example.org/"));
  EXPECT_FALSE(is_web_link("javascript:alert(1)"));
  EXPECT_FALSE(is_web_link("https://x.org/\"onmouseover=alert(1)"));
  EXPECT_FALSE(is_web_link("https://x.org/a b"));
  EXPECT_FALSE(is_web_link("https://"));
  EXPECT_FALSE(is_web_link("see the nginx docs"));
}

std::string hex(const std::array<std::uint8_t, 32>& d) {
  std::string out;
  char buf[4];
  for (const auto b : d) {
    std::snprintf(buf, sizeof buf, "%02x", b);
    out += buf;
  }
  return out;
}

TEST(MatrixSha256, MatchesTheFipsExamples) {
  EXPECT_EQ(hex(sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hex(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // 55, 56 and 64 bytes: the padding boundaries.
  EXPECT_EQ(hex(sha256(std::string(55, 'a'))),
            "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  EXPECT_EQ(hex(sha256(std::string(56, 'a'))),
            "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  EXPECT_EQ(hex(sha256(std::string(64, 'a'))),
            "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
  EXPECT_EQ(hex(sha256(std::string(1000000, 'a'))),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(MatrixSha256, Base64AndTheCspHashChromiumComputes) {
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
  // The hash Chromium printed for this inline script when a policy blocked it.
  EXPECT_EQ(csp_hash("console.log(\"hi\")"), "sha256-TMFma7PHrBUjZEUKY/MwBLuX3/HrQe2+A1FmjMS7ppA=");
}

}  // namespace
