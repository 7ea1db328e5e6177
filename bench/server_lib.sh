# Shared by the scripts that compare servers side by side (compare_nginx.sh, compare_wrk.sh,
# tls_handshake_cpu.sh): source it after `cd` to the repository. It makes $work (removed on
# exit) and kills every pid appended to $pids on exit, Ctrl-C or TERM.

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Wait (bounded) until something accepts on the port: an event, not a fixed delay.
wait_port() {
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  echo "${0##*/}: nothing listening on port $1" >&2; return 1
}

# utime and stime (clock ticks) summed over a process and its children: "user system".
cpu_ticks() {
  local user=0 system=0 p
  for p in "$@" $(pgrep -P "$1" || true); do
    [[ -r /proc/$p/stat ]] || continue
    read -r -a f < <(sed 's/^.*) //' "/proc/$p/stat")
    user=$((user + f[11]))  # fields 14 and 15 of stat, after the comm field
    system=$((system + f[12]))
  done
  echo "$user $system"
}

HZ=$(getconf CLK_TCK)
