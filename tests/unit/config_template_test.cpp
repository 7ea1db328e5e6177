// Proxy config templates: values, sections over lists and booleans, inverted sections, and
// errors that point at the template's line and column.
#include "harness/proxy/config_template.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

using bgw::proxy::render_template;
using bgw::proxy::TemplateError;
using bgw::proxy::TemplateValue;

TemplateValue server(const std::string& port, bool backup) {
  TemplateValue s;
  s.set("port", port);
  s.set("backup", backup);
  return s;
}

TemplateValue context() {
  TemplateValue c;
  c.set("listen.port", TemplateValue::number(8080));
  c.set("workdir", "/tmp/run");
  c.set("pool", std::vector<TemplateValue>{server("41001", false), server("41002", true)});
  c.set("retry.enabled", true);
  c.set("retry.non_idempotent", false);
  return c;
}

TEST(ConfigTemplate, RendersValuesAndDottedNames) {
  EXPECT_EQ(render_template("listen {{listen.port}}; root {{ workdir }};", context()),
            "listen 8080; root /tmp/run;");
}

TEST(ConfigTemplate, RepeatsASectionForEachListEntry) {
  const std::string t =
      "upstream b {\n"
      "  {{#pool}}\n"
      "  server 127.0.0.1:{{port}}{{#backup}} backup{{/backup}};\n"
      "  {{/pool}}\n"
      "}\n";
  EXPECT_EQ(render_template(t, context()),
            "upstream b {\n"
            "  server 127.0.0.1:41001;\n"
            "  server 127.0.0.1:41002 backup;\n"
            "}\n");
}

TEST(ConfigTemplate, InvertedSectionRendersWhenFalseOrMissing) {
  EXPECT_EQ(render_template("{{^retry.non_idempotent}}no{{/retry.non_idempotent}}", context()),
            "no");
  EXPECT_EQ(render_template("{{^absent}}none{{/absent}}", context()), "none");
  EXPECT_EQ(render_template("{{^retry.enabled}}x{{/retry.enabled}}", context()), "");
}

TEST(ConfigTemplate, OuterValuesAreVisibleInsideASection) {
  EXPECT_EQ(render_template("{{#pool}}{{listen.port}}:{{port}} {{/pool}}", context()),
            "8080:41001 8080:41002 ");
}

TEST(ConfigTemplate, CommentsAreDropped) {
  EXPECT_EQ(render_template("a{{! why this knob }}b", context()), "ab");
}

struct BadTemplate {
  const char* text;
  int line;
  int column;
  const char* message;
};

class ConfigTemplateErrors : public testing::TestWithParam<BadTemplate> {};

TEST_P(ConfigTemplateErrors, PointAtLineAndColumn) {
  const BadTemplate& b = GetParam();
  try {
    render_template(b.text, context(), "nginx.conf.in");
    FAIL() << "expected a TemplateError for: " << b.text;
  } catch (const TemplateError& e) {
    EXPECT_EQ(e.line(), b.line) << e.what();
    EXPECT_EQ(e.column(), b.column) << e.what();
    EXPECT_THAT(e.what(), testing::HasSubstr(b.message));
    EXPECT_THAT(e.what(), testing::StartsWith("nginx.conf.in:"));
  }
}

// Found by fuzz/template_renderer (a timeout): list sections nested in each other multiply, so a
// short template ran for minutes. Now an error with a position, at once.
TEST(ConfigTemplate, NestedListSectionsThatMultiplyAreAnErrorNotAHang) {
  std::string text;
  for (int i = 0; i < 30; ++i) text += "{{#pool}}";  // 2^30 passes
  text += "x";
  for (int i = 0; i < 30; ++i) text += "{{/pool}}";
  try {
    render_template(text, context(), "t.in");
    FAIL() << "expected a TemplateError";
  } catch (const TemplateError& e) {
    EXPECT_THAT(e.what(), testing::HasSubstr("nested list sections multiply"));
    EXPECT_GE(e.line(), 1);
  }
  // A real config's worth of nesting still renders.
  EXPECT_EQ(render_template("{{#pool}}{{#pool}}.{{/pool}}{{/pool}}", context()), "....");
}

TEST(ConfigTemplate, SectionsNestedTooDeepAreAnError) {
  std::string text;
  for (int i = 0; i < 100; ++i) text += "{{#retry}}";
  EXPECT_THROW(render_template(text, context()), TemplateError);
  try {
    render_template(text, context(), "t.in");
  } catch (const TemplateError& e) {
    EXPECT_THAT(e.what(), testing::HasSubstr("nested more than 64 deep"));
  }
}

INSTANTIATE_TEST_SUITE_P(
    All, ConfigTemplateErrors,
    testing::Values(BadTemplate{"listen {{listen.prot}};", 1, 8, "no value named 'listen.prot'"},
                    BadTemplate{"a\n  {{#pool}}x", 2, 3, "section 'pool' is never closed"},
                    BadTemplate{"{{#pool}}{{/pol}}", 1, 10, "where '{{/pool}}' was expected"},
                    BadTemplate{"x {{/pool}}", 1, 3, "never opened"},
                    BadTemplate{"x\ny {{pool}}", 2, 3, "is a list"},
                    BadTemplate{"{{ }}", 1, 1, "empty tag"},
                    BadTemplate{"a {{port", 1, 3, "without a closing"},
                    BadTemplate{"{{po rt}}", 1, 1, "invalid character"}));

}  // namespace
