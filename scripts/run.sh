#!/usr/bin/env bash
# The main job: install the Debian packages, build the release CLI, and run scenarios
# against a real proxy (nginx by default; BGW_PROXY=haproxy for HAProxy). Extra arguments go to
# `badgateway run`; with none, the shipped scenario set runs.
#   ./scripts/run.sh
#   BGW_PROXY=haproxy ./scripts/run.sh -j2 --junit report.xml scenarios/
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-deps.sh
cmake --preset release
# Only what this script runs: the CLI and the standalone upstream, not every test and benchmark.
cmake --build --preset release --target badgateway bgw-upstream
if [[ $# -eq 0 ]]; then set -- -j2 scenarios/; fi
exec build/release/harness/badgateway run --proxy "${BGW_PROXY:-nginx}" "$@"
