#!/usr/bin/env bash
# Does `badgateway bench` hold the same memory however long the load runs? The failover
# scenario the issue measured (a primary crash with a backup behind nginx), closed loop at full
# rate, for each duration given: peak RSS of the badgateway process (GNU time's "Maximum
# resident set size", which counts the upstreams: they run in it) and the requests it made.
# With OLD=path/to/an/older/badgateway, the same runs with it too, side by side.
#
# Usage: bench/bench_memory.sh [DURATION...]   (default: 30s 2m)
# Environment: BGW (default: the release build's), OLD, CONNECTIONS (default 50), THREADS (1).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BGW=${BGW:-build/release/harness/badgateway}
CONNECTIONS=${CONNECTIONS:-50}
THREADS=${THREADS:-1}
durations=("$@"); [[ ${#durations[@]} -gt 0 ]] || durations=(30s 2m)
[[ -x $BGW ]] || { echo "bench_memory: missing $BGW" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "bench_memory: needs GNU time (apt-get install time)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

measure() {  # binary duration -> "rss_mib sent throughput"
  local bin=$1 d=$2 extra=()
  [[ $THREADS -gt 1 ]] && extra=(--threads "$THREADS")
  /usr/bin/time -v "$bin" bench scenarios/failover/primary_crash_backup.toml --proxy nginx \
    --duration "$d" --connections "$CONNECTIONS" --rate 0 --json "$work/r.json" "${extra[@]}" \
    >"$work/out" 2>"$work/time" || { cat "$work/out" "$work/time" >&2; return 1; }
  local kb
  kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time")
  python3 - "$kb" "$work/r.json" <<'PY'
import json, sys
kb, path = int(sys.argv[1]), sys.argv[2]
t = json.load(open(path))["totals"]
print(f"{kb / 1024:.1f} {t['sent']} {t['throughput_rps']:.0f}")
PY
}

echo "binary duration peak_rss_mib requests responses_per_s   (load $(cut -d' ' -f1 /proc/loadavg))"
for d in "${durations[@]}"; do
  echo "new $d $(measure "$BGW" "$d")"
  [[ -n ${OLD:-} ]] && echo "old $d $(measure "$OLD" "$d")"
done
