// Which run a request belongs to. The harness's client stamps every request with its run's
// identity (X-Bgw-Run); an upstream that knows its own run's identity and reads a different
// one has received another run's traffic: it journals the request as foreign and answers with a
// marked response instead of its script, so both sides of the leak can see it. A request
// without the header (a proxy's health check) belongs to nobody and is served normally.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace bgw::sim {

/// The request header that carries the sender's run identity.
inline constexpr std::string_view run_header = "X-Bgw-Run";
/// The response header an upstream marks a foreign request's answer with; its value is the
/// identity of the upstream's own run.
inline constexpr std::string_view foreign_header = "X-Bgw-Foreign";

/// The value of the X-Bgw-Run header in a request head (as delimited by find_head_end);
/// nullopt when absent.
std::optional<std::string_view> run_identity_of(std::string_view head);

/// The marked answer to a foreign request: 421 Misdirected Request, X-Bgw-Foreign naming
/// `ours`, a body naming both runs, Connection: close.
std::string foreign_response(std::string_view ours, std::string_view theirs);

}  // namespace bgw::sim
