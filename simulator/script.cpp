#include "script.hpp"

namespace bgw::sim {
namespace {
template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;  // clang 14 (the fuzz build) lacks aggregate deduction
}  // namespace

bool ends_connection(const Step& step) {
  if (std::holds_alternative<Close>(step) || std::holds_alternative<GracefulClose>(step) ||
      std::holds_alternative<Reset>(step) || std::holds_alternative<HalfClose>(step))
    return true;
  if (const auto* s = std::get_if<Stall>(&step)) return s->duration == Duration::zero();
  return false;
}

const char* step_name(const Step& step) {
  return std::visit(Overloaded{
                        [](const ReadRequest&) { return "read"; },
                        [](const Write&) { return "write"; },
                        [](const Respond&) { return "respond"; },
                        [](const Drip&) { return "drip"; },
                        [](const Delay&) { return "delay"; },
                        [](const Stall&) { return "stall"; },
                        [](const Close&) { return "close"; },
                        [](const GracefulClose&) { return "graceful_close"; },
                        [](const Reset&) { return "reset"; },
                        [](const HalfClose&) { return "half_close"; },
                        [](const ServeRequests&) { return "serve_requests"; },
                        [](const AwaitClientHello&) { return "await_client_hello"; },
                        [](const Handshake&) { return "handshake"; },
                        [](const ServerHelloOnly&) { return "server_hello_only"; },
                        [](const ProvokeAlert&) { return "provoke_alert"; },
                        [](const CorruptNextRecord&) { return "corrupt_next_record"; },
                    },
                    step);
}

bool is_tls_step(const Step& step) {
  return std::holds_alternative<AwaitClientHello>(step) ||
         std::holds_alternative<Handshake>(step) || std::holds_alternative<ServerHelloOnly>(step) ||
         std::holds_alternative<ProvokeAlert>(step) ||
         std::holds_alternative<CorruptNextRecord>(step);
}

Step fin_step(FinKind kind) {
  if (kind == FinKind::graceful) return GracefulClose{};
  return Close{};
}

}  // namespace bgw::sim
