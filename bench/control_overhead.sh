#!/usr/bin/env bash
# What the control API costs the data path: `badgateway serve` without and with `--control`
# (nobody calling the API, as during a test's traffic), side by side in one run under wrk.
# Server CPU time per request (utime+stime divided by the requests wrk completed), in
# alternating rounds, with paired ratios. With --control every wire event also enters the
# API's event feed (docs/control-api.md): that copy is the cost measured here.
#
# Usage: bench/control_overhead.sh [ROUNDS] [SECONDS] [CONNECTIONS]   (defaults: 7 3 16)
# Environment: BGW=path/to/badgateway (default: the release build's).
# Needs: a release build (cmake --preset release && cmake --build --preset release), wrk.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROUNDS=${1:-7}
SECONDS_PER_RUN=${2:-3}
CONNECTIONS=${3:-16}
BGW=${BGW:-build/release/harness/badgateway}
for tool in "$BGW" "$(command -v wrk)"; do
  [[ -x "$tool" ]] || { echo "control_overhead: missing $tool" >&2; exit 2; }
done

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM

cat >"$work/one.toml" <<'TOML'
[scenario]
name = "control-overhead"
description = "One upstream answering the default 200."
[[upstream]]
name = "a"
TOML

HZ=$(getconf CLK_TCK)
cpu_ticks() {  # "user system" of one process
  read -r -a f < <(sed 's/^.*) //' "/proc/$1/stat")
  echo "${f[11]} ${f[12]}"
}

# serve prints its bindings as one JSON line once every port is bound: read it (bounded).
start_serve() {  # name extra-args... -> sets pid_<name>, port_<name>
  local name=$1; shift
  taskset -c 0 "$BGW" serve "$work/one.toml" --journal "$work/$name.jsonl" "$@" >"$work/$name.out" 2>"$work/$name.err" &
  pids+=($!)
  eval "pid_$name=$!"
  local line=""
  for _ in $(seq 1 100); do
    line=$(head -n 1 "$work/$name.out" 2>/dev/null || true)
    [[ -n $line ]] && break
    sleep 0.05
  done
  [[ -n $line ]] || { echo "control_overhead: serve $name printed no bindings" >&2; cat "$work/$name.err" >&2; exit 1; }
  eval "port_$name=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["upstreams"]["a"]["port"])' "$line")"
}

measure() {  # name pid port -> "name rps us_per_req"
  local name=$1 pid=$2 port=$3 u0 s0 u1 s1 out reqs rps
  read -r u0 s0 < <(cpu_ticks "$pid")
  out=$(taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" "http://127.0.0.1:$port/")
  read -r u1 s1 < <(cpu_ticks "$pid")
  reqs=$(awk '/requests in/ {print $1}' <<<"$out")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  awk -v n="$name" -v r="$rps" -v q="$reqs" -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v hz="$HZ" \
    'BEGIN { printf "%s %.0f %.3f\n", n, r, ((u + s) / hz) * 1e6 / q }'
}

start_serve plain
start_serve control --control 127.0.0.1:0

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "round server requests_per_s cpu_us_per_request"
results=()
for r in $(seq 1 "$ROUNDS"); do
  # Alternate which goes first, so a drift in the machine's load falls on both alike.
  order=(plain control); (( r % 2 == 0 )) && order=(control plain)
  for name in "${order[@]}"; do
    pid_var=pid_$name port_var=port_$name
    line=$(measure "$name" "${!pid_var}" "${!port_var}")
    echo "$r $line"
    results+=("$r $line")
  done
done

printf '%s\n' "${results[@]}" | python3 -c '
import sys, statistics
by = {}
for line in sys.stdin:
    r, name, rps, us = line.split()
    by.setdefault(name, {})[r] = (float(rps), float(us))
p, c = by["plain"], by["control"]
med = statistics.median
for name, v in (("serve", p), ("serve --control", c)):
    print(f"{name:16s} median {med(x[0] for x in v.values()):8.0f} req/s  {med(x[1] for x in v.values()):6.3f} us CPU/request")
ratios = [c[r][1] / p[r][1] for r in p]
print(f"paired ratio --control/plain: CPU per request median {med(ratios):.3f}x (min {min(ratios):.3f}, max {max(ratios):.3f})")
'
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
