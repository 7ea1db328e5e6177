#!/usr/bin/env bash
# Install dependencies, build the dev preset (clang, ASan + UBSan, -Werror) and run the whole test
# suite under the sanitizers (unit, integration, conformance).
# Extra arguments go to ctest, e.g. `./scripts/test.sh -R Upstream` or `-L unit`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Tests synchronise on events (journal entries, completions, a pidfd, inotify, a pipe) with a
# deadline, never on sleeps, and never on a clock tick under another name: a wait of a few
# milliseconds in a loop (`child.wait_for(10ms)`, `io.run_one_for(100ms)`) is a poll. Waits on a
# child's exit with a deadline in seconds (`cli.wait_for(10s)`) are events and allowed; so is
# run_until (tests/support/run_until.hpp) and await_file / await_exit (support/await_event.hpp).
if [[ -d tests ]]; then
  if offending=$(grep -rnE \
      -e 'sleep_for|sleep_until|usleep\(|[^_a-z]sleep\(' \
      -e 'wait_for\( *([0-9]+ms|std::chrono::milliseconds\()' \
      -e 'run_(one_)?for\(' \
      -e '(for|while) *\(.*(wait_for|wait_until|run_one|poll)\(' \
      tests/); then
    echo "test.sh: tests must wait on events, not sleep or poll on a clock; offending lines:" >&2
    echo "$offending" >&2
    exit 1
  fi
fi

bash scripts/install-deps.sh
cmake --preset dev
cmake --build --preset dev
ctest --preset dev "$@"
