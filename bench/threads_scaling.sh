#!/usr/bin/env bash
# Does `bgw-upstream --threads N` scale? The `200 ok` responder with 1 and with N threads, side by
# side in each round, under wrk with 2 threads and C connections. Nothing is pinned: on this
# 2-core machine wrk needs about as much CPU as the server, so the best N=2 can do is take the
# share of the second core that wrk leaves. Also prints how the server's CPU time split over
# its threads in the N-thread runs (a thread that does not get connections shows as ~0%), and
# how many cores the server used: one thread at ~1.00 core is the bottleneck; N threads that
# together use less than N cores while serving more are not.
#
# Usage: bench/threads_scaling.sh [ROUNDS] [SECONDS] [CONNECTIONS] [N]   (defaults: 5 5 100 2)
# Environment: SIM=path/to/bgw-upstream (default: the release build's).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=bench/scaling_lib.sh
source bench/scaling_lib.sh
ROUNDS=${1:-5}
SECONDS_PER_RUN=${2:-5}
CONNECTIONS=${3:-100}
N=${4:-2}
SIM=${SIM:-build/release/simulator/bgw-upstream}
[[ -x $SIM ]] || { echo "threads_scaling: missing $SIM" >&2; exit 2; }

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM

start_sim() {  # threads outfile -> pid
  "$SIM" --journal counters --threads "$1" >"$2" &
  pids+=($!)
  for _ in $(seq 1 100); do grep -q listening "$2" 2>/dev/null && break; sleep 0.05; done
}
port_of() { sed -n 's/^listening 127.0.0.1:\([0-9]*\)$/\1/p' "$1"; }
start_sim 1 "$work/one.out"
one_pid=${pids[-1]}
start_sim "$N" "$work/many.out"
many_pid=${pids[-1]}
one_port=$(port_of "$work/one.out")
many_port=$(port_of "$work/many.out")

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "round threads requests_per_s server_cores thread_cpu_share"
server_rounds "$one_pid" "$one_port" "$many_pid" "$many_port" "$N" | tee "$work/rounds.txt"
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
summarize_pairs "bgw-upstream" "$N" "$work/rounds.txt"
