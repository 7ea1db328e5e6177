// The control API's request decoding (harness/control) on arbitrary input: routes and queries,
// and the JSON bodies of PUT faults, POST /upstreams and PUT listener, which go through the
// scenario loader as TOML. No exception escapes; every refusal is a 400 or 422 with a message,
// and every field error points into the body (a JSON Pointer: empty or starting with '/').
#include <boost/url/parse.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "harness/control/fault_request.hpp"
#include "harness/control/journal_query.hpp"
#include "harness/control/listener_request.hpp"
#include "harness/control/route_table.hpp"
#include "harness/control/upstream_request.hpp"

namespace {

void check(const bgw::control::ApiError& e) {
  if ((e.status != 400 && e.status != 422) || e.message.empty()) std::abort();
  for (const auto& f : e.errors)
    if ((!f.path.empty() && f.path.front() != '/') || f.message.empty()) std::abort();
}

template <class T>
void check(const std::variant<T, bgw::control::ApiError>& r) {
  if (const auto* e = std::get_if<bgw::control::ApiError>(&r)) check(*e);
}

}  // namespace

// The first byte picks what the rest is: a fault body, an upstream body, a listener body, or a
// request line "METHOD TARGET" (route, then the journal query).
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    switch (data[0] % 4) {
      case 0:
        check(bgw::control::decode_fault_request(rest, bgw::sim::Response{}, rest.size() % 2 == 0));
        break;
      case 1:
        check(bgw::control::decode_upstream_request(rest));
        break;
      case 2:
        check(bgw::control::decode_listener(rest));
        break;
      default: {
        const auto space = rest.find(' ');
        const std::string_view method = rest.substr(0, space);
        const std::string_view target =
            space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
        auto url = boost::urls::parse_origin_form(target);
        if (!url) break;
        (void)bgw::control::match_route(method, url->path());
        check(bgw::control::decode_journal_query(*url, (data[0] & 4) != 0, method));
      }
    }
  } catch (...) {
    std::abort();  // the decoders' contract: every problem is an ApiError
  }
  return 0;
}
