#!/usr/bin/env python3
"""Open N loopback connections to PORT, send one GET on each, and hold them open.

Prints "connected N" and "sent N" as it goes, then waits until stdin closes (or SIGTERM) and
closes every socket. Used by bench/stalled_connections.sh; plain sockets, no dependencies.
The caller raises RLIMIT_NOFILE (ulimit -n) for this process.
"""
import selectors
import signal
import socket
import sys

REQUEST = b"GET /stalled HTTP/1.1\r\nHost: bench\r\n\r\n"


def main() -> int:
    port, count = int(sys.argv[1]), int(sys.argv[2])
    batch = int(sys.argv[3]) if len(sys.argv) > 3 else 500
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    sel = selectors.DefaultSelector()
    socks = []
    sent = 0
    # Connect in batches no larger than the accept backlog, so no SYN is dropped and retried.
    for start in range(0, count, batch):
        pending = set()
        for _ in range(min(batch, count - start)):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", port))
            sel.register(s, selectors.EVENT_WRITE)
            pending.add(s)
            socks.append(s)
        while pending:
            for key, _ in sel.select(timeout=10):
                s = key.fileobj
                err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    print(f"connect failed: {err}", file=sys.stderr)
                    return 1
                s.send(REQUEST)  # 38 bytes always fit an empty send buffer
                sent += 1
                sel.unregister(s)
                pending.discard(s)
    print(f"connected {len(socks)}", flush=True)
    print(f"sent {sent}", flush=True)
    sys.stdin.read()  # hold until the caller closes our stdin
    for s in socks:
        s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
