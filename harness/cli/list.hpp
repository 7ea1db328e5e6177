// `badgateway list [DIR...]`: one line per scenario (name, tags, the first line of its
// description), default directory scenarios/.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace bgw::cli {

/// Exit code: 0 when every file loaded, 2 when a directory is missing or a file is invalid.
int run_list(const std::vector<std::string>& dirs, std::ostream& out, std::ostream& err);

}  // namespace bgw::cli
