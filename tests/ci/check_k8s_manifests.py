#!/usr/bin/env python3
"""Structural check of deploy/k8s/ (docs/distributed.md): kubectl cannot validate offline (it
asks the API server for its schema), so this checks what Kubernetes requires of these kinds and
what the run needs of them: every document has apiVersion, kind and metadata.name; the agents'
Job is Indexed with completions == parallelism == the N of --agent I/N; selectors match their
pods' labels; the Service targets a port the proxy container names; every ConfigMap key, claim
and volume referred to exists; the scenario in the ConfigMap passes `badgateway check`; the
agents' command is one `badgateway bench` accepts.

Usage: check_k8s_manifests.py BADGATEWAY [DIR]   (DIR: deploy/k8s)
"""
import glob
import os
import re
import subprocess
import sys
import tempfile

import yaml

KINDS = {
    "ConfigMap": "v1",
    "Service": "v1",
    "PersistentVolumeClaim": "v1",
    "Deployment": "apps/v1",
    "Job": "batch/v1",
}
problems = []


def fail(where, message):
    problems.append(f"{where}: {message}")


def containers(pod_spec):
    return pod_spec.get("containers") or []


def main():
    badgateway = sys.argv[1]
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    directory = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "deploy", "k8s")
    docs = []
    for path in sorted(glob.glob(os.path.join(directory, "*.yaml"))):
        with open(path) as f:
            for doc in yaml.safe_load_all(f):
                if doc is not None:
                    docs.append((os.path.basename(path), doc))
    if not docs:
        fail(directory, "no manifests")
    by_kind = {}
    for where, doc in docs:
        kind = doc.get("kind")
        name = (doc.get("metadata") or {}).get("name")
        if kind not in KINDS:
            fail(where, f"kind {kind!r} is not one this check knows")
            continue
        if doc.get("apiVersion") != KINDS[kind]:
            fail(where, f"{kind} needs apiVersion {KINDS[kind]}, not {doc.get('apiVersion')!r}")
        if not name or not re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", name):
            fail(where, f"{kind} needs metadata.name as a DNS label, not {name!r}")
        by_kind.setdefault(kind, {})[name] = (where, doc)

    configmaps = by_kind.get("ConfigMap", {})
    claims = by_kind.get("PersistentVolumeClaim", {})

    def check_pod(where, template):
        spec = template.get("spec") or {}
        if not containers(spec):
            fail(where, "a pod template needs containers")
        volumes = {v.get("name"): v for v in spec.get("volumes") or []}
        for v in volumes.values():
            if "configMap" in v and v["configMap"].get("name") not in configmaps:
                fail(where, f"volume {v['name']} names ConfigMap {v['configMap'].get('name')!r}, not defined")
            if "persistentVolumeClaim" in v and v["persistentVolumeClaim"].get("claimName") not in claims:
                fail(where, f"volume {v['name']} names claim {v['persistentVolumeClaim'].get('claimName')!r}, not defined")
        for c in containers(spec):
            if not c.get("name") or not c.get("image"):
                fail(where, "every container needs a name and an image")
            for m in c.get("volumeMounts") or []:
                if m.get("name") not in volumes:
                    fail(where, f"container {c.get('name')} mounts undefined volume {m.get('name')!r}")
            for e in c.get("env") or []:
                ref = ((e.get("valueFrom") or {}).get("configMapKeyRef")) or None
                if ref:
                    cm = configmaps.get(ref.get("name"))
                    if not cm or ref.get("key") not in (cm[1].get("data") or {}):
                        fail(where, f"env {e.get('name')} refers to {ref.get('name')}/{ref.get('key')}, not defined")
        return spec

    for name, (where, dep) in by_kind.get("Deployment", {}).items():
        spec = dep.get("spec") or {}
        selector = (spec.get("selector") or {}).get("matchLabels") or {}
        labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
        if not selector or any(labels.get(k) != v for k, v in selector.items()):
            fail(where, f"Deployment {name}: selector {selector} does not match the pod labels {labels}")
        if spec.get("replicas") != 1:
            fail(where, f"Deployment {name}: one serve owns the timeline: replicas must be 1")
        pod = check_pod(where, spec.get("template") or {})
        serve = [c for c in containers(pod) if (c.get("args") or [None])[0] == "serve"]
        if not serve:
            fail(where, f"Deployment {name}: no container runs `badgateway serve`")
        elif "--start-at" not in serve[0]["args"]:
            fail(where, f"Deployment {name}: serve needs --start-at, the agents' t = 0")

    for name, (where, svc) in by_kind.get("Service", {}).items():
        selector = (svc.get("spec") or {}).get("selector") or {}
        targets = []
        for dname, (_, dep) in by_kind.get("Deployment", {}).items():
            tpl = dep["spec"]["template"]
            if all(tpl["metadata"]["labels"].get(k) == v for k, v in selector.items()):
                targets.append(tpl)
        if not targets:
            fail(where, f"Service {name}: selector {selector} matches no pod template")
        for port in (svc.get("spec") or {}).get("ports") or []:
            target = port.get("targetPort", port.get("port"))
            names = {p.get("name") for t in targets for c in containers(t["spec"]) for p in c.get("ports") or []}
            numbers = {p.get("containerPort") for t in targets for c in containers(t["spec"]) for p in c.get("ports") or []}
            if target not in names and target not in numbers:
                fail(where, f"Service {name}: targetPort {target!r} is no container's port")

    agents = None
    for name, (where, job) in by_kind.get("Job", {}).items():
        spec = job.get("spec") or {}
        template = spec.get("template") or {}
        pod = check_pod(where, template)
        if pod.get("restartPolicy") not in ("Never", "OnFailure"):
            fail(where, f"Job {name}: restartPolicy must be Never or OnFailure")
        text = " ".join(" ".join(c.get("command") or []) + " " + " ".join(c.get("args") or []) for c in containers(pod))
        if "--agent" in text:
            agents = (name, where, spec, text)

    if not agents:
        fail(directory, "no Job runs the agents (`badgateway bench --agent`)")
    else:
        name, where, spec, text = agents
        n = spec.get("completions")
        if spec.get("completionMode") != "Indexed":
            fail(where, f"Job {name}: completionMode must be Indexed (JOB_COMPLETION_INDEX)")
        if not isinstance(n, int) or n < 1 or spec.get("parallelism") != n:
            fail(where, f"Job {name}: completions and parallelism must be the same N (all agents at once)")
        m = re.search(r"--agent \$\(\(JOB_COMPLETION_INDEX \+ 1\)\)/(\d+)", text)
        if not m or int(m.group(1)) != n:
            fail(where, f"Job {name}: --agent must be $((JOB_COMPLETION_INDEX + 1))/{n}")
        for flag in ("--start-at", "--proxy-url", "--json"):
            if flag not in text:
                fail(where, f"Job {name}: the agents need {flag}")

    # The scenario the pods read, checked by badgateway itself; and the agents' flags parsed by
    # it (a usage error exits 2 before anything runs; a valid line gets as far as the network).
    for name, (where, cm) in configmaps.items():
        for key, value in (cm.get("data") or {}).items():
            if not key.endswith(".toml"):
                continue
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, key)
                with open(path, "w") as f:
                    f.write(value)
                r = subprocess.run([badgateway, "check", path], capture_output=True, text=True)
                if r.returncode != 0:
                    fail(where, f"ConfigMap {name}/{key}: badgateway check says:\n{r.stderr}{r.stdout}")
                if agents:
                    line = agents[3].replace("$((JOB_COMPLETION_INDEX + 1))", "1")
                    line = line.replace('"$START_AT"', "2000-01-01T00:00:00Z")
                    # The Service's name resolves only in the cluster.
                    line = re.sub(r"http://[a-z0-9-]+:", "http://localhost:", line)
                    args = line.split("exec badgateway ", 1)[-1].split()
                    args = [path if a.endswith(key) else a for a in args]
                    json_at = args.index("--json") + 1
                    args[json_at] = os.path.join(tmp, "agent.json")
                    r = subprocess.run([badgateway] + args, capture_output=True, text=True, timeout=60)
                    if r.returncode == 2:
                        fail(where, f"the agents' command is a usage error:\n{r.stderr}")

    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    print(f"k8s manifests: {len(docs)} documents checked")
    return 0


if __name__ == "__main__":
    sys.exit(main())
