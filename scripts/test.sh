#!/usr/bin/env bash
# Install dependencies, build the dev preset and run the whole test suite (unit + integration).
# Extra arguments go to ctest, e.g. `./scripts/test.sh -R Upstream` or `-L unit`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Tests synchronise on events (journal entries, completions, deadlines), never on sleeps.
if [[ -d tests ]]; then
  if offending=$(grep -rnF -e 'sleep_for' -e 'sleep_until' -e 'usleep(' -e ' sleep(' tests/); then
    echo "test.sh: tests must wait on events, not sleep; offending lines:" >&2
    echo "$offending" >&2
    exit 1
  fi
fi

bash scripts/install-deps.sh
cmake --preset dev
cmake --build --preset dev
ctest --preset dev "$@"
