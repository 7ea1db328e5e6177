#!/usr/bin/env bash
# Build one libFuzzer target (the `fuzz` preset: clang, ASan + UBSan) and run it for a bounded
# time on its seed corpus and dictionary. New inputs go to build/fuzz/corpus/TARGET (the seeds in
# fuzz/corpus/TARGET are only read); a crash is written to build/fuzz/crashes/ and the script
# fails. Turn every crash into a regression test (see docs/architecture.md, "Fuzzing").
#   ./scripts/fuzz.sh response_reader 30
#   ./scripts/fuzz.sh list
# Targets: response_reader request_framer load_response_framer scenario_loader template_renderer
#          control_request
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

targets=(response_reader request_framer load_response_framer scenario_loader template_renderer
         control_request)
usage() { echo "usage: scripts/fuzz.sh TARGET SECONDS   (TARGET: ${targets[*]})" >&2; exit 2; }

if [[ ${1:-} == list ]]; then printf '%s\n' "${targets[@]}"; exit 0; fi
[[ $# -eq 2 ]] || usage
target=$1 seconds=$2
[[ " ${targets[*]} " == *" $target "* ]] || usage
[[ $seconds =~ ^[0-9]+$ && $seconds -gt 0 ]] || usage

if [[ ! -f build/fuzz/build.ninja ]]; then cmake --preset fuzz >/dev/null; fi
cmake --build build/fuzz --target "fuzz_$target"

work=build/fuzz/corpus/$target
crashes=build/fuzz/crashes
mkdir -p "$work" "$crashes"
args=(-max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$crashes/$target-"
      -timeout=10 -rss_limit_mb=2048)
if [[ -f fuzz/$target.dict ]]; then args+=(-dict="fuzz/$target.dict"); fi
# The first directory receives new inputs; the seeds are read from the second.
exec "build/fuzz/fuzz/fuzz_$target" "${args[@]}" "$work" "fuzz/corpus/$target"
