#include "load_result.hpp"

namespace bgw::load {

const char* to_string(Outcome o) noexcept {
  switch (o) {
    case Outcome::response:
      return "response";
    case Outcome::refused:
      return "refused";
    case Outcome::connect_timeout:
      return "connect_timeout";
    case Outcome::reset:
      return "reset";
    case Outcome::closed:
      return "closed";
    case Outcome::timeout:
      return "timeout";
    case Outcome::invalid:
      return "invalid";
  }
  return "unknown";
}

}  // namespace bgw::load
