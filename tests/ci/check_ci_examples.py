#!/usr/bin/env python3
"""examples/ci/: both CI files parse as YAML, install the .deb, run three shards and merge, and
run exactly the badgateway command lines of scripts/ci-shard-demo.sh, the script CTest runs
(ci.shard_demo). Usage: check_ci_examples.py SOURCE_DIR"""
import re
import sys
from pathlib import Path

import yaml

root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2])
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def badgateway_lines(text):
    """The command lines that run badgateway, whitespace-trimmed, in order."""
    return [line.strip() for line in text.splitlines() if re.match(r"\s*badgateway\s", line)]


def load(path):
    try:
        return yaml.safe_load(path.read_text())
    except yaml.YAMLError as e:
        failures.append(f"{path}: not YAML: {e}")
        return None


script = badgateway_lines((root / "scripts/ci-shard-demo.sh").read_text())
check(len(script) == 3, f"scripts/ci-shard-demo.sh: expected 3 badgateway lines, found {script}")

# GitHub Actions: every `run:` of every step.
github = load(root / "examples/ci/github-actions.yml")
if github is not None:
    jobs = github.get("jobs", {})
    runs = "\n".join(step.get("run", "") for job in jobs.values() for step in job.get("steps", []))
    check(badgateway_lines(runs) == script,
          f"github-actions.yml runs {badgateway_lines(runs)}, ci-shard-demo.sh {script}")
    check("apt-get install -y ./badgateway_*.deb" in runs, "github-actions.yml: no .deb install")
    shards = jobs.get("conformance", {}).get("strategy", {}).get("matrix", {}).get("shard")
    check(shards == [1, 2, 3], f"github-actions.yml: conformance shards {shards}, not [1, 2, 3]")
    check(jobs.get("conformance", {}).get("env", {}).get("SHARD") == "${{ matrix.shard }}",
          "github-actions.yml: SHARD is not the matrix's shard")
    check(jobs.get("merge", {}).get("needs") == "conformance", "github-actions.yml: merge needs")

# GitLab CI: every `script:` entry of every job.
gitlab = load(root / "examples/ci/gitlab-ci.yml")
if gitlab is not None:
    jobs = {k: v for k, v in gitlab.items() if isinstance(v, dict) and "script" in v}
    lines = "\n".join(line for job in jobs.values() for line in job["script"])
    check(badgateway_lines(lines) == script,
          f"gitlab-ci.yml runs {badgateway_lines(lines)}, ci-shard-demo.sh {script}")
    check("apt-get install -y ./badgateway_*.deb" in lines, "gitlab-ci.yml: no .deb install")
    matrix = jobs.get("conformance", {}).get("parallel", {}).get("matrix")
    check(matrix == [{"SHARD": ["1", "2", "3"]}], f"gitlab-ci.yml: conformance matrix {matrix}")
    check(set(jobs.get("merge", {}).get("needs", [])) == {"package", "conformance"},
          "gitlab-ci.yml: merge needs")
    check(gitlab.get("stages") == ["package", "test", "report"], "gitlab-ci.yml: stages")

for f in failures:
    print("FAIL:", f)
if failures:
    sys.exit(1)
print(f"ok: both CI files parse and run the {len(script)} badgateway commands of "
      "scripts/ci-shard-demo.sh")
