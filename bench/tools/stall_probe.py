#!/usr/bin/env python3
"""Measure, as a client sees it, how long a stalled upstream stays silent.

stall_probe.py PORT SAMPLES SPACING_MS STALL_MS

Opens SAMPLES connections to 127.0.0.1:PORT, one every SPACING_MS (so about STALL_MS/SPACING_MS
are stalled at once), sends one GET on each and times from the moment send() returned to the
moment the first response byte is read. Prints one line per sample ("sample <ms>") and a summary
of (observed - STALL_MS): min, p50, p99, max, and how many were early (observed < STALL_MS).

Why the spacing: the server's timers then expire SPACING_MS apart, and each response is read long
before the next one is due, so neither side queues one sample behind another; the added latency
is one loopback round of request delivery and response wake-up, which is part of what a client
sees. Plain sockets and epoll, no dependencies.
"""
import math
import selectors
import socket
import sys
import time

REQUEST = b"GET /stall HTTP/1.1\r\nHost: bench\r\n\r\n"


def percentile(sorted_values, p):
    """Nearest-rank percentile: the smallest value with at least p% of the samples at or below."""
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def main() -> int:
    port, samples, spacing_ms, stall_ms = (int(sys.argv[1]), int(sys.argv[2]),
                                           float(sys.argv[3]), float(sys.argv[4]))
    sel = selectors.DefaultSelector()
    start = time.monotonic_ns()
    spacing_ns = int(spacing_ms * 1e6)
    opened = 0
    errors = []  # observed - stall, in ms
    failures = 0
    in_flight = 0
    while len(errors) + failures < samples:
        now = time.monotonic_ns()
        next_open = start + opened * spacing_ns
        if opened < samples and now >= next_open:
            s = socket.create_connection(("127.0.0.1", port))
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            s.sendall(REQUEST)
            sent_at = time.monotonic_ns()
            s.setblocking(False)
            sel.register(s, selectors.EVENT_READ, sent_at)
            opened += 1
            in_flight += 1
            continue
        timeout = max(0.0, (next_open - now) / 1e9) if opened < samples else 30.0
        events = sel.select(timeout)
        if not events and opened >= samples:
            print(f"timeout: {in_flight} responses missing", file=sys.stderr)
            return 1
        for key, _ in events:
            got_at = time.monotonic_ns()
            s = key.fileobj
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            sel.unregister(s)
            s.close()
            in_flight -= 1
            if not data:
                failures += 1
                continue
            observed_ms = (got_at - key.data) / 1e6
            errors.append(observed_ms - stall_ms)
            print(f"sample {observed_ms:.3f}")
    errors.sort()
    early = sum(1 for e in errors if e < 0)
    print(f"samples {len(errors)} (failed {failures}), spacing {spacing_ms:g} ms, "
          f"at most ~{math.ceil(stall_ms / spacing_ms)} stalled at once")
    print("error = observed - stall (ms): "
          f"min {errors[0]:.3f}  p50 {percentile(errors, 50):.3f}  "
          f"p99 {percentile(errors, 99):.3f}  max {errors[-1]:.3f}  early {early}")
    return 0 if failures == 0 and early == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
