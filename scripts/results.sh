#!/usr/bin/env bash
# Regenerates docs/results.md: the conformance suite against every shipped proxy adapter, as the
# Markdown matrix, with the HTML report (every cell opens its wire transcript) and the JSON next
# to it in build/results/. Extra arguments go to `badgateway matrix` (e.g. --proxies nginx,haproxy).
#   ./scripts/results.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target badgateway
mkdir -p build/results
table=build/results/matrix.md
build/release/harness/badgateway matrix -j2 --markdown "$table" --html build/results/matrix.html \
  --json build/results/matrix.json "$@" scenarios/conformance

{
  cat <<'HEAD'
# Results: the conformance suite against every reverse proxy Debian 12 ships

What each proxy does when its upstream fails, judged by `scenarios/conformance/` (75 scenarios,
13 failure classes, RFC 9110 / 9112 / 9209). Regenerate with one command:

```sh
./scripts/results.sh
```

It builds badgateway, runs `badgateway matrix -j2 scenarios/conformance` against every adapter in
`proxies/` (the versions are in the column headers), and writes this page, plus
`build/results/matrix.html` (click a cell for the checks and both sides of the wire) and
`build/results/matrix.json` (`badgateway.matrix/1`, see [matrix.md](matrix.md)).

How to read a cell: **pass**, every check held; **fail**, a `must` expectation (an RFC MUST, or
the baseline every gateway owes: an error status, no hang) was violated; **should**, every
`must` held but a recommendation (the RFC 9209 status code) did not; **xfail**, a known
deviation of that proxy, with its reason and source in the list under the table; **skip**, the
proxy cannot express the scenario's topology (`requires`) or is not installed (Envoy and
Traefik are not Debian packages: their adapters are templates, not verified here).
Stability: five consecutive runs, and what changed between them, are in the notes at the end.

HEAD
  cat "$table"
} > docs/results.md
echo "results: wrote docs/results.md (and build/results/matrix.html, matrix.json)"
