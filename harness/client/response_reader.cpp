#include "response_reader.hpp"

#include <algorithm>
#include <limits>
#include <utility>

namespace bgw::client {

const char* to_string(Framing f) {
  switch (f) {
    case Framing::none:
      return "none";
    case Framing::content_length:
      return "content_length";
    case Framing::chunked:
      return "chunked";
    case Framing::until_close:
      return "until_close";
  }
  return "?";
}

const char* to_string(BodyState s) {
  switch (s) {
    case BodyState::absent:
      return "absent";
    case BodyState::complete:
      return "complete";
    case BodyState::truncated:
      return "truncated";
    case BodyState::unframed_complete:
      return "unframed_complete";
  }
  return "?";
}

const char* to_string(HeaderProblemKind k) {
  switch (k) {
    case HeaderProblemKind::invalid_name:
      return "invalid_name";
    case HeaderProblemKind::space_before_colon:
      return "space_before_colon";
    case HeaderProblemKind::nul_in_value:
      return "nul_in_value";
    case HeaderProblemKind::cr_in_value:
      return "cr_in_value";
    case HeaderProblemKind::ctl_in_value:
      return "ctl_in_value";
    case HeaderProblemKind::obs_fold:
      return "obs_fold";
    case HeaderProblemKind::no_colon:
      return "no_colon";
    case HeaderProblemKind::bare_lf:
      return "bare_lf";
    case HeaderProblemKind::duplicate_content_length:
      return "duplicate_content_length";
    case HeaderProblemKind::conflicting_content_length:
      return "conflicting_content_length";
    case HeaderProblemKind::invalid_content_length:
      return "invalid_content_length";
    case HeaderProblemKind::content_length_with_chunked:
      return "content_length_with_chunked";
    case HeaderProblemKind::unknown_transfer_encoding:
      return "unknown_transfer_encoding";
  }
  return "?";
}

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// RFC 9110 §5.6.2 tchar.
bool is_tchar(char ch) {
  const auto c = static_cast<unsigned char>(ch);
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_ows(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view strip_cr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// Whether byte `c` at offset `pos` of a first line can still be part of "HTTP/1.x NNN[ reason]".
bool status_char_ok(std::size_t pos, char c) {
  static constexpr std::string_view prefix = "HTTP/1.";
  if (pos < prefix.size()) return c == prefix[pos];
  if (pos == 7) return is_digit(c);
  if (pos == 8) return c == ' ';
  if (pos <= 11) return is_digit(c);
  if (pos == 12) return c == ' ' || c == '\r';
  return true;
}

struct StatusLine {
  bool valid = false;
  /// "HTTP/1.x NNN" with three digits outside 100..599: invalid as a status (RFC 9110 §15), but
  /// still a framed message, which a client SHOULD process as a 5xx: its headers and framing count.
  bool out_of_range = false;
  int code = 0;
  std::string_view version;
  std::string_view reason;
  std::string error;
};

// A complete first line (no line ending).
StatusLine parse_status_line(std::string_view line) {
  StatusLine s;
  if (!line.starts_with("HTTP/")) {
    s.error = "not an HTTP/1.x status line";
    return s;
  }
  const auto sp = line.find(' ');
  const std::string_view version = line.substr(0, sp);
  if (version.size() != 8 || !version.starts_with("HTTP/1.") || !is_digit(version[7])) {
    s.error = "version '" + escape_bytes(version, 40) + "' is not HTTP/1.x";
    return s;
  }
  if (sp == std::string_view::npos) {
    s.error = "no status code";
    return s;
  }
  const std::string_view rest = line.substr(sp + 1);
  const auto sp2 = rest.find(' ');
  const std::string_view code = rest.substr(0, sp2);
  if (code.size() != 3 || !std::all_of(code.begin(), code.end(), is_digit)) {
    s.error = "status code '" + escape_bytes(code, 40) + "' is not three digits";
    return s;
  }
  const int n = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
  s.code = n;
  s.version = version;
  s.reason = sp2 == std::string_view::npos ? std::string_view() : rest.substr(sp2 + 1);
  if (n < 100 || n > 599) {
    s.error = "status code " + std::string(code) + " is outside 100..599";
    s.out_of_range = true;
    return s;
  }
  s.valid = true;
  return s;
}

// Parses a Content-Length field value as a list of decimal numbers; false when any element is
// not one (empty, signed, non-digit, overflowing).
bool parse_length_list(std::string_view value, std::vector<std::uint64_t>& out) {
  for (;;) {
    const auto comma = value.find(',');
    const std::string_view element = trim_ows(value.substr(0, comma));
    if (element.empty()) return false;
    std::uint64_t n = 0;
    for (const char c : element) {
      if (!is_digit(c) || n > (std::numeric_limits<std::uint64_t>::max() - 9) / 10) return false;
      n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    out.push_back(n);
    if (comma == std::string_view::npos) return true;
    value.remove_prefix(comma + 1);
  }
}

// Whether a comma-separated list contains `token`.
bool has_token(std::string_view list, std::string_view token) {
  for (;;) {
    const auto comma = list.find(',');
    if (iequals(trim_ows(list.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) return false;
    list.remove_prefix(comma + 1);
  }
}

// The header lines of a head (everything after the status line, each line ending with LF), into
// fields and problems. `lines` holds the 1-based line number of each field.
void parse_header_lines(std::string_view section, HeaderList& headers,
                        std::vector<HeaderProblem>& problems, std::vector<std::size_t>& lines) {
  std::size_t line_no = 1;
  while (!section.empty()) {
    const auto lf = section.find('\n');
    std::string_view raw = section.substr(0, lf);
    section.remove_prefix(lf == std::string_view::npos ? section.size() : lf + 1);
    ++line_no;
    auto problem = [&](HeaderProblemKind kind, std::string_view text) {
      problems.push_back({kind, line_no, std::string(text)});
    };
    const std::string_view line = strip_cr(raw);
    if (line.size() == raw.size()) problem(HeaderProblemKind::bare_lf, line);

    auto check_value = [&](std::string_view value) {
      bool nul = false;
      bool cr = false;
      bool ctl = false;
      for (const char ch : value) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == 0)
          nul = true;
        else if (c == '\r')
          cr = true;
        else if ((c < 0x20 && c != '\t') || c == 0x7f)
          ctl = true;
      }
      if (nul) problem(HeaderProblemKind::nul_in_value, line);
      if (cr) problem(HeaderProblemKind::cr_in_value, line);
      if (ctl) problem(HeaderProblemKind::ctl_in_value, line);
    };

    if (!line.empty() && is_ows(line.front())) {
      problem(HeaderProblemKind::obs_fold, line);
      check_value(line);
      // RFC 9112 §5.2: a recipient may replace the fold with SP.
      if (!headers.empty()) {
        headers.back().second += ' ';
        headers.back().second += trim_ows(line);
      }
      continue;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) {
      problem(HeaderProblemKind::no_colon, line);
      continue;
    }
    const std::string_view name = line.substr(0, colon);
    std::string_view core = name;
    while (!core.empty() && is_ows(core.back())) core.remove_suffix(1);
    if (core.size() != name.size()) problem(HeaderProblemKind::space_before_colon, line);
    if (core.empty() || !std::all_of(core.begin(), core.end(), is_tchar))
      problem(HeaderProblemKind::invalid_name, line);
    const std::string_view value = line.substr(colon + 1);
    check_value(value);
    headers.emplace_back(std::string(name), std::string(trim_ows(value)));
    lines.push_back(line_no);
  }
}

}  // namespace

std::size_t ResponseReader::feed(std::string_view data) {
  if (finished_) return 0;
  seen_ += data.size();
  std::size_t used = 0;
  while (used < data.size()) {
    const std::string_view rest = data.substr(used);
    switch (phase_) {
      case Phase::head:
        used += feed_head(rest);
        break;
      case Phase::http09:
        append_http09(rest);
        used = data.size();
        break;
      case Phase::body_length: {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(body_left_, rest.size()));
        response_.body.append(rest.substr(0, n));
        body_left_ -= n;
        used += n;
        if (body_left_ == 0) complete_now(BodyState::complete);
        break;
      }
      case Phase::body_chunked:
        used += feed_chunked(rest);
        break;
      case Phase::body_close:
        response_.body.append(rest);
        used = data.size();
        break;
      case Phase::done:
        response_.extra.append(rest);
        return used;
    }
  }
  return used;
}

void ResponseReader::append_http09(std::string_view bytes) {
  const std::size_t before = response_.body.size();
  response_.body.append(bytes);
  if (http09_line_done_) return;
  const auto lf = response_.body.find('\n', before);
  if (lf == std::string::npos) return;
  set_status_line(strip_cr(std::string_view(response_.body).substr(0, lf)));
  http09_line_done_ = true;
}

void ResponseReader::set_status_line(std::string_view line) {
  response_.status_line = std::string(line);
  const StatusLine s = parse_status_line(line);
  response_.status_error = s.error;
}

std::size_t ResponseReader::feed_head(std::string_view data) {
  for (std::size_t i = 0; i < data.size();) {
    const char c = data[i++];
    head_.push_back(c);
    if (c != '\n') {
      if (!first_line_done_ && !status_char_ok(head_.size() - 1, c)) {
        // Not a status line: HTTP/0.9-style, everything is body (feed() appends the rest).
        response_.http09 = true;
        response_.framing = Framing::until_close;
        phase_ = Phase::http09;
        const std::string bytes = std::move(head_);
        head_.clear();
        append_http09(bytes);
        return i;
      }
      continue;
    }
    const std::string_view line(head_.data() + line_start_, head_.size() - 1 - line_start_);
    if (!first_line_done_) {
      first_line_done_ = true;
      const std::string_view status = strip_cr(line);
      const StatusLine s = parse_status_line(status);
      if (!s.valid && !s.out_of_range) {
        response_.http09 = true;
        response_.framing = Framing::until_close;
        phase_ = Phase::http09;
        set_status_line(status);
        http09_line_done_ = true;
        response_.body = std::move(head_);
        head_.clear();
        return i;
      }
      response_.status_line = std::string(status);
      if (s.valid)
        response_.status = s.code;
      else
        response_.status_error = s.error;  // framed like any response, but no valid status
      response_.version = std::string(s.version);
      response_.reason = std::string(s.reason);
      if (status.size() == line.size())
        response_.header_problems.push_back({HeaderProblemKind::bare_lf, 1, std::string(status)});
      line_start_ = head_.size();
      continue;
    }
    if (strip_cr(line).empty()) {
      head_done();
      return i;
    }
    line_start_ = head_.size();
  }
  return data.size();
}

void ResponseReader::head_done() {
  // The header lines: after the status line, up to the blank line.
  const std::size_t first_lf = head_.find('\n');
  const std::string_view section =
      std::string_view(head_).substr(first_lf + 1, line_start_ - first_lf - 1);
  std::vector<std::size_t> lines;
  parse_header_lines(section, response_.headers, response_.header_problems, lines);
  const int code = response_.status.value_or(0);

  head_.clear();
  line_start_ = 0;
  first_line_done_ = false;

  if (code >= 100 && code < 200 && code != 101) {
    response_.interim.push_back({code, std::move(response_.status_line),
                                 std::move(response_.headers),
                                 std::move(response_.header_problems)});
    response_.status.reset();
    response_.status_line.clear();
    response_.version.clear();
    response_.reason.clear();
    response_.headers.clear();
    response_.header_problems.clear();
    return;
  }
  response_.head_complete = true;

  auto& r = response_;
  auto problem = [&](HeaderProblemKind kind, std::size_t index) {
    const auto& [name, value] = r.headers[index];
    r.header_problems.push_back({kind, lines[index], name + ": " + value});
  };

  bool keep_alive_token = false;
  for (const auto& [name, value] : r.headers) {
    if (!iequals(name, "Connection")) continue;
    if (has_token(value, "close")) r.connection_close = true;
    if (has_token(value, "keep-alive")) keep_alive_token = true;
  }
  if (r.version == "HTTP/1.0" && !keep_alive_token) r.connection_close = true;

  // RFC 9112 §6.3, in its order.
  if (options_.head_request || code == 101 || code == 204 || code == 304) {
    r.framing = Framing::none;
    complete_now(BodyState::absent);
    return;
  }
  std::vector<std::size_t> te;
  std::vector<std::size_t> cl;
  for (std::size_t i = 0; i < r.headers.size(); ++i) {
    if (iequals(r.headers[i].first, "Transfer-Encoding")) te.push_back(i);
    if (iequals(r.headers[i].first, "Content-Length")) cl.push_back(i);
  }
  if (!te.empty()) {
    // Several fields form one list: its last coding decides.
    std::string_view last = r.headers[te.back()].second;
    if (const auto comma = last.rfind(','); comma != std::string_view::npos)
      last.remove_prefix(comma + 1);
    if (iequals(trim_ows(last), "chunked")) {
      if (!cl.empty()) problem(HeaderProblemKind::content_length_with_chunked, cl.front());
      r.framing = Framing::chunked;
      phase_ = Phase::body_chunked;
      return;
    }
    problem(HeaderProblemKind::unknown_transfer_encoding, te.back());
    r.framing = Framing::until_close;
    phase_ = Phase::body_close;
    return;
  }
  if (!cl.empty()) {
    std::vector<std::uint64_t> values;
    for (const std::size_t i : cl) {
      if (!parse_length_list(r.headers[i].second, values)) {
        problem(HeaderProblemKind::invalid_content_length, i);
        r.framing = Framing::until_close;
        phase_ = Phase::body_close;
        return;
      }
    }
    if (values.size() > 1) {
      const bool same = std::all_of(values.begin(), values.end(),
                                    [&](std::uint64_t v) { return v == values.front(); });
      // A list in one field is reported on that field; several fields on the second one.
      const std::size_t where = cl.size() > 1 ? cl[1] : cl[0];
      if (!same) {
        problem(HeaderProblemKind::conflicting_content_length, where);
        r.framing = Framing::until_close;
        phase_ = Phase::body_close;
        return;
      }
      problem(HeaderProblemKind::duplicate_content_length, where);
    }
    r.framing = Framing::content_length;
    r.content_length = values.front();
    if (values.front() == 0) {
      complete_now(BodyState::absent);
      return;
    }
    body_left_ = values.front();
    phase_ = Phase::body_length;
    return;
  }
  r.framing = Framing::until_close;
  phase_ = Phase::body_close;
}

std::size_t ResponseReader::feed_chunked(std::string_view data) {
  using Event = wire::ChunkedDecoder::Event;
  ChunkedBody& ch = response_.chunked;
  std::size_t i = 0;
  // Once the framing is lost, the rest of the connection is this body, undecoded.
  while (i < data.size() && !chunks_broken_) {
    const auto step = chunks_.next(data.substr(i));
    i += step.used;
    switch (step.event) {
      case Event::need_more:
        break;
      case Event::chunk:
        if (chunks_.chunk_size() == 0) {
          ch.final_chunk = true;
          trailer_line_.clear();
        } else {
          ++ch.chunks;
        }
        break;
      case Event::data:
        ch.payload.append(step.bytes);
        break;
      case Event::trailer:
        trailer_line_.append(step.bytes);
        break;
      case Event::trailer_end: {
        const std::string_view line = strip_cr(trailer_line_);
        if (const auto colon = line.find(':'); colon != std::string_view::npos) {
          ch.trailers.emplace_back(std::string(line.substr(0, colon)),
                                   std::string(trim_ows(line.substr(colon + 1))));
        }
        trailer_line_.clear();
        break;
      }
      case Event::done:
        response_.body.append(data.substr(0, i));
        complete_now(BodyState::complete);
        return i;
      case Event::error: {
        const char c = chunks_.error_byte();
        ch.malformed = true;
        ch.error = std::string(wire::describe(chunks_.error())) + " '" +
                   escape_bytes(std::string_view(&c, 1)) + "'";
        chunks_broken_ = true;
        break;
      }
    }
  }
  response_.body.append(data);
  return data.size();
}

void ResponseReader::complete_now(BodyState state) {
  response_.body_state = state;
  response_.response_complete = true;
  phase_ = Phase::done;
}

void ResponseReader::finish(Ending ending) {
  if (finished_) return;
  finished_ = true;
  ParsedResponse& r = response_;
  switch (phase_) {
    case Phase::done:
      return;
    case Phase::head:
      if (!first_line_done_) {
        r.status_line = std::string(strip_cr(head_));
        if (!head_.empty()) r.status_error = "the connection ended inside the status line";
      } else {
        // A valid status line and part of the header section: keep the complete lines.
        const std::size_t first_lf = head_.find('\n');
        const std::string_view section =
            std::string_view(head_).substr(first_lf + 1, line_start_ - first_lf - 1);
        std::vector<std::size_t> lines;
        parse_header_lines(section, r.headers, r.header_problems, lines);
      }
      r.framing = Framing::none;
      r.body_state = BodyState::absent;
      return;
    case Phase::http09:
      if (!http09_line_done_) set_status_line(strip_cr(r.body));
      r.body_state = ending == Ending::eof ? BodyState::unframed_complete : BodyState::truncated;
      return;
    case Phase::body_length:
    case Phase::body_chunked:
      r.body_state = BodyState::truncated;
      return;
    case Phase::body_close:
      if (ending == Ending::eof) {
        r.body_state = r.body.empty() ? BodyState::absent : BodyState::unframed_complete;
        r.response_complete = true;
      } else {
        r.body_state = BodyState::truncated;
      }
      return;
  }
}

}  // namespace bgw::client
