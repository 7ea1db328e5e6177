#!/usr/bin/env bash
# Per-scenario overhead of badgateway through nginx: a scenario's wall time minus its intentional
# waits (pauses), as `badgateway run --json` reports them (elapsed_ms - waits_ms; proxy start,
# readiness, client exchanges, verdict and teardown included). Runs the scenario directories with
# -j1 ROUNDS times and prints the median and p90 over every (scenario, round) sample, then the
# median per scenario.
#
# Usage: bench/scenario_overhead.sh [ROUNDS] [DIR...]
#        (defaults: 5 rounds; scenarios/examples and scenarios/conformance if it exists)
# Environment: BGW=path/to/badgateway (default: the release build's), PROXY=nginx.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROUNDS=${1:-5}
shift || true
dirs=("$@")
if ((${#dirs[@]} == 0)); then
  dirs=(scenarios/examples)
  [[ -d scenarios/conformance ]] && dirs+=(scenarios/conformance)
fi
BGW=${BGW:-build/release/harness/badgateway}
PROXY=${PROXY:-nginx}
[[ -x $BGW ]] || { echo "scenario_overhead: missing $BGW" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$ROUNDS"); do
  # Verdicts do not matter here (exit 1 on a failing scenario); a setup error (3) still counts
  # as a sample, but is reported.
  "$BGW" run --proxy "$PROXY" -j 1 --json "$work/run$r.json" --runs-dir "$work/runs" "${dirs[@]}" \
    >"$work/run$r.log" 2>&1 || true
  [[ -s $work/run$r.json ]] || { echo "scenario_overhead: round $r wrote no report" >&2; cat "$work/run$r.log" >&2; exit 1; }
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$work"/run*.json <<'PY'
import json, math, statistics, sys
samples, per = [], {}
verdicts = {}
for path in sys.argv[1:]:
    report = json.load(open(path))
    for s in report["scenarios"]:
        if s["verdict"] == "skip":
            continue
        over = s["elapsed_ms"] - s["waits_ms"]
        samples.append(over)
        per.setdefault(s["name"], []).append(over)
        verdicts.setdefault(s["verdict"], 0)
        verdicts[s["verdict"]] += 1
samples.sort()
pct = lambda v, p: v[max(1, math.ceil(p / 100 * len(v))) - 1]
print(f"{len(per)} scenarios x {len(sys.argv) - 1} rounds = {len(samples)} samples; verdicts {verdicts}")
print(f"overhead (elapsed - waits): median {statistics.median(samples):.1f} ms  "
      f"p90 {pct(samples, 90):.1f} ms  min {samples[0]:.1f}  max {samples[-1]:.1f}")
# waits_ms counts pauses only. A scenario that waits for the proxy's own timer (read = "1s") or
# runs into a client deadline because the proxy never ends a response spends that time on
# purpose too, but it is not counted: show those apart, by a threshold well above any overhead.
quick = [v for v in samples if v < 300]
print(f"samples under 300 ms ({len(quick)}; the rest wait on a proxy timeout or a client "
      f"deadline): median {statistics.median(quick):.1f} ms  p90 {pct(quick, 90):.1f} ms")
for name, v in sorted(per.items(), key=lambda kv: statistics.median(kv[1])):
    print(f"  {name:40s} median {statistics.median(v):7.1f} ms")
PY
