#!/usr/bin/env bash
# The main job: install dependencies, build the release preset, run `badgateway demo`.
# Extra arguments go to `badgateway demo`. Works from any directory.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh
cmake --preset release
cmake --build --preset release
exec build/release/harness/badgateway demo "$@"
