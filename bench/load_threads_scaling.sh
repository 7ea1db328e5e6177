#!/usr/bin/env bash
# Does the load generator scale with `--threads`? `badgateway load` with 1 and with N client
# threads, side by side in each round, against `bgw-upstream --threads 2` (the target; its own
# scaling is bench/threads_scaling.sh). Also the client's CPU: one thread pinned at ~1.00 core
# is the bottleneck; N threads using more cores while sending more are not. On this 2-core
# machine the target needs CPU too, so the best N=2 can do is the share the target leaves.
#
# Usage: bench/load_threads_scaling.sh [ROUNDS] [SECONDS] [CONNECTIONS] [N]   (default 5 5 64 2)
# Environment: BGW, SIM (default: the release build's binaries).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=bench/scaling_lib.sh
source bench/scaling_lib.sh
ROUNDS=${1:-5}
SECONDS_PER_RUN=${2:-5}
CONNECTIONS=${3:-64}
N=${4:-2}
BGW=${BGW:-build/release/harness/badgateway}
SIM=${SIM:-build/release/simulator/bgw-upstream}
for b in "$BGW" "$SIM"; do [[ -x $b ]] || { echo "load_threads_scaling: missing $b" >&2; exit 2; }; done
work=$(mktemp -d)
sim_pid=""
cleanup() { [[ -n $sim_pid ]] && kill "$sim_pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM

"$SIM" --journal counters --threads 2 >"$work/sim.out" &
sim_pid=$!
for _ in $(seq 1 100); do grep -q listening "$work/sim.out" 2>/dev/null && break; sleep 0.05; done
port=$(sed -n 's/^listening 127.0.0.1:\([0-9]*\)$/\1/p' "$work/sim.out")

run() {  # threads -> "requests_per_s client_cores"
  /usr/bin/time -f '%U %S' -o "$work/cpu" "$BGW" load "http://127.0.0.1:$port/" -c "$CONNECTIONS" \
    -d "${SECONDS_PER_RUN}s" --threads "$1" --no-request-ids --json "$work/load.json" >/dev/null
  python3 - "$work/load.json" "$work/cpu" "$SECONDS_PER_RUN" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
user, system = (float(x) for x in open(sys.argv[2]).read().split())
print(f"{r['requests_per_s']:.0f} {(user + system) / float(sys.argv[3]):.2f}")
PY
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "round threads requests_per_s client_cores"
for r in $(seq 1 "$ROUNDS"); do
  echo "$r 1 $(run 1)"
  echo "$r $N $(run "$N")"
done | tee "$work/rounds.txt"
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
summarize_pairs "badgateway load" "$N" "$work/rounds.txt"
