#!/usr/bin/env python3
"""The TLS part of docs/results.md, from a matrix JSON (badgateway.matrix/1): what each proxy
answered to each TLS scenario (status, body, time: what the client saw, whatever the verdict),
and which proxies verify upstream certificates by default (tls-cert-verify-default).

Usage: scripts/tls_results.py build/results/matrix.json >> docs/results.md
Standard library only; called by scripts/results.sh.
"""
import json
import re
import sys

VERIFY_DEFAULT = "tls-cert-verify-default"

# What the verify-by-default table cannot measure for proxies that do not run the TLS class,
# from their adapters (proxies/*.toml, above `features`) and their sources.
NOT_RUN = {
    "apache2": "TLS to backends works, but not with the scenario's config: Apache checks only the "
               "member URL's host, an address here (never matched against IP SANs); by default "
               "SSLProxyVerify none: the chain is not checked, the name and dates are",
    "squid": "Debian 12's GnuTLS build reads no reply from a TLS cache_peer, and never verifies "
             "one or sends SNI (the ssl* options need the OpenSSL build, squid-openssl)",
    "varnish": "no TLS to backends in open-source Varnish",
    "lighttpd": "mod_proxy speaks cleartext to backends",
    "tinyproxy": "no TLS to upstreams",
}


def md(text):
    """Escapes text for a Markdown table cell."""
    text = text.replace("\\", "\\\\").replace("|", "\\|")
    for c in "*_[]`":
        text = text.replace(c, "\\" + c)
    return text.replace("<", "&lt;").replace(">", "&gt;")


def seen(summary):
    """'502 Bad Gateway, 157 B body complete, kept open after 50.7 ms' -> '502, 51 ms'."""
    if not summary:
        return "no exchange"
    eof = re.match(r"EOF with no byte after ([\d.]+) ms", summary)
    if eof:
        return f"no response (closed at {float(eof.group(1)):.0f} ms)"
    status = re.match(r"(\d{3}) ", summary)
    out = status.group(1) if status else summary.split(",")[0]
    cut = re.search(r"(\d+) of (\d+) B body, truncated", summary)
    if cut:
        out += f", body cut at {cut.group(1)}/{cut.group(2)} B"
    elif "chunked body complete" in summary:
        out += ", chunked body complete"
    elif "body incomplete" in summary or "truncated" in summary:
        out += ", body incomplete"
    t = re.search(r"after ([\d.]+) ms", summary)
    if t:
        ms = float(t.group(1))
        out += f" at {ms / 1000:.2f} s" if ms >= 900 else f", {ms:.0f} ms"
    return out


def cell_text(cell):
    kind = cell.get("cell", "")
    if kind == "skip":
        return "–"
    if kind == "error":
        return "⚠ " + md(cell.get("reason", ""))[:60]
    first = cell.get("exchanges") or [{}]
    mark = {"pass": "✓", "should": "≈", "xfail": "⚑", "fail": "✗", "xpass": "⁉"}.get(kind, "")
    return f"{mark} {md(seen(first[0].get('summary', '')))}"


def main(path):
    m = json.load(open(path, encoding="utf-8"))
    proxies = [p for p in m["proxies"] if not p.get("skipped")]
    rows = [s for s in m["scenarios"] if s["name"].startswith("tls-")]
    if not rows:
        return
    ran = [p for p in proxies
           if any(s["cells"].get(p["name"], {}).get("cell", "skip") != "skip" for s in rows)]
    not_run = [p for p in proxies if p not in ran]
    print("\n## TLS to upstreams: what each proxy answered\n")
    print("What the client got through each proxy for each scenario of `scenarios/conformance/tls/`"
          " (first request: status, the body when it was cut, and when the response ended), with the"
          " cell's mark from the table above. The proxies whose adapters do not declare"
          " `upstream_tls` are listed under it.\n")
    head = " | ".join(f"{p['name']} {p.get('version', '')}".strip() for p in ran)
    print(f"| scenario | {head} |")
    print("|:---|" + ":---|" * len(ran))
    for s in rows:
        cells = " | ".join(cell_text(s["cells"].get(p["name"], {"cell": "skip"})) for p in ran)
        print(f"| {md(s['name'].removeprefix('tls-'))} | {cells} |")
    if not_run:
        print("\nNot run (the adapter does not declare `upstream_tls`):\n")
        for p in not_run:
            print(f"- {p['name']}: {md(NOT_RUN.get(p['name'], 'see its adapter'))}")

    verify = next((s for s in rows if s["name"] == VERIFY_DEFAULT), None)
    if verify is None:
        return
    print("\n### Which proxies verify upstream certificates by default\n")
    print(f"Measured by `{VERIFY_DEFAULT}`: TLS to an upstream whose certificate comes from a CA the"
          " proxy was not given, with nothing said about verification (`upstream_tls = { verify ="
          " \"default\" }`: each adapter renders the least its proxy accepts for a TLS backend)."
          " A proxy that verifies by default cannot build the chain and refuses the upstream; one"
          " that does not relays the upstream's 200.\n")
    print("| proxy | verifies by default | what the client got | the adapter's note (its deviation) |")
    print("|:---|:---|:---|:---|")
    for p in proxies:
        cell = verify["cells"].get(p["name"], {"cell": "skip"})
        if cell.get("cell") == "skip":
            print(f"| {p['name']} | not run | – | {md(NOT_RUN.get(p['name'], cell.get('reason', '')))} |")
            continue
        first = (cell.get("exchanges") or [{}])[0]
        status = first.get("status")
        if status == 200:
            verdict = "**no**: the upstream's 200 is relayed"
        elif isinstance(status, int) and status >= 500:
            verdict = f"yes: refused with {status}"
        else:
            verdict = "unclear: " + md(cell.get("reason", ""))
        dev = next((c.get("deviation") for c in cell.get("checks", []) if c.get("deviation")), None)
        how = md(dev["reason"]) if dev else ""
        print(f"| {p['name']} {p.get('version', '')} | {verdict} | {md(seen(first.get('summary', '')))} | {how} |")


if __name__ == "__main__":
    main(sys.argv[1])
