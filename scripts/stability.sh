#!/usr/bin/env bash
# Runs the conformance suite N times against each proxy and reports every scenario whose verdict
# changed between runs (issue 14, "flake-free"). Uses the release CLI that scripts/run.sh builds.
#   scripts/stability.sh 20 nginx haproxy
#   BGW_STABILITY_JOBS=2 BGW_STABILITY_DIR=/tmp/stab scripts/stability.sh 5 caddy squid
# Exit code: 0 when no verdict changed, 1 when one did, 2 on bad usage or a run that could not judge.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ $# -lt 2 || ! $1 =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/stability.sh RUNS PROXY..." >&2
  exit 2
fi
runs=$1
shift
exe=build/release/harness/badgateway
[[ -x $exe ]] || { echo "stability: $exe not built; run scripts/run.sh once" >&2; exit 2; }
dir=${BGW_STABILITY_DIR:-build/stability}
mkdir -p "$dir"
changed=0
for proxy in "$@"; do
  for ((i = 1; i <= runs; i++)); do
    # Exit 1 (a MUST failed) is a verdict to compare, not a reason to stop.
    rc=0
    "$exe" run --proxy "$proxy" -j "${BGW_STABILITY_JOBS:-2}" --json "$dir/$proxy-$i.json" \
      scenarios/conformance >/dev/null || rc=$?
    if [[ $rc -ne 0 && $rc -ne 1 ]]; then
      echo "stability: run $i against $proxy exited $rc (77: not installed, 3: harness error)" >&2
      exit 2
    fi
  done
  python3 - "$proxy" "$runs" "$dir" <<'PY' || changed=1
import json, sys
proxy, runs, d = sys.argv[1], int(sys.argv[2]), sys.argv[3]
seen = {}
for i in range(1, runs + 1):
    for s in json.load(open(f"{d}/{proxy}-{i}.json"))["scenarios"]:
        seen.setdefault(s["name"], []).append(s["verdict"])
flaky = {n: v for n, v in seen.items() if len(set(v)) > 1}
counts = {}
for v in seen.values():
    counts[v[0]] = counts.get(v[0], 0) + 1
print(f"{proxy}: {runs} runs x {len(seen)} scenarios, {len(flaky)} changed verdict; "
      + ", ".join(f"{k} {c}" for k, c in sorted(counts.items())))
for n, v in sorted(flaky.items()):
    print(f"  {n}: " + " ".join(v))
sys.exit(1 if flaky else 0)
PY
done
exit $changed
