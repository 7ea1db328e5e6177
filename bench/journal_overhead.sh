#!/usr/bin/env bash
# What does bgw-upstream's default journal cost a client? Two simulators side by side, one with
# the default journal (level `events`: a ring of the most recent events plus counters) and one
# with `--journal counters`, loaded alternately by wrk (closed loop, C connections) in each
# round; prints each round's requests/s and p99 latency, the median paired p99 ratio, and each
# server's RSS after the rounds. Then the default journal alone under wrk for LONG seconds, its
# RSS read at 5 s and at the end: memory that stays flat does not grow with run length.
# The servers run on CPU 0, wrk on CPU 1 (taskset), so the two do not take turns on one core.
#
# Usage: bench/journal_overhead.sh [ROUNDS] [SECONDS] [CONNECTIONS] [LONG]   (defaults: 7 5 50 30)
# Environment: SIM=path/to/bgw-upstream (default: the release build's); JOURNAL_ARGS="..."
# adds options to the default-journal server (e.g. "--journal-file /tmp/j.jsonl"); NICE=-10
# runs servers and wrk at that nice value (root), so other processes on a shared machine (builds)
# preempt them less: both servers alike, the latency then shows the servers more than the load.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROUNDS=${1:-7}
SECONDS_PER_RUN=${2:-5}
CONNECTIONS=${3:-50}
LONG=${4:-30}
SIM=${SIM:-build/release/simulator/bgw-upstream}
read -r -a EXTRA <<<"${JOURNAL_ARGS:-}"
[[ -x $SIM ]] || { echo "journal_overhead: missing $SIM" >&2; exit 2; }

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM

start_sim() {  # outfile args... -> pid in pids[-1]
  local out=$1; shift
  nice -n "${NICE:-0}" taskset -c 0 "$SIM" "$@" >"$out" &
  pids+=($!)
  for _ in $(seq 1 100); do grep -q listening "$out" 2>/dev/null && break; sleep 0.05; done
}
port_of() { sed -n 's/^listening 127.0.0.1:\([0-9]*\)$/\1/p' "$1"; }
rss_mib() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
# wrk's p99 in ms (it prints us, ms or s).
p99_ms() {
  awk '$1 == "99%" {v = $2; u = v; gsub(/[0-9.]/, "", u); sub(/[a-z]+$/, "", v);
       printf "%.3f", v * (u == "us" ? 0.001 : u == "s" ? 1000 : 1)}'
}
load() { nice -n "${NICE:-0}" taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$2" --latency "http://127.0.0.1:$1/"; }

start_sim "$work/events.out" "${EXTRA[@]}"
events_pid=${pids[-1]}
start_sim "$work/counters.out" --journal counters
counters_pid=${pids[-1]}
events_port=$(port_of "$work/events.out")
counters_port=$(port_of "$work/counters.out")

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "round journal requests_per_s p99_ms"
for r in $(seq 1 "$ROUNDS"); do
  for which in events counters; do
    if [[ $which == events ]]; then port=$events_port; else port=$counters_port; fi
    out=$(load "$port" "${SECONDS_PER_RUN}s")
    echo "$r $which $(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$out") $(p99_ms <<<"$out")"
  done
done | tee "$work/rounds.txt"
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
echo "RSS after the rounds: default journal $(rss_mib "$events_pid") MiB, counters $(rss_mib "$counters_pid") MiB"
python3 - "$work/rounds.txt" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l[0].isdigit()]
col = lambda j, i: [float(r[i]) for r in rows if r[1] == j]
ev, co = col("events", 3), col("counters", 3)
ratios = [e / c for e, c in zip(ev, co)]
med = statistics.median
print(f"default journal: median {med(col('events', 2)):.0f} req/s, p99 {med(ev):.3f} ms; "
      f"--journal counters: median {med(col('counters', 2)):.0f} req/s, p99 {med(co):.3f} ms; "
      f"p99 ratio (paired) median {med(ratios):.2f}x (min {min(ratios):.2f}, max {max(ratios):.2f})")
PY

kill "$counters_pid"
load "$events_port" "${LONG}s" >"$work/long.txt" &
wrk_pid=$!
sleep 5
at5=$(rss_mib "$events_pid")
wait "$wrk_pid"
echo "default journal under ${LONG} s of wrk: RSS $at5 MiB at 5 s, $(rss_mib "$events_pid") MiB at ${LONG} s" \
  "($(awk '/requests in/ {print $1}' "$work/long.txt") requests, p99 $(p99_ms <"$work/long.txt") ms)"
