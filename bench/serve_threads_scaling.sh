#!/usr/bin/env bash
# Does `badgateway serve --threads N` scale? One scenario upstream (the default 200) served by
# `serve --threads 1` and by `serve --threads N`, side by side in each round, under wrk with 2
# threads and C connections; the journal streams to a file at LEVEL (default bytes, serve's
# default). Like bench/threads_scaling.sh for bgw-upstream: nothing is pinned, and it prints how
# the server's CPU time split over its threads and how many cores it used.
#
# Usage: bench/serve_threads_scaling.sh [ROUNDS] [SECONDS] [CONNECTIONS] [N]   (defaults: 5 5 100 2)
# Environment: BGW=path/to/badgateway (default: the release build's), LEVEL=counters|events|bytes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROUNDS=${1:-5}
SECONDS_PER_RUN=${2:-5}
CONNECTIONS=${3:-100}
N=${4:-2}
LEVEL=${LEVEL:-bytes}
BGW=${BGW:-build/release/harness/badgateway}
[[ -x $BGW ]] || { echo "serve_threads_scaling: missing $BGW" >&2; exit 2; }

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM
cat >"$work/one.toml" <<'TOML'
[scenario]
name = "serve-threads"
description = "One upstream answering the default 200."
[[upstream]]
name = "a"
TOML

start_serve() {  # threads outfile -> pid in pids[-1]
  "$BGW" serve "$work/one.toml" --threads "$1" --journal-level "$LEVEL" \
    --journal "$work/journal-$1.jsonl" >"$2" 2>/dev/null &
  pids+=($!)
  for _ in $(seq 1 100); do [[ -s $2 ]] && break; sleep 0.05; done
}
port_of() { python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["upstreams"]["a"]["port"])' "$1"; }
# utime+stime ticks of each thread of a process, space-separated, in task order.
thread_ticks() {
  local t
  for t in /proc/"$1"/task/*; do
    read -r -a f < <(sed 's/^.*) //' "$t/stat")
    printf '%s ' $((f[11] + f[12]))
  done
  echo
}

HZ=$(getconf CLK_TCK)
start_serve 1 "$work/one.out"
one_pid=${pids[-1]}
start_serve "$N" "$work/many.out"
many_pid=${pids[-1]}
one_port=$(port_of "$work/one.out")
many_port=$(port_of "$work/many.out")

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "round threads requests_per_s server_cores thread_cpu_share"
for r in $(seq 1 "$ROUNDS"); do
  for which in one many; do
    if [[ $which == one ]]; then pid=$one_pid port=$one_port n=1; else pid=$many_pid port=$many_port n=$N; fi
    read -r -a before < <(thread_ticks "$pid")
    out=$(wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" "http://127.0.0.1:$port/")
    read -r -a after < <(thread_ticks "$pid")
    rps=$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$out")
    total=0
    deltas=()
    for i in "${!after[@]}"; do d=$((after[i] - before[i])); deltas+=("$d"); total=$((total + d)); done
    share=$(for d in "${deltas[@]}"; do awk -v d="$d" -v t="$total" 'BEGIN {printf "%.0f%% ", t ? 100 * d / t : 0}'; done)
    cores=$(awk -v t="$total" -v hz="$HZ" -v s="$SECONDS_PER_RUN" 'BEGIN {printf "%.2f", t / hz / s}')
    echo "$r $n $rps $cores $share"
  done
done | tee "$work/rounds.txt"
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$N" "$work/rounds.txt" <<'PY'
import statistics, sys
n = sys.argv[1]
rows = [l.split() for l in open(sys.argv[2]) if l[0].isdigit()]
one = [float(r[2]) for r in rows if r[1] == "1"]
many = [float(r[2]) for r in rows if r[1] == n]
one_cores = [float(r[3]) for r in rows if r[1] == "1"]
many_cores = [float(r[3]) for r in rows if r[1] == n]
ratios = [m / o for o, m in zip(one, many)]
med = statistics.median
print(f"serve --threads 1: median {med(one):.0f} req/s using {med(one_cores):.2f} cores; --threads {n}: "
      f"median {med(many):.0f} req/s using {med(many_cores):.2f} cores; paired ratio median "
      f"{med(ratios):.2f}x (min {min(ratios):.2f}, max {max(ratios):.2f})")
PY
