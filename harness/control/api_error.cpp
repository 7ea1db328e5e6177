#include "api_error.hpp"

#include <boost/json/array.hpp>

namespace bgw::control {

boost::json::object ApiError::to_json() const {
  boost::json::object out;
  out["error"] = message;
  if (!errors.empty()) {
    boost::json::array list;
    for (const FieldError& e : errors) list.push_back({{"path", e.path}, {"message", e.message}});
    out["errors"] = std::move(list);
  }
  return out;
}

ApiError invalid_field(std::string path, std::string message) {
  ApiError e{422, message, {}};
  e.errors.push_back({std::move(path), std::move(message)});
  return e;
}

}  // namespace bgw::control
