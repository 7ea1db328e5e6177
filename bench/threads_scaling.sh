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
start_sim 1 "$work/one.out"
one_pid=${pids[-1]}
start_sim "$N" "$work/many.out"
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
print(f"--threads 1: median {med(one):.0f} req/s using {med(one_cores):.2f} cores; --threads {n}: "
      f"median {med(many):.0f} req/s using {med(many_cores):.2f} cores; paired ratio median "
      f"{med(ratios):.2f}x (min {min(ratios):.2f}, max {max(ratios):.2f})")
PY
