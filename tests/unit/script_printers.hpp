// GoogleTest printers for script steps, so a failed Script comparison shows readable, escaped
// bytes instead of a hex dump. Found by ADL (they live next to the types they print).
#pragma once

#include <chrono>
#include <cstdio>
#include <ostream>
#include <string>
#include <string_view>

#include "simulator/script.hpp"
#include "simulator/units.hpp"

namespace bgw::sim {

inline std::string escape_bytes(std::string_view bytes) {
  std::string out = "\"";
  for (const unsigned char c : bytes) {
    switch (c) {
      case '\r':
        out += "\\r";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        if (c < 0x20 || c >= 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

inline std::string short_bytes(std::string_view bytes) {
  if (bytes.size() <= 200) return escape_bytes(bytes);
  return escape_bytes(bytes.substr(0, 120)) + "...(" + std::to_string(bytes.size()) + " bytes)..." +
         escape_bytes(bytes.substr(bytes.size() - 60));
}

inline void PrintTo(const ReadRequest& s, std::ostream* os) {
  *os << "ReadRequest{"
      << (s.part == ReadPart::head    ? "head"
          : s.part == ReadPart::whole ? "whole"
                                      : "bytes");
  if (s.part == ReadPart::bytes) *os << ", " << s.bytes;
  *os << "}";
}
inline void PrintTo(const Write& s, std::ostream* os) {
  *os << "Write{" << short_bytes(s.bytes) << "}";
}
inline void PrintTo(const Respond& s, std::ostream* os) {
  *os << "Respond{" << short_bytes(s.keep_alive) << ", close " << short_bytes(s.close)
      << ", date at " << (s.date_at == Respond::no_date ? -1L : static_cast<long>(s.date_at))
      << "}";
}
inline void PrintTo(const Drip& s, std::ostream* os) {
  *os << "Drip{" << short_bytes(s.bytes) << ", chunk " << s.chunk << ", every "
      << format_duration(s.interval) << "}";
}
inline void PrintTo(const Delay& s, std::ostream* os) {
  *os << "Delay{" << format_duration(s.duration) << "}";
}
inline void PrintTo(const Stall& s, std::ostream* os) {
  *os << "Stall{" << format_duration(s.duration) << "}";
}
inline void PrintTo(const Close& s, std::ostream* os) {
  *os << (s.close_notify ? "Close{}" : "Close{no close_notify}");
}
inline void PrintTo(const GracefulClose& s, std::ostream* os) {
  *os << "GracefulClose{" << format_duration(s.max_wait) << ", " << s.max_bytes << " bytes}";
}
inline void PrintTo(const Reset&, std::ostream* os) {
  *os << "Reset{}";
}
inline void PrintTo(const HalfClose&, std::ostream* os) {
  *os << "HalfClose{}";
}
inline void PrintTo(const ServeRequests& s, std::ostream* os) {
  *os << "ServeRequests{" << s.count << "}";
}
inline void PrintTo(const AwaitClientHello&, std::ostream* os) {
  *os << "AwaitClientHello{}";
}
inline void PrintTo(const Handshake& s, std::ostream* os) {
  *os << "Handshake{offer " << static_cast<int>(s.offer) << ", alpn " << s.alpn.size()
      << (s.alpn_select_anyway ? ", select anyway}" : "}");
}
inline void PrintTo(const ServerHelloOnly&, std::ostream* os) {
  *os << "ServerHelloOnly{}";
}
inline void PrintTo(const ProvokeAlert& s, std::ostream* os) {
  *os << "ProvokeAlert{" << static_cast<int>(s.cause) << "}";
}
inline void PrintTo(const CorruptNextRecord&, std::ostream* os) {
  *os << "CorruptNextRecord{}";
}

}  // namespace bgw::sim
