// The request a load generator sends, serialised once: every request is the same bytes except
// for its id, which is patched into a per-connection copy (a memcpy of the digits and the tail,
// no allocation). No Asio.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace bgw::load {

struct LoadOptions;

class RequestBytes {
 public:
  /// Serialises method, target, Host, the extra headers, Content-Length (when there is a body
  /// or the method usually has one) and, with request_ids, "X-Bgw-Request: <id>" last.
  /// Throws std::invalid_argument for a method, target or header that would not be one request
  /// (CR, LF, spaces where they do not belong).
  explicit RequestBytes(const LoadOptions& options);

  /// The bytes of request `id`. `scratch` holds them between calls (keep one per connection and
  /// use it with this RequestBytes only: its fixed prefix is written once).
  std::string_view render(std::uint64_t id, std::string& scratch) const;

  bool with_ids() const noexcept { return with_ids_; }
  bool head_request() const noexcept { return head_request_; }
  /// The whole request with id 1 (tests, diagnostics).
  std::string example() const;

 private:
  std::string prefix_;  ///< everything before the id digits (the whole request without ids)
  std::string suffix_;  ///< "\r\n\r\n" and the body
  std::string whole_;   ///< without ids: the one request
  bool with_ids_ = true;
  bool head_request_ = false;
};

}  // namespace bgw::load
