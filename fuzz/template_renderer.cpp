// The config template renderer (harness/proxy/config_template.hpp) on arbitrary templates over a
// fixed context shaped like a real topology: it renders or throws TemplateError with a position,
// never anything else.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "harness/proxy/config_template.hpp"

namespace {

using bgw::proxy::TemplateValue;

TemplateValue context() {
  TemplateValue c;
  c.set("listen.address", "127.0.0.1");
  c.set("listen.port", TemplateValue::number(8080));
  c.set("workdir", "/tmp/run");
  c.set("empty", "");
  c.set("yes", true);
  c.set("no", false);
  std::vector<TemplateValue> pool;
  for (int i = 0; i < 3; ++i) {
    TemplateValue u;
    u.set("name", "u" + std::to_string(i));
    u.set("port", TemplateValue::number(9000 + i));
    u.set("backup", i == 2);
    pool.push_back(std::move(u));
  }
  c.set("pool", TemplateValue(std::move(pool)));
  c.set("nested.list", TemplateValue(std::vector<TemplateValue>{"a", "b"}));
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const TemplateValue ctx = context();
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)bgw::proxy::render_template(text, ctx, "fuzz.in");
  } catch (const bgw::proxy::TemplateError& e) {
    if (e.line() < 1 || e.column() < 1) std::abort();
  }
  return 0;
}
