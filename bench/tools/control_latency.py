#!/usr/bin/env python3
"""How soon a change made through `badgateway serve --control` reaches the wire.

Each round changes the upstream's faults through the API (alternately reset_after_request and
no fault), and the moment the API's reply is read opens a new connection to the upstream and
sends a request: that request must see the new rules (a reset, or a 200), and the time from the
API's reply to the request's outcome is recorded. A plain request's round trip, timed the same
way without a change before it, is the baseline in the same run: the change should add nothing.

    bench/tools/control_latency.py [--badgateway PATH] [--rounds N]
"""

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

SCENARIO = """[scenario]
name = "control-latency"
description = "One upstream; its faults change through the control API."
[[upstream]]
name = "a"
"""

REQUEST = b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"


def outcome(port):
    """One request on a new connection: 'reset', or the status line's code."""
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        s.sendall(REQUEST)
        data = b""
        while b"\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                return "eof"
            data += chunk
        return data.split(b" ", 2)[1].decode()
    except ConnectionResetError:
        return "reset"
    finally:
        s.close()


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--badgateway", default="build/release/harness/badgateway")
    parser.add_argument("--rounds", type=int, default=1000)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="bgw-control-latency-")
    path = os.path.join(work, "one.toml")
    with open(path, "w") as f:
        f.write(SCENARIO)
    serve = subprocess.Popen([args.badgateway, "serve", path, "--control", "127.0.0.1:0",
                              "--journal", os.path.join(work, "journal.jsonl")],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        bindings = json.loads(serve.stdout.readline())
        port = bindings["upstreams"]["a"]["port"]
        api = http.client.HTTPConnection("127.0.0.1", bindings["control"]["port"], timeout=5)
        changed, plain, api_times, wrong = [], [], [], 0
        for i in range(args.rounds):
            fault = i % 2 == 0
            t_call = time.perf_counter()
            if fault:
                api.request("PUT", "/upstreams/a/faults", body='{"fault":"reset_after_request"}',
                            headers={"Content-Type": "application/json"})
            else:
                api.request("DELETE", "/upstreams/a/faults")
            reply = api.getresponse()
            reply.read()
            t_reply = time.perf_counter()
            seen = outcome(port)
            t_seen = time.perf_counter()
            if reply.status != 200 or seen != ("reset" if fault else "200"):
                wrong += 1
            changed.append((t_seen - t_reply) * 1e3)
            api_times.append((t_reply - t_call) * 1e3)
            # The baseline: the same request again, nothing changed since.
            t0 = time.perf_counter()
            outcome(port)
            plain.append((time.perf_counter() - t0) * 1e3)
        print(f"rounds {args.rounds}; first request after the reply saw the change: "
              f"{args.rounds - wrong}/{args.rounds}")
        for name, v in (("API call (PUT/DELETE round trip)", api_times),
                        ("reply -> next request's outcome", changed),
                        ("plain request (baseline)", plain)):
            print(f"{name:34s} p50 {statistics.median(v):.3f} ms  p99 {pct(v, 0.99):.3f} ms  "
                  f"max {max(v):.3f} ms")
        return 0 if wrong == 0 else 1
    finally:
        serve.terminate()
        serve.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
