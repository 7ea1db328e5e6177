#include "result_json.hpp"

#include "harness/text/escape.hpp"
#include "simulator/journal.hpp"
#include "simulator/units.hpp"

namespace bgw::run {

namespace json = boost::json;

json::string text_value(std::string_view text) {
  return json::string(text::valid_utf8(text));
}

json::string wire_value(std::string_view bytes) {
  return json::string(sim::bytes_as_text(bytes));
}

double ms_value(std::chrono::nanoseconds d) {
  return sim::ms_value(d);
}

json::object check_json(const CheckResult& c) {
  json::object o{{"kind", text_value(c.kind)},
                 {"subject", text_value(c.subject)},
                 {"passed", c.passed},
                 {"severity", c.severity == scenario::Severity::must ? "must" : "should"},
                 {"expected", text_value(c.expected)},
                 {"observed", text_value(c.observed)},
                 {"why", text_value(c.why)},
                 {"where", text_value(c.where.file ? c.where.to_string() : "")}};
  if (c.deviation)
    o["deviation"] = json::object{{"actual", text_value(c.deviation->actual)},
                                  {"reason", text_value(c.deviation->reason)},
                                  {"link", text_value(c.deviation->link)}};
  else
    o["deviation"] = nullptr;
  return o;
}

json::object exchange_json(const Exchange& x, bool for_matrix) {
  const auto& o = x.observation;
  json::object e{{"step", x.step + 1},
                 {"repeat", x.repeat + 1},
                 {"request", wire_value(x.request_bytes)},
                 {"connected", o.connected}};
  if (o.ending)
    e["ending"] = client::to_string(*o.ending);
  else
    e["ending"] = nullptr;
  if (o.status)
    e["status"] = *o.status;
  else
    e["status"] = nullptr;
  e["status_line"] = wire_value(o.status_line);
  e["body_state"] = client::to_string(o.body_state);
  if (for_matrix) e["summary"] = text_value(client::describe(o));
  e["received"] = wire_value(o.received);
  if (for_matrix) e["started_ms"] = ms_value(x.started_at);
  e["end_ms"] = ms_value(o.timings.end);
  return e;
}

}  // namespace bgw::run
