# Shared by the thread-scaling scripts (threads_scaling.sh, serve_threads_scaling.sh,
# load_threads_scaling.sh): source it. Rows are "round threads requests_per_s cores [shares]".

# utime+stime ticks of each thread of a process, space-separated, in task order.
thread_ticks() {
  local t
  for t in /proc/"$1"/task/*; do
    read -r -a f < <(sed 's/^.*) //' "$t/stat")
    printf '%s ' $((f[11] + f[12]))
  done
  echo
}

# ROUNDS rounds of wrk (2 threads, CONNECTIONS, SECONDS_PER_RUN) against two servers side by
# side, one row each: ONE_PID/ONE_PORT (1 thread) and MANY_PID/MANY_PORT (N threads), with the
# cores each server used and how its CPU split over its threads.
server_rounds() {  # one_pid one_port many_pid many_port n
  local hz r which pid port n out rps total d i share cores
  hz=$(getconf CLK_TCK)
  for r in $(seq 1 "$ROUNDS"); do
    for which in one many; do
      if [[ $which == one ]]; then pid=$1 port=$2 n=1; else pid=$3 port=$4 n=$5; fi
      read -r -a before < <(thread_ticks "$pid")
      out=$(wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" "http://127.0.0.1:$port/")
      read -r -a after < <(thread_ticks "$pid")
      rps=$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$out")
      total=0
      deltas=()
      for i in "${!after[@]}"; do d=$((after[i] - before[i])); deltas+=("$d"); total=$((total + d)); done
      share=$(for d in "${deltas[@]}"; do awk -v d="$d" -v t="$total" 'BEGIN {printf "%.0f%% ", t ? 100 * d / t : 0}'; done)
      cores=$(awk -v t="$total" -v hz="$hz" -v s="$SECONDS_PER_RUN" 'BEGIN {printf "%.2f", t / hz / s}')
      echo "$r $n $rps $cores $share"
    done
  done
}

# The paired summary of rows in FILE: medians for 1 and N threads, and the median, min and max
# of the per-round ratio N / 1.
summarize_pairs() {  # label n file
  python3 - "$1" "$2" "$3" <<'PY'
import statistics, sys
label, n = sys.argv[1], sys.argv[2]
rows = [l.split() for l in open(sys.argv[3]) if l[0].isdigit()]
one = [float(r[2]) for r in rows if r[1] == "1"]
many = [float(r[2]) for r in rows if r[1] == n]
one_cores = [float(r[3]) for r in rows if r[1] == "1"]
many_cores = [float(r[3]) for r in rows if r[1] == n]
ratios = [m / o for o, m in zip(one, many)]
med = statistics.median
print(f"{label} --threads 1: median {med(one):.0f} req/s using {med(one_cores):.2f} cores; "
      f"--threads {n}: median {med(many):.0f} req/s using {med(many_cores):.2f} cores; paired "
      f"ratio median {med(ratios):.2f}x (min {min(ratios):.2f}, max {max(ratios):.2f})")
PY
}
