#!/usr/bin/env bash
# The simulator's CPU per full TLS handshake against nginx `ssl` + `return 200` (1 worker), side
# by side in one run: OpenSSL's own client (`openssl s_time -new`) opens a new connection per
# request, never resuming a session, fetches / and closes; the server's utime+stime (its
# processes' /proc/PID/stat) divided by the connections the client completed is the CPU per
# handshake plus one request. Servers are pinned to CPU 0 and the client to CPU 1 (taskset).
# Both present an ECDSA P-256 (or RSA 2048: KEY=rsa) leaf with its intermediate, accept TLS 1.2
# and 1.3, and keep no session cache or tickets in play (the client never offers a session).
#
# Usage: bench/tls_handshake_cpu.sh [ROUNDS] [SECONDS] [VERSIONS]   (defaults: 5 10 "1.3 1.2")
# Environment: SIM=path/to/bgw-upstream (default: the release build's), KEY=ecdsa|rsa,
# MODE=instructions (callgrind's instruction count per handshake instead of CPU time; ROUNDS is
# ignored, one run per server and version).
# Needs: a release build (cmake --preset release && cmake --build --preset release), nginx
# (nginx-light has the ssl module), openssl.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROUNDS=${1:-5}
SECONDS_PER_RUN=${2:-10}
VERSIONS=${3:-"1.3 1.2"}
KEY=${KEY:-ecdsa}
SIM=${SIM:-build/release/simulator/bgw-upstream}
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
for tool in "$SIM" "$NGINX" "$(command -v openssl)"; do
  [[ -x "$tool" ]] || { echo "tls_handshake_cpu: missing $tool" >&2; exit 2; }
done

# work, pids (killed on exit), free_port, wait_port, cpu_ticks, HZ.
source bench/server_lib.sh

# nginx's chain, made the way the simulator's is: root -> intermediate -> leaf, the leaf sent
# with its intermediate (the simulator makes its own in-process; this script only needs files).
newkey() {
  if [[ $KEY == rsa ]]; then openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null
  else openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; fi
}
c=$work/certs
mkdir -p "$c"
newkey "$c/root.key"; newkey "$c/int.key"; newkey "$c/leaf.key"
openssl req -x509 -new -key "$c/root.key" -subj /CN=bench-root -days 2 -out "$c/root.pem" 2>/dev/null
openssl req -new -key "$c/int.key" -subj /CN=bench-int -out "$c/int.csr" 2>/dev/null
printf 'basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign\n' >"$c/int.ext"
openssl x509 -req -in "$c/int.csr" -CA "$c/root.pem" -CAkey "$c/root.key" -CAcreateserial \
  -days 2 -extfile "$c/int.ext" -out "$c/int.pem" 2>/dev/null
openssl req -new -key "$c/leaf.key" -subj /CN=upstream.badgateway.test -out "$c/leaf.csr" 2>/dev/null
printf 'subjectAltName=DNS:upstream.badgateway.test,IP:127.0.0.1\n' >"$c/leaf.ext"
openssl x509 -req -in "$c/leaf.csr" -CA "$c/int.pem" -CAkey "$c/int.key" -CAcreateserial \
  -days 2 -extfile "$c/leaf.ext" -out "$c/leaf.pem" 2>/dev/null
cat "$c/leaf.pem" "$c/int.pem" >"$c/chain.pem"

nport=$(free_port)
mkdir -p "$work/nginx"
# MODE=instructions: nginx in one process (master_process off), so one callgrind file holds all
# the work; ignored by nginx's master otherwise.
master=""
[[ ${MODE:-cpu} == instructions ]] && master="master_process off;"
cat >"$work/nginx/nginx.conf" <<NGINX
worker_processes 1;
$master
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  server {
    listen 127.0.0.1:$nport ssl;
    ssl_certificate $c/chain.pem;
    ssl_certificate_key $c/leaf.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    location / { return 200 "hello"; }
  }
}
NGINX
# MODE=instructions: user-space instructions per handshake under callgrind, which a busy machine
# does not disturb (no kernel time, no cache effects: a cross-check of the CPU-time ratio). Each
# server runs twice: once idle (start, the readiness probe, stop) and once under s_time; the
# difference over the handshakes completed is the figure.
if [[ ${MODE:-cpu} == instructions ]]; then
  command -v valgrind >/dev/null || { echo "tls_handshake_cpu: MODE=instructions needs valgrind" >&2; exit 2; }
  totals() { sed -n 's/^\(summary\|totals\): *\([0-9]*\).*/\2/p' "$1" | head -n1; }
  # run NAME VERSION SECONDS -> prints "connections instructions"; SECONDS = 0: idle
  run() {
    local name=$1 version=$2 secs=$3 out=$work/$1-$2-$3.cg port pid conns=0
    if [[ $name == nginx ]]; then
      valgrind --tool=callgrind --callgrind-out-file="$out" "$NGINX" -p "$work/nginx" \
        -c "$work/nginx/nginx.conf" 2>/dev/null &
      pid=$!; port=$nport
    else
      valgrind --tool=callgrind --callgrind-out-file="$out" "$SIM" --tls --tls-key "$KEY" \
        --journal counters >"$work/sim-cg.out" 2>/dev/null &
      pid=$!
      for _ in $(seq 1 300); do grep -q listening "$work/sim-cg.out" 2>/dev/null && break; sleep 0.1; done
      port=$(sed -n 's/^listening 127.0.0.1:\([0-9]*\)$/\1/p' "$work/sim-cg.out")
    fi
    for _ in $(seq 1 300); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
    if (( secs > 0 )); then
      conns=$(openssl s_time -connect "127.0.0.1:$port" -new -www / "-tls${version/./_}" \
              -time "$secs" 2>&1 | sed -n 's/^\([0-9]*\) connections in .*real.*/\1/p' | head -n1)
    fi
    kill -INT "$pid"; wait "$pid" 2>/dev/null || true
    echo "$conns $(totals "$out")"
  }
  echo "key: $KEY; instructions per handshake (callgrind), $SECONDS_PER_RUN s of s_time per run"
  for v in $VERSIONS; do
    declare -A per=()
    for name in nginx bgw-upstream; do
      read -r _ idle < <(run "$name" "$v" 0)
      read -r conns total < <(run "$name" "$v" "$SECONDS_PER_RUN")
      per[$name]=$(( (total - idle) / conns ))
      printf 'TLS %s %-13s %6d handshakes  %9d instructions per handshake\n' "$v" "$name" "$conns" "${per[$name]}"
    done
    awk -v a="${per[bgw-upstream]}" -v b="${per[nginx]}" -v v="$v" \
      'BEGIN { printf "TLS %s ratio bgw/nginx, instructions per handshake: %.3fx\n", v, a / b }'
  done
  exit 0
fi

taskset -c 0 "$NGINX" -p "$work/nginx" -c "$work/nginx/nginx.conf" &
pids+=($!)
nginx_pid=$!
wait_port "$nport"

taskset -c 0 "$SIM" --tls --tls-key "$KEY" --journal counters >"$work/sim.out" &
pids+=($!)
sim_pid=$!
for _ in $(seq 1 100); do grep -q listening "$work/sim.out" 2>/dev/null && break; sleep 0.05; done
sport=$(sed -n 's/^listening 127.0.0.1:\([0-9]*\)$/\1/p' "$work/sim.out")
wait_port "$sport"

measure() {  # name pid port version -> "name version connections_per_s us_per_handshake user_us sys_us"
  local name=$1 pid=$2 port=$3 version=$4 u0 s0 u1 s1 out conns
  read -r u0 s0 < <(cpu_ticks "$pid")
  out=$(taskset -c 1 openssl s_time -connect "127.0.0.1:$port" -new -www / \
        "-tls${version/./_}" -time "$SECONDS_PER_RUN" 2>&1)
  read -r u1 s1 < <(cpu_ticks "$pid")
  conns=$(sed -n 's/^\([0-9]*\) connections in .*real.*/\1/p' <<<"$out" | head -n1)
  if [[ -z $conns || $conns -eq 0 ]]; then
    echo "tls_handshake_cpu: no handshake completed against $name:" >&2; echo "$out" >&2; exit 1
  fi
  awk -v n="$name" -v v="$version" -v c="$conns" -v t="$SECONDS_PER_RUN" -v u=$((u1 - u0)) \
      -v s=$((s1 - s0)) -v hz="$HZ" \
    'BEGIN { printf "%s %s %.0f %.1f %.1f %.1f\n", n, v, c / t, ((u + s) / hz) * 1e6 / c, (u / hz) * 1e6 / c, (s / hz) * 1e6 / c }'
}

echo "key: $KEY; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "round server tls handshakes_per_s cpu_us_per_handshake user_us system_us"
results=()
for r in $(seq 1 "$ROUNDS"); do
  for v in $VERSIONS; do
    for target in nginx sim; do
      if [[ $target == nginx ]]; then line=$(measure nginx "$nginx_pid" "$nport" "$v")
      else line=$(measure bgw-upstream "$sim_pid" "$sport" "$v"); fi
      echo "$r $line"
      results+=("$line")
    done
  done
done

printf '%s\n' "${results[@]}" | python3 -c '
import sys, statistics
med = statistics.median
rows = [l.split() for l in sys.stdin if l.strip()]
by = {}
for name, v, rate, us, user, system in rows:
    by.setdefault((v, name), []).append((float(rate), float(us), float(user), float(system)))
for v in sorted({k[0] for k in by}, reverse=True):
    n, s = by[(v, "nginx")], by[(v, "bgw-upstream")]
    print()
    for name, rows_ in (("nginx", n), ("bgw-upstream", s)):
        print(f"TLS {v} {name:13s} median {med(r[0] for r in rows_):6.0f} handshakes/s  {med(r[1] for r in rows_):7.1f} us CPU/handshake"
              f" (user {med(r[2] for r in rows_):.1f}, system {med(r[3] for r in rows_):.1f})")
    ratios = [b[1] / a[1] for a, b in zip(n, s)]
    print(f"TLS {v} paired ratio bgw/nginx, CPU per handshake: median {med(ratios):.2f}x (min {min(ratios):.2f}, max {max(ratios):.2f})")
'
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
