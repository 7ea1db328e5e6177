// What the control API answers when a request cannot be carried out: an HTTP status, a summary,
// and for a request body that failed validation, one entry per problem with the JSON Pointer of
// the field it is about. Rendered as {"error": "...", "errors": [{"path": "...", "message": ...}]}.
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <vector>

namespace bgw::control {

struct FieldError {
  std::string path;  ///< JSON Pointer into the request body ("" is the whole body)
  std::string message;
};

struct ApiError {
  int status = 400;
  std::string message;
  std::vector<FieldError> errors;

  boost::json::object to_json() const;
};

/// A 422 about one field: its JSON Pointer ("" is the whole body) and what is wrong with it.
ApiError invalid_field(std::string path, std::string message);

}  // namespace bgw::control
