#!/usr/bin/env bash
# Does `badgateway serve` hold the same memory however long it runs? One upstream (the default
# 200, journal level bytes), loaded by wrk for each duration given; the serve process's peak RSS
# (VmHWM) and the journal file's size after each run, and the requests served.
#
# Usage: bench/serve_memory.sh [SECONDS...]   (default: 5 30)
# Environment: BGW=path/to/badgateway (default: the release build's), ARGS="--control 127.0.0.1:0".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BGW=${BGW:-build/release/harness/badgateway}
read -r -a EXTRA <<<"${ARGS:-}"
durations=("$@"); [[ ${#durations[@]} -gt 0 ]] || durations=(5 30)
work=$(mktemp -d)
pid=""
cleanup() { [[ -n $pid ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM
cat >"$work/one.toml" <<'TOML'
[scenario]
name = "serve-memory"
description = "One upstream answering the default 200."
[[upstream]]
name = "a"
TOML
echo "seconds requests vmhwm_mib journal_mib"
for d in "${durations[@]}"; do
  "$BGW" serve "$work/one.toml" --journal "$work/journal.jsonl" "${EXTRA[@]}" >"$work/out" 2>/dev/null &
  pid=$!
  line=""
  for _ in $(seq 1 100); do line=$(head -n 1 "$work/out" 2>/dev/null || true); [[ -n $line ]] && break; sleep 0.05; done
  port=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["upstreams"]["a"]["port"])' "$line")
  reqs=$(wrk -t1 -c16 -d"${d}s" "http://127.0.0.1:$port/" | awk '/requests in/ {print $1}')
  hwm=$(awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$pid/status")
  kill -TERM "$pid"; wait "$pid" || true; pid=""
  size=$(du -m "$work/journal.jsonl" | cut -f1)
  echo "$d $reqs $hwm $size"
done
