#!/bin/sh
# The badgateway commands of examples/ci/ (the GitHub Actions workflow and the GitLab CI job),
# run one after another on this machine: three shards of a suite, then the merge. CTest runs it
# (ci.shard_demo) against nginx, and tests/ci/check_ci_examples.py checks that both CI files run
# exactly these badgateway command lines: change one, change all three.
#   PROXY=nginx SUITE=/usr/share/badgateway/scenarios/conformance scripts/ci-shard-demo.sh
# Writes shard-{1,2,3}.{json,xml} and report.{xml,json,tap} in the current directory. Exits with
# the merge's code (what one unsharded run would exit with), or with a shard's 2, 3 or 77.
set -u
PROXY="${PROXY:-nginx}"
SUITE="${SUITE:-/usr/share/badgateway/scenarios/conformance}"

badgateway --version
for SHARD in 1 2 3; do
  badgateway run --proxy "$PROXY" -j2 --shard "$SHARD/3" --json "shard-$SHARD.json" --junit "shard-$SHARD.xml" "$SUITE"
  code=$?
  # A failing or flaky shard still has its reports, and the merge judges them all; a run that
  # could not start (2 usage, 3 harness, 77 proxy missing) stops here, as its CI job would.
  case "$code" in 0 | 1 | 4) ;; *) exit "$code" ;; esac
done
badgateway merge --junit report.xml --json report.json --tap report.tap shard-1.json shard-2.json shard-3.json
