#!/usr/bin/env bash
# `badgateway load` against wrk, side by side on the same target: nginx `return 200;` (1 worker,
# no access log) pinned to CPU 0, the client pinned to CPU 1, the same connection count. Each
# round runs both clients (alternating which goes first) and records requests/s and the
# client's CPU time per request (user+sys of the client process, from bash's `time`, divided by
# the requests it completed). Prints medians and paired ratios badgateway/wrk.
#
# Target (issue 6): requests/s ratio >= 0.9 and CPU-per-request ratio <= 1.1.
#
# Usage: bench/compare_wrk.sh [ROUNDS] [SECONDS] [CONNECTIONS]   (defaults: 5 5 50)
# Env:   BGW=path/to/badgateway (default build/release/harness/badgateway)
# Needs: a release build (cmake --preset release && cmake --build --preset release), nginx, wrk.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROUNDS=${1:-5}
SECONDS_PER_RUN=${2:-5}
CONNECTIONS=${3:-50}
BGW=${BGW:-build/release/harness/badgateway}
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
WRK=$(command -v wrk || echo /usr/bin/wrk)
for tool in "$BGW" "$NGINX" "$WRK"; do
  [[ -x "$tool" ]] || { echo "compare_wrk: missing $tool" >&2; exit 2; }
done

# work, pids (killed on exit), free_port, wait_port, cpu_ticks, HZ.
source bench/server_lib.sh

port=$(free_port)
mkdir -p "$work/nginx/logs"
cat >"$work/nginx/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 300s;
  server {
    listen 127.0.0.1:$port;
    location / { return 200; }
  }
}
NGINX
taskset -c 0 "$NGINX" -p "$work/nginx" -c "$work/nginx/nginx.conf" &
pids+=($!)
wait_port "$port"
url="http://127.0.0.1:$port/"

# Runs a client pinned to CPU 1 and prints "name requests_per_s cpu_us_per_request".
# CPU: bash's `time` reports the user and system time of the command (and its children).
measure() {
  local name=$1 out cpu rps reqs
  TIMEFORMAT='%U %S'
  if [[ $name == wrk ]]; then
    { time taskset -c 1 "$WRK" -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" "$url" >"$work/out" 2>&1; } 2>"$work/time"
    reqs=$(awk '/requests in/ {print $1}' "$work/out")
    rps=$(awk '/Requests\/sec/ {print $2}' "$work/out")
  else
    { time taskset -c 1 "$BGW" load -c "$CONNECTIONS" -d "${SECONDS_PER_RUN}s" "$url" >"$work/out" 2>&1; } 2>"$work/time"
    reqs=$(awk '/^requests:/ {print $4}' "$work/out")
    rps=$(awk '/^requests\/s:/ {print $2}' "$work/out")
  fi
  cpu=$(awk '{print $1 + $2}' "$work/time")
  if [[ -z "$reqs" || -z "$rps" || "$reqs" == 0 ]]; then
    echo "compare_wrk: $name produced no figures:" >&2; cat "$work/out" >&2; exit 3
  fi
  awk -v n="$name" -v r="$rps" -v q="$reqs" -v c="$cpu" 'BEGIN { printf "%s %.0f %.3f\n", n, r, c * 1e6 / q }'
}

# Warm up nginx (and the page cache of both binaries) once, unmeasured.
taskset -c 1 "$WRK" -t1 -c"$CONNECTIONS" -d1s "$url" >/dev/null

echo "round client requests_per_s cpu_us_per_request"
results=()
for r in $(seq 1 "$ROUNDS"); do
  if (( r % 2 )); then order="wrk badgateway"; else order="badgateway wrk"; fi
  for client in $order; do
    line=$(measure "$client")
    echo "$r $line"
    results+=("$r $line")
  done
done

printf '%s\n' "${results[@]}" | python3 -c '
import sys, statistics
rows = [l.split() for l in sys.stdin if l.strip()]
by = {}
for rnd, name, rps, us in rows: by.setdefault(name, {})[rnd] = (float(rps), float(us))
w, b = by["wrk"], by["badgateway"]
rounds = sorted(w, key=int)
print()
for name, v in (("wrk", w), ("badgateway", b)):
    print(f"{name:11s} median {statistics.median(x[0] for x in v.values()):9.0f} req/s  {statistics.median(x[1] for x in v.values()):6.3f} us CPU/request")
rps = [b[r][0] / w[r][0] for r in rounds]
cpu = [b[r][1] / w[r][1] for r in rounds]
print(f"paired ratio badgateway/wrk: requests/s median {statistics.median(rps):.3f} (min {min(rps):.3f}, max {max(rps):.3f}); "
      f"CPU per request median {statistics.median(cpu):.3f} (min {min(cpu):.3f}, max {max(cpu):.3f})")
ok = statistics.median(rps) >= 0.9 and statistics.median(cpu) <= 1.1
print("target (requests/s >= 0.9x, CPU/request <= 1.1x):", "met" if ok else "NOT met")
'
