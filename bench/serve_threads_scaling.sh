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
# shellcheck source=bench/scaling_lib.sh
source bench/scaling_lib.sh
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
start_serve 1 "$work/one.out"
one_pid=${pids[-1]}
start_serve "$N" "$work/many.out"
many_pid=${pids[-1]}
one_port=$(port_of "$work/one.out")
many_port=$(port_of "$work/many.out")

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "round threads requests_per_s server_cores thread_cpu_share"
server_rounds "$one_pid" "$one_port" "$many_pid" "$many_port" "$N" | tee "$work/rounds.txt"
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
summarize_pairs "serve" "$N" "$work/rounds.txt"
