#include "glob.hpp"

#include <fnmatch.h>

namespace bgw::text {

bool glob_match(const std::string& pattern, const std::string& text) {
  return ::fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

}  // namespace bgw::text
