#!/usr/bin/env bash
# The simulator's plain "200 ok" keep-alive responder against nginx `return 200;` (1 worker),
# side by side in one run: requests/s under wrk, and server CPU time per request
# (utime+stime of the server's processes divided by the requests wrk completed).
# Servers are pinned to CPU 0 and wrk to CPU 1 (taskset) so they do not share a core.
#
# Usage: bench/compare_nginx.sh [ROUNDS] [SECONDS] [CONNECTIONS]   (defaults: 5 10 50)
# Environment: SIM=path/to/bgw-upstream (default: the release build's), SIM_ARGS="..." (extra
# options for it, e.g. "--threads 1").
# Needs: a release build (cmake --preset release && cmake --build --preset release), nginx, wrk.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROUNDS=${1:-5}
SECONDS_PER_RUN=${2:-10}
CONNECTIONS=${3:-50}
SIM=${SIM:-build/release/simulator/bgw-upstream}
read -r -a SIM_EXTRA <<<"${SIM_ARGS:-}"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
for tool in "$SIM" "$NGINX" "$(command -v wrk)"; do
  [[ -x "$tool" ]] || { echo "compare_nginx: missing $tool" >&2; exit 2; }
done

# work, pids (killed on exit), free_port, wait_port, cpu_ticks, HZ.
source bench/server_lib.sh

measure() {  # name pid port -> "name rps us_per_req user_us_per_req sys_us_per_req"
  local name=$1 pid=$2 port=$3 u0 s0 u1 s1 out reqs rps
  read -r u0 s0 < <(cpu_ticks "$pid")
  out=$(taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" "http://127.0.0.1:$port/")
  read -r u1 s1 < <(cpu_ticks "$pid")
  reqs=$(awk '/requests in/ {print $1}' <<<"$out")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  awk -v n="$name" -v r="$rps" -v q="$reqs" -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v hz="$HZ" \
    'BEGIN { printf "%s %.0f %.2f %.2f %.2f\n", n, r, ((u + s) / hz) * 1e6 / q, (u / hz) * 1e6 / q, (s / hz) * 1e6 / q }'
}

nport=$(free_port)
mkdir -p "$work/nginx/logs"
cat >"$work/nginx/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nport;
    location / { return 200 "hello"; }
  }
}
NGINX
taskset -c 0 "$NGINX" -p "$work/nginx" -c "$work/nginx/nginx.conf" &
pids+=($!)
nginx_pid=$!
wait_port "$nport"

taskset -c 0 "$SIM" --journal counters "${SIM_EXTRA[@]}" >"$work/sim.out" &
pids+=($!)
sim_pid=$!
for _ in $(seq 1 100); do grep -q listening "$work/sim.out" 2>/dev/null && break; sleep 0.05; done
sport=$(sed -n 's/^listening 127.0.0.1:\([0-9]*\)$/\1/p' "$work/sim.out")
wait_port "$sport"

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "round server requests_per_s cpu_us_per_request user_us system_us"
results=()
for r in $(seq 1 "$ROUNDS"); do
  for target in nginx sim; do
    if [[ $target == nginx ]]; then line=$(measure nginx "$nginx_pid" "$nport")
    else line=$(measure bgw-upstream "$sim_pid" "$sport"); fi
    echo "$r $line"
    results+=("$line")
  done
done

printf '%s\n' "${results[@]}" | python3 -c '
import sys, statistics
rows = [l.split() for l in sys.stdin if l.strip()]
by = {}
for name, rps, us, user, system in rows:
    by.setdefault(name, []).append((float(rps), float(us), float(user), float(system)))
n, s = by["nginx"], by["bgw-upstream"]
print()
med = statistics.median
for name, v in (("nginx", n), ("bgw-upstream", s)):
    print(f"{name:13s} median {med(r[0] for r in v):9.0f} req/s  {med(r[1] for r in v):6.2f} us CPU/request"
          f" (user {med(r[2] for r in v):.2f}, system {med(r[3] for r in v):.2f})")
ratios_cpu = [b[1]/a[1] for a, b in zip(n, s)]
ratios_rps = [b[0]/a[0] for a, b in zip(n, s)]
print(f"paired ratio bgw/nginx: CPU per request median {statistics.median(ratios_cpu):.2f}x (min {min(ratios_cpu):.2f}, max {max(ratios_cpu):.2f}); requests/s median {statistics.median(ratios_rps):.2f}x")
'
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
