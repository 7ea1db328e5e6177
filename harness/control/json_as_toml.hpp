// JSON objects as TOML `[[NAME]]` tables, with a map from every position in the TOML text back
// to the JSON Pointer (RFC 6901) of what was written there. The control API decodes requests
// through the scenario loader this way, so each of the loader's line:col diagnostics can be
// reported against the field of the request that caused it.
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/control/api_error.hpp"
#include "harness/scenario/diagnostic.hpp"

namespace bgw::control {

struct TomlText {
  struct Mark {
    std::uint32_t line = 0;
    std::uint32_t column = 0;
    std::string pointer;
  };
  std::string text;
  std::vector<Mark> marks;  ///< in text order

  /// The pointer of the value or key written at line:col; otherwise of the nearest one before
  /// it on that line; otherwise of the table the line belongs to ("" is the whole request).
  std::string pointer_at(std::uint32_t line, std::uint32_t column) const;
};

/// "/a/b~1c": a JSON Pointer reference token appended to `base`.
std::string pointer_append(std::string_view base, std::string_view token);

/// The first null in `v` (TOML has none, and a field left null is left out in no format we
/// read), as its pointer under `base`.
std::optional<std::string> find_null(const boost::json::value& v, const std::string& base = "");

/// Each object as one `[[name]]` table; `pointers` gives each table's own pointer ("" for a
/// request that is a single object, "/0", "/1"... for an array). Objects must hold no null.
TomlText objects_as_toml(std::string_view name,
                         const std::vector<const boost::json::object*>& objects,
                         const std::vector<std::string>& pointers);

/// The loader's diagnostics on `toml`, each against the JSON Pointer of the field it is about.
ApiError invalid_request(const TomlText& toml, const scenario::Diagnostics& diagnostics,
                         std::string summary);

}  // namespace bgw::control
