#!/usr/bin/env bash
# How much memory the simulator needs to hold many stalled connections: N loopback connections to
# a bgw-upstream whose every request gets `stall_before_headers` (60 min by default), each with its request
# sent, held until the server has read every request (its Recv-Q is empty on all N sockets, per
# `ss`), then VmRSS and VmHWM of bgw-upstream from /proc, against its RSS before the first
# connection.
#
# Usage: bench/stalled_connections.sh [N] [JOURNAL] [DURATION]   (defaults: 10000 events 60min;
#        DURATION 0s: stall until the client leaves)
# Environment: SIM=path/to/bgw-upstream (default: the release build's).
# Needs: python3, ss (iproute2), a release build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
N=${1:-10000}
LEVEL=${2:-events}
DURATION=${3:-60min}
SIM=${SIM:-build/release/simulator/bgw-upstream}
[[ -x $SIM ]] || { echo "stalled_connections: missing $SIM" >&2; exit 2; }

# Both processes need N descriptors and some headroom; children inherit the limit.
need=$((N + 1024))
if (($(ulimit -Hn) < need)); then ulimit -Hn "$need" 2>/dev/null || true; fi
ulimit -Sn "$(ulimit -Hn)"
(($(ulimit -n) >= need)) || { echo "stalled_connections: ulimit -n is $(ulimit -n), need $need" >&2; exit 2; }

work=$(mktemp -d)
sim_pid=""
client_pid=""
cleanup() {
  exec 3>&- 2>/dev/null || true
  [[ -n $client_pid ]] && kill "$client_pid" 2>/dev/null || true
  [[ -n $sim_pid ]] && kill "$sim_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

kib() { awk -v k="$1" '$1 == k":" {print $2}' "/proc/$sim_pid/status"; }

"$SIM" --fault stall_before_headers --param "duration=$DURATION" --journal "$LEVEL" >"$work/sim.out" &
sim_pid=$!
for _ in $(seq 1 100); do grep -q listening "$work/sim.out" 2>/dev/null && break; sleep 0.05; done
port=$(sed -n 's/^listening 127.0.0.1:\([0-9]*\)$/\1/p' "$work/sim.out")
[[ -n $port ]] || { echo "stalled_connections: bgw-upstream did not start" >&2; exit 1; }
idle_rss=$(kib VmRSS)

mkfifo "$work/hold"
python3 bench/tools/stalled_clients.py "$port" "$N" <"$work/hold" >"$work/client.out" &
client_pid=$!
exec 3>"$work/hold"  # the client holds its sockets until this closes

started=$(date +%s.%N)
# Bounded waits on observable events: the client sent every request, then the server read them.
for _ in $(seq 1 1200); do
  grep -q "^sent $N\$" "$work/client.out" 2>/dev/null && break
  kill -0 "$client_pid" 2>/dev/null || { echo "stalled_connections: client failed" >&2; cat "$work/client.out" >&2; exit 1; }
  sleep 0.1
done
grep -q "^sent $N\$" "$work/client.out" || { echo "stalled_connections: client did not send $N requests" >&2; exit 1; }
held=0
for _ in $(seq 1 600); do
  # Server-side sockets of our port: established, nothing left unread (the request was consumed).
  read -r est unread < <(ss -Htn state established "( sport = :$port )" |
    awk '{n++; if ($1 > 0) u++} END {print n+0, u+0}')
  if ((est == N && unread == 0)); then held=1; break; fi
  sleep 0.1
done
((held)) || { echo "stalled_connections: only $est established, $unread with unread requests" >&2; exit 1; }
elapsed=$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN {printf "%.1f", e - s}')

rss=$(kib VmRSS)
hwm=$(kib VmHWM)
threads=$(awk '$1 == "Threads:" {print $2}' "/proc/$sim_pid/status")
fds=$(ls "/proc/$sim_pid/fd" | wc -l)
echo "connections held:   $N (all requests read, none answered; ${elapsed}s to set up)"
echo "fault:              stall_before_headers duration=$DURATION, journal level $LEVEL"
echo "bgw-upstream fds:   $fds, threads: $threads"
echo "VmRSS idle:         $((idle_rss / 1024)) MiB ($idle_rss KiB)"
echo "VmRSS held:         $((rss / 1024)) MiB ($rss KiB)"
echo "VmHWM:              $((hwm / 1024)) MiB ($hwm KiB)"
awk -v r="$rss" -v i="$idle_rss" -v n="$N" \
  'BEGIN {printf "per connection:     %.2f KiB ((held - idle) / N)\n", (r - i) / n}'
load=$(cut -d' ' -f1-3 /proc/loadavg)
echo "load average:       $load"
