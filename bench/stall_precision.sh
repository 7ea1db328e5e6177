#!/usr/bin/env bash
# Stall precision seen by a client: SAMPLES connections to a bgw-upstream whose every request gets
# `stall_before_headers` for STALL, opened SPACING_MS apart; prints min/p50/p99/max of
# (observed - STALL) as the client saw it (bench/tools/stall_probe.py), then the same for the
# server's own timer (the journal's requested vs actual duration of each stall step), and the
# load average before and after.
#
# Usage: bench/stall_precision.sh [SAMPLES] [SPACING_MS] [STALL]   (defaults: 200 5 1s)
# Environment: SIM=path/to/bgw-upstream (default: the release build's).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SAMPLES=${1:-200}
SPACING_MS=${2:-5}
STALL=${3:-1s}
SIM=${SIM:-build/release/simulator/bgw-upstream}
[[ -x $SIM ]] || { echo "stall_precision: missing $SIM" >&2; exit 2; }
stall_ms=$(python3 -c '
import re, sys
m = re.fullmatch(r"([0-9.]+)(ms|s)", sys.argv[1]) or sys.exit("STALL must be like 1s or 500ms")
print(float(m[1]) * (1000 if m[2] == "s" else 1))' "$STALL")

work=$(mktemp -d)
sim_pid=""
cleanup() { [[ -n $sim_pid ]] && kill "$sim_pid" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM

"$SIM" --fault stall_before_headers --param "duration=$STALL" --journal events \
  --journal-file "$work/journal.jsonl" >"$work/sim.out" &
sim_pid=$!
for _ in $(seq 1 100); do grep -q listening "$work/sim.out" 2>/dev/null && break; sleep 0.05; done
port=$(sed -n 's/^listening 127.0.0.1:\([0-9]*\)$/\1/p' "$work/sim.out")
[[ -n $port ]] || { echo "stall_precision: bgw-upstream did not start" >&2; exit 1; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
python3 bench/tools/stall_probe.py "$port" "$SAMPLES" "$SPACING_MS" "$stall_ms" >"$work/probe.out" || status=$?
grep -v '^sample ' "$work/probe.out" | sed 's/^/client: /'
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"

kill -TERM "$sim_pid"
wait "$sim_pid" || true
sim_pid=""
python3 - "$work/journal.jsonl" <<'PY'
import json, math, sys
errs = sorted(e["actual_ms"] - e["requested_ms"]
              for e in map(json.loads, open(sys.argv[1]))
              if e.get("event") == "step" and e.get("detail") == "stall")
if not errs:
    sys.exit("server: no stall steps in the journal")
pct = lambda p: errs[max(1, math.ceil(p / 100 * len(errs))) - 1]
print(f"server: {len(errs)} stall steps, timer error = actual - requested (ms): "
      f"min {errs[0]:.3f}  p50 {pct(50):.3f}  p99 {pct(99):.3f}  max {errs[-1]:.3f}")
PY
exit "$status"
