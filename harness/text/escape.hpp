// Turning anything that came from the wire or from files into text that is safe in the reports'
// HTML, JSON and Markdown. Proxies send arbitrary bytes (NUL, invalid UTF-8, markup), so every
// byte is accounted for: text keeps its valid UTF-8 and shows every other byte as a visible
// \xNN; wire bytes become printable ASCII, as the console report shows them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace bgw::text {

/// UTF-8 text for XML 1.0 character data and attribute values (the JUnit report). Valid UTF-8
/// is kept as it is ("RFC 9110 §15.6.3", CJK, emoji); & < > " ' become entities; what XML 1.0
/// cannot carry, or carries invisibly, becomes visible text instead of being dropped: a byte that
/// is not valid UTF-8 and a C0 control other than newline and tab as "\xNN" (NUL as "\x00", CR
/// as "\x0d"), a C1 control as "\u0085", the noncharacters U+FFFE and U+FFFF as "\ufffe" and
/// "\uffff". The result is valid UTF-8 that every XML parser accepts, with no markup.
std::string xml_text(std::string_view text);

/// The same for HTML element content and attribute values: one escaper for both, since the
/// characters HTML must not see raw are the ones XML forbids or reserves.
std::string html_text(std::string_view text);

/// Wire bytes as printable ASCII: \r \n \t \0 \\ and \xNN for every other byte outside
/// 0x20..0x7e, with a real line break after each "\n" so transcripts read line by line. At most
/// `max` input bytes; a longer input ends with "...(N bytes, first M shown)".
std::string wire_text(std::string_view bytes, std::size_t max);

/// A JSON string literal (quotes included) of UTF-8 text; the output is ASCII (\uXXXX escapes,
/// surrogate pairs above U+FFFF), and each byte that is not valid UTF-8 becomes U+FFFD.
std::string json_text(std::string_view text);

/// Text as valid UTF-8 for a JSON value: valid sequences kept, each other byte U+FFFD (what
/// json_text writes as \ufffd), so Boost.JSON's serializer always writes valid JSON.
std::string valid_utf8(std::string_view text);

/// A JSON string literal of raw bytes, one "\u00XX" escape per byte outside printable ASCII (the
/// convention of badgateway.run/1): lossless, decode as Latin-1 to get the bytes back.
std::string json_bytes(std::string_view bytes);

/// Plain text (a scenario name, a proxy's bytes) for a Markdown table cell, shown literally: | \ *
/// _ [ ] ` backslash-escaped, < > & as entities (GitHub renders inline HTML), line breaks as
/// spaces, control bytes dropped, invalid UTF-8 as U+FFFD.
std::string markdown_text(std::string_view text);

/// Markdown written by us (code spans such as "`bytes` bytes") for a table cell: its inline
/// markup kept, everything else as markdown_text does (| escaped, < > & as entities, line breaks
/// as spaces, control bytes dropped, invalid UTF-8 as U+FFFD).
std::string markdown_cell(std::string_view markdown);

/// True for an absolute http(s) URL without spaces, quotes or angle brackets: only those become
/// links (an adapter's `link` could say "javascript:...").
bool is_web_link(std::string_view text);

/// The next code point of `text` at `pos` if a valid (shortest-form, non-surrogate) UTF-8
/// sequence starts there: returns its length and sets `cp`; 0 when the byte starts no valid
/// sequence.
std::size_t decode_utf8(std::string_view text, std::size_t pos, char32_t& cp);

}  // namespace bgw::text
