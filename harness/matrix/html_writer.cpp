#include "html_writer.hpp"

#include <cstdio>
#include <ostream>
#include <string_view>

#include "bgw_version.hpp"
#include "harness/client/observation.hpp"
#include "harness/matrix/sha256.hpp"
#include "harness/text/escape.hpp"

namespace bgw::matrix {

using namespace bgw::text;  // html_text, wire_text, json_text, json_bytes, markdown_text
namespace {

// The stylesheet. An open cell turns its <summary> into a full-window backdrop (a click on it
// closes the cell, no script needed) and its panel into a window above it.
constexpr std::string_view css = R"css(
:root{color-scheme:light;--line:#d0d7de;--muted:#57606a}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5rem;color:#1f2328;background:#fff}
h1{font-size:1.4rem;margin:0 0 .3rem}
code,pre{font:12px/1.4 ui-monospace,"DejaVu Sans Mono",monospace}
.meta,.hint{color:var(--muted);margin:.2rem 0}
.warning{background:#fff8c5;border:1px solid #d4a72c;padding:.3rem .6rem}
ul.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.4rem 1.4rem;margin:.8rem 0}
.swatch{display:inline-block;min-width:5rem;text-align:center;border-radius:3px;padding:0 .3rem;margin-right:.3rem}
table.matrix{border-collapse:collapse;margin-top:.8rem}
table.matrix>*>tr>th,table.matrix>*>tr>td{border:1px solid var(--line);padding:.3rem .5rem;vertical-align:top}
table.matrix>thead th{position:sticky;top:0;background:#f6f8fa;z-index:1}
th.proxy .version,th.proxy .skip-reason{display:block;font-weight:normal;color:var(--muted);font-size:12px}
tr.group>th{background:#eef1f4;text-align:left;font-size:13px}
th.scenario{text-align:left;font-weight:normal;max-width:36rem;position:sticky;left:0;background:#fff}
th.corner{position:sticky;left:0;z-index:2}
th.scenario .name{font-weight:600;font-family:ui-monospace,monospace}
th.scenario .desc,th.scenario .spec,th.scenario .file{display:block;color:var(--muted);font-size:12px}
table.matrix td.cell{text-align:center;white-space:nowrap;padding:0}
td.cell summary{cursor:pointer;padding:.3rem .7rem;list-style:none}
td.cell summary::-webkit-details-marker{display:none}
.c-pass{background:#dafbe1}.c-should{background:#fff8c5}.c-xfail{background:#ddf4ff}
.c-fail{background:#ffcecb}.c-xpass{background:#fbdfff}.c-error{background:#ffd8b5}
.c-skip{background:#eaeef2;color:var(--muted)}
details.obs[open]>summary{position:fixed;inset:0;z-index:10;background:rgba(31,35,40,.45);color:transparent}
details.obs>.panel{position:fixed;top:4vh;left:4vw;right:4vw;bottom:4vh;z-index:11;overflow:auto;background:#fff;border:1px solid var(--line);border-radius:6px;padding:1rem 1.2rem;text-align:left;white-space:normal;box-shadow:0 8px 24px rgba(0,0,0,.25)}
.panel h2{font-size:1.1rem;margin:0 2.5rem .4rem 0}
.panel h3{font-size:.95rem;margin:1rem 0 .3rem}
.panel h4{font-size:.85rem;font-weight:normal;margin:.6rem 0 .2rem}
.panel pre{white-space:pre-wrap;word-break:break-all;background:#f6f8fa;border:1px solid var(--line);padding:.4rem;margin:.1rem 0 .4rem;max-height:22rem;overflow:auto}
.panel .close{position:sticky;top:0;float:right;font-size:1.2rem;line-height:1;padding:.2rem .5rem;border:1px solid var(--line);background:#fff;border-radius:4px;cursor:pointer}
.panel .verdict{display:inline-block;padding:.1rem .5rem;border-radius:3px}
table.checks{border-collapse:collapse;width:100%}
table.checks th,table.checks td{border:1px solid var(--line);padding:.2rem .4rem;text-align:left;vertical-align:top}
tr.failed.must>td:first-child{background:#ffcecb}
tr.failed.should>td:first-child{background:#fff8c5}
tr.failed.covered>td:first-child{background:#ddf4ff}
tr.passed>td:first-child{background:#dafbe1}
.why,.where,.label{color:var(--muted);font-size:12px}
tfoot th{text-align:left;font-weight:normal}
tfoot td{text-align:center}
)css";

// Enhancements only: one cell open at a time, Esc and the close button close it, and a URL
// fragment (#cell-NAME--PROXY) opens that cell. The page works without it.
constexpr std::string_view js = R"js(
(function () {
  'use strict';
  document.documentElement.classList.add('js');
  function closeAll(keep) {
    document.querySelectorAll('details.obs[open]').forEach(function (d) {
      if (d !== keep) d.open = false;
    });
  }
  document.addEventListener('toggle', function (e) {
    var d = e.target;
    if (d instanceof HTMLDetailsElement && d.classList.contains('obs') && d.open) closeAll(d);
  }, true);
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') closeAll(null);
  });
  document.addEventListener('click', function (e) {
    var b = e.target instanceof Element ? e.target.closest('button.close') : null;
    var d = b ? b.closest('details') : null;
    if (d) d.open = false;
  });
  var id = '';
  try { id = decodeURIComponent(location.hash.slice(1)); } catch (err) { id = ''; }
  var target = id ? document.getElementById(id) : null;
  if (target instanceof HTMLDetailsElement) target.open = true;
})();
)js";

std::string seconds(std::chrono::nanoseconds d, int decimals = 2) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f s", decimals, std::chrono::duration<double>(d).count());
  return buf;
}

std::string id_part(std::string_view s) {
  std::string out;
  for (const char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    out += ok ? c : '_';
  }
  return out;
}

class Writer {
 public:
  Writer(const Matrix& m, std::ostream& out, const HtmlLimits& limits)
      : m_(m), out_(out), limits_(limits) {}

  void document() {
    out_ << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src '"
         << csp_hash(css) << "'; script-src '" << csp_hash(js)
         << "'; base-uri 'none'; form-action 'none'\">\n"
         << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         << "<meta name=\"generator\" content=\"badgateway " << bgw::version << " matrix\">\n"
         << "<title>badgateway matrix: " << m_.rows.size() << " scenarios, " << m_.columns.size()
         << " proxies</title>\n<style>" << css << "</style>\n</head>\n<body>\n";
    header();
    out_ << "<main>\n<table class=\"matrix\">\n";
    head_row();
    body_rows();
    foot_rows();
    out_ << "</table>\n</main>\n<script>" << js << "</script>\n</body>\n</html>\n";
  }

 private:
  void header() {
    out_ << "<header>\n<h1>badgateway matrix</h1>\n<p class=\"meta\">Generated <time datetime=\""
         << iso8601(m_.generated) << "\">" << iso8601(m_.generated) << "</time> in "
         << seconds(m_.elapsed, 1) << " by <code class=\"command\">" << html_text(m_.command_line)
         << "</code> (badgateway " << bgw::version << ")</p>\n";
    if (m_.interrupted)
      out_ << "<p class=\"warning interrupted\">Interrupted: the cells that never ran say "
              "so.</p>\n";
    out_ << "<ul class=\"legend\">\n";
    for (const Cell c : all_cells) {
      out_ << "<li><span class=\"swatch c-" << to_string(c) << "\">" << symbol(c) << " "
           << to_string(c) << "</span><strong>" << title(c) << "</strong>: " << meaning(c)
           << "</li>\n";
    }
    out_ << "</ul>\n<p class=\"hint\">Click a cell for what was observed; Esc or a click outside "
            "closes it.</p>\n</header>\n";
  }

  void head_row() {
    out_ << "<thead>\n<tr><th class=\"corner\" scope=\"col\">scenario</th>";
    for (const auto& c : m_.columns) {
      out_ << "<th class=\"proxy\" scope=\"col\" data-proxy=\"" << html_text(c.name) << "\">"
           << html_text(c.name);
      if (!c.version.empty())
        out_ << "<span class=\"version\">" << html_text(c.version) << "</span>";
      if (!c.skip_reason.empty())
        out_ << "<span class=\"skip-reason\">skipped: " << html_text(c.skip_reason) << "</span>";
      out_ << "</th>";
    }
    out_ << "</tr>\n</thead>\n";
  }

  void body_rows() {
    out_ << "<tbody>\n";
    std::string group;
    for (std::size_t s = 0; s < m_.rows.size(); ++s) {
      const auto& row = m_.rows[s];
      if ((s == 0 || row.group != group) && !row.group.empty()) {
        out_ << "<tr class=\"group\"><th colspan=\"" << m_.columns.size() + 1
             << "\" scope=\"rowgroup\">" << html_text(row.group) << "</th></tr>\n";
      }
      group = row.group;
      out_ << "<tr class=\"scenario\" data-scenario=\"" << html_text(row.name)
           << "\"><th class=\"scenario\" scope=\"row\"><span class=\"name\">" << html_text(row.name)
           << "</span>";
      if (!row.description.empty())
        out_ << "<span class=\"desc\">" << html_text(row.description) << "</span>";
      if (!row.spec.empty()) {
        out_ << "<span class=\"spec\">";
        for (std::size_t i = 0; i < row.spec.size(); ++i)
          out_ << (i ? " · " : "") << html_text(row.spec[i]);
        out_ << "</span>";
      }
      if (!row.file.empty()) out_ << "<span class=\"file\">" << html_text(row.file) << "</span>";
      out_ << "</th>";
      for (const auto& col : m_.columns) {
        if (s < col.results.size())
          cell(row, col, col.results[s]);
        else
          out_ << "<td class=\"cell missing\"></td>";
      }
      out_ << "</tr>\n";
    }
    out_ << "</tbody>\n";
  }

  void foot_rows() {
    out_ << "<tfoot>\n";
    std::vector<CellCounts> counts;
    for (std::size_t p = 0; p < m_.columns.size(); ++p) counts.push_back(m_.counts(p));
    for (std::size_t i = 0; i < all_cells.size(); ++i) {
      const Cell c = all_cells[i];
      out_ << "<tr class=\"count\" data-cell=\"" << to_string(c) << "\"><th scope=\"row\">"
           << "<span class=\"swatch c-" << to_string(c) << "\">" << symbol(c) << " " << to_string(c)
           << "</span></th>";
      for (std::size_t p = 0; p < m_.columns.size(); ++p) {
        out_ << "<td class=\"count\" data-proxy=\"" << html_text(m_.columns[p].name) << "\">"
             << counts[p][i] << "</td>";
      }
      out_ << "</tr>\n";
    }
    out_ << "</tfoot>\n";
  }

  void cell(const ScenarioRow& row, const ProxyColumn& col, const run::ScenarioResult& r) {
    const Cell c = classify(r);
    const std::string kind = to_string(c);
    out_ << "<td class=\"cell c-" << kind << "\" data-proxy=\"" << html_text(col.name)
         << "\" data-cell=\"" << kind << "\"><details class=\"obs\" id=\""
         << html_text(cell_id(row.name, col.name)) << "\"><summary title=\"" << title(c)
         << (r.reason.empty() ? "" : ": ") << html_text(r.reason) << "\">" << symbol(c) << " "
         << kind << "</summary>\n<div class=\"panel\" role=\"dialog\" aria-label=\""
         << html_text(row.name) << " on " << html_text(col.name) << "\">"
         << "<button type=\"button\" class=\"close\" title=\"close (Esc)\">\u00d7</button>\n"
         << "<h2>" << html_text(row.name) << " on " << html_text(col.name)
         << (col.version.empty() ? "" : " " + html_text(col.version)) << "</h2>\n"
         << "<p><span class=\"verdict c-" << kind << "\">" << symbol(c) << " " << title(c)
         << "</span> <span class=\"label\">verdict " << run::to_string(r.verdict) << ", "
         << seconds(r.elapsed) << "</span></p>\n";
    if (!r.reason.empty()) out_ << "<p class=\"reason\">" << html_text(r.reason) << "</p>\n";
    if (!row.description.empty())
      out_ << "<p class=\"label\">" << html_text(row.description) << "</p>\n";
    if (!r.run_dir.empty())
      out_ << "<p class=\"label\">run directory: <code>" << html_text(r.run_dir) << "</code></p>\n";
    deviations(r);
    checks(r);
    exchanges(r);
    if (!r.upstream_journal.empty()) {
      out_ << "<section class=\"journal\"><h3>proxy \u2194 upstreams (journal)</h3><pre>"
           << html_text(bounded(r.upstream_journal, limits_.journal_bytes)) << "</pre></section>\n";
    }
    if (!r.proxy_log_tail.empty()) {
      out_ << "<section class=\"log\"><h3>proxy log (tail)</h3><pre>"
           << html_text(bounded(r.proxy_log_tail, limits_.log_bytes)) << "</pre></section>\n";
    }
    out_ << "</div></details></td>";
  }

  static std::string bounded(const std::string& s, std::size_t max) {
    if (s.size() <= max) return s;
    return s.substr(0, max) + "\n...(" + std::to_string(s.size()) + " bytes, first " +
           std::to_string(max) + " shown; every byte is in the JSON report)";
  }

  void deviations(const run::ScenarioResult& r) {
    bool any = false;
    for (const auto& ch : r.checks) {
      if (!ch.deviation) continue;
      if (!any) out_ << "<section class=\"deviation\"><h3>known deviation</h3><ul>\n";
      any = true;
      const auto& d = *ch.deviation;
      out_ << "<li><strong>" << html_text(ch.kind) << "</strong>: " << html_text(d.actual);
      if (!d.reason.empty()) out_ << "<br><span class=\"why\">" << html_text(d.reason) << "</span>";
      if (is_web_link(d.link)) {
        out_ << "<br><a href=\"" << html_text(d.link) << "\" rel=\"noreferrer noopener\">"
             << html_text(d.link) << "</a>";
      } else if (!d.link.empty()) {
        out_ << "<br><span class=\"where\">" << html_text(d.link) << "</span>";
      }
      if (d.where.file)
        out_ << "<br><span class=\"where\">" << html_text(d.where.to_string()) << "</span>";
      out_ << "</li>\n";
    }
    if (any) out_ << "</ul></section>\n";
  }

  void checks(const run::ScenarioResult& r) {
    if (r.checks.empty()) return;
    out_ << "<section class=\"checks\"><h3>checks</h3><table class=\"checks\"><thead><tr>"
            "<th></th><th>severity</th><th>check</th><th>expected</th><th>observed</th></tr>"
            "</thead><tbody>\n";
    for (const auto& ch : r.checks) {
      const bool must = ch.severity == scenario::Severity::must;
      out_ << "<tr class=\"" << (ch.passed ? "passed" : "failed") << (must ? " must" : " should")
           << (ch.deviation && !ch.passed ? " covered" : "") << "\"><td>"
           << (ch.passed ? "\u2713" : "\u2717") << "</td><td>" << (must ? "MUST" : "SHOULD")
           << "</td><td>" << html_text(ch.kind) << " of " << html_text(ch.subject);
      if (!ch.why.empty()) out_ << "<div class=\"why\">why: " << html_text(ch.why) << "</div>";
      if (ch.where.file)
        out_ << "<div class=\"where\">" << html_text(ch.where.to_string()) << "</div>";
      out_ << "</td><td>" << html_text(ch.expected) << "</td><td>" << html_text(ch.observed)
           << "</td></tr>\n";
    }
    out_ << "</tbody></table></section>\n";
  }

  void exchanges(const run::ScenarioResult& r) {
    if (r.exchanges.empty()) return;
    out_ << "<section class=\"exchanges\"><h3>client \u2194 proxy</h3>\n";
    for (const auto& x : r.exchanges) {
      const auto& o = x.observation;
      out_ << "<div class=\"exchange\"><h4>step " << x.step + 1 << "." << x.repeat + 1 << " at "
           << seconds(x.started_at) << ": <span class=\"summary\">"
           << html_text(client::describe(o)) << "</span></h4>"
           << "<div class=\"label\">client \u2192 proxy (" << x.request_bytes.size()
           << " B)</div><pre class=\"sent\">"
           << html_text(wire_text(x.request_bytes, limits_.request_bytes)) << "</pre>"
           << "<div class=\"label\">proxy \u2192 client (" << o.received.size() << " B"
           << (o.ending ? std::string(", then ") + client::to_string(*o.ending) : "") << ")</div>";
      if (!o.received.empty()) {
        out_ << "<pre class=\"received\">"
             << html_text(wire_text(o.received, limits_.received_bytes)) << "</pre>";
      }
      out_ << "</div>\n";
    }
    out_ << "</section>\n";
  }

  const Matrix& m_;
  std::ostream& out_;
  const HtmlLimits& limits_;
};

}  // namespace

std::string cell_id(const std::string& scenario, const std::string& proxy) {
  return "cell-" + id_part(scenario) + "--" + id_part(proxy);
}

void write_html(const Matrix& matrix, std::ostream& out, const HtmlLimits& limits) {
  Writer(matrix, out, limits).document();
}

}  // namespace bgw::matrix
