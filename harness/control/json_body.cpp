#include "json_body.hpp"

#include <boost/json/stream_parser.hpp>

namespace bgw::control {

std::variant<boost::json::value, ApiError> parse_json_body(std::string_view body) {
  boost::json::parse_options options;
  options.max_depth = max_json_depth;
  boost::json::stream_parser parser({}, options);
  boost::system::error_code ec;
  const std::size_t used = parser.write_some(body.data(), body.size(), ec);
  if (!ec && used < body.size()) ec = boost::json::error::extra_data;
  if (!ec) parser.finish(ec);
  if (ec) {
    return ApiError{400,
                    "malformed JSON at byte " +
                        std::to_string(ec == boost::json::error::incomplete ? body.size() : used) +
                        ": " + ec.message(),
                    {}};
  }
  return parser.release();
}

}  // namespace bgw::control
