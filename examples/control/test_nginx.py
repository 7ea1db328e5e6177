#!/usr/bin/env python3
"""Drive badgateway's fake upstream from a Python test while nginx proxies to it.

This is what a test suite in any language does with `badgateway serve --control`: start the
upstreams, point the proxy under test at them, then flip faults between requests through the
HTTP control API and check what the client sees (docs/control-api.md). Standard library only.

    python3 examples/control/test_nginx.py [--badgateway PATH] [--nginx PATH] [-v]

Exit codes: 0 every test passed, 1 a test failed, 77 nginx is not installed (nothing tested).
"""

import argparse
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ARGS = None  # set in main()


class Control:
    """A minimal client of the control API: JSON in, (status, JSON) out."""

    def __init__(self, port):
        self.port = port

    def call(self, method, path, body=None, timeout=15):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        payload = None if body is None else json.dumps(body)
        headers = {"Content-Type": "application/json"} if payload else {}
        conn.request(method, path, body=payload, headers=headers)
        reply = conn.getresponse()
        data = reply.read()
        conn.close()
        return reply.status, json.loads(data) if data else None

    def ok(self, method, path, body=None):
        status, reply = self.call(method, path, body)
        if status // 100 != 2:
            raise AssertionError(f"{method} {path}: {status} {reply}")
        return reply


def free_port():
    # The kernel picks a free loopback port; nginx binds it a moment later.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_accepting(port, child, timeout):
    """Connect until the port accepts; between attempts wait on the child's exit, so a proxy
    that dies at start fails at once instead of at the deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            try:
                child.wait(timeout=0.05)
                raise RuntimeError(f"nginx exited with {child.returncode} before it was ready")
            except subprocess.TimeoutExpired:
                pass
    raise RuntimeError(f"nginx did not accept on 127.0.0.1:{port} within {timeout}s")


NGINX_CONF = """
# One process in the foreground: terminate() stops all of nginx, and there are no workers to
# switch users (the test may run as root), so every path can live in a private temp dir.
master_process off;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {dir}/tmp; proxy_temp_path {dir}/tmp;
    fastcgi_temp_path {dir}/tmp; uwsgi_temp_path {dir}/tmp; scgi_temp_path {dir}/tmp;
    upstream app {{
        # max_fails=0: never mark the one server down, so a fault cleared through the API
        # shows on the very next request.
        server 127.0.0.1:{upstream_port} max_fails=0;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://app;
            proxy_connect_timeout 1s;
            proxy_read_timeout 1s;
            proxy_next_upstream off;
        }}
    }}
}}
"""


class NginxInFrontOfControlledUpstream(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="bgw-control-example-")
        cls.serve = subprocess.Popen(
            [ARGS.badgateway, "serve", os.path.join(HERE, "upstreams.toml"),
             "--control", "127.0.0.1:0", "--journal", os.path.join(cls.dir, "journal.jsonl")],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # serve prints one JSON line once every port is bound: the upstreams and the API.
        bindings = json.loads(cls.serve.stdout.readline())
        cls.control = Control(bindings["control"]["port"])
        cls.nginx_port = free_port()
        os.makedirs(os.path.join(cls.dir, "tmp"))
        conf = os.path.join(cls.dir, "nginx.conf")
        with open(conf, "w") as f:
            f.write(NGINX_CONF.format(dir=cls.dir, port=cls.nginx_port,
                                      upstream_port=bindings["upstreams"]["app"]["port"]))
        cls.nginx = subprocess.Popen(
            [ARGS.nginx, "-p", cls.dir, "-c", conf, "-e", os.path.join(cls.dir, "error.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_until_accepting(cls.nginx_port, cls.nginx, 10)

    @classmethod
    def tearDownClass(cls):
        for child in (cls.nginx, cls.serve):
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def setUp(self):
        self.control.ok("POST", "/reset")  # every test starts from the file's state

    def get(self, path="/"):
        """GET through nginx: (status, body, seconds)."""
        start = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", self.nginx_port, timeout=10)
        conn.request("GET", path)
        reply = conn.getresponse()
        body = reply.read()
        conn.close()
        return reply.status, body, time.monotonic() - start

    def test_healthy_upstream_answers_through_nginx(self):
        status, body, _ = self.get()
        self.assertEqual((status, body), (200, b"hello"))

    def test_reset_after_request_is_a_502_and_clearing_it_heals(self):
        self.control.ok("PUT", "/upstreams/app/faults", {"fault": "reset_after_request"})
        self.assertEqual(self.get()[0], 502)
        self.control.ok("DELETE", "/upstreams/app/faults")
        self.assertEqual(self.get()[0], 200)

    def test_only_the_second_request_fails(self):
        self.control.ok("PUT", "/upstreams/app/faults",
                        [{"fault": "close_after_request", "nth": 2}])
        self.assertEqual([self.get()[0] for _ in range(3)], [200, 502, 200])

    def test_a_stall_past_the_read_timeout_is_a_504_inside_its_window(self):
        self.control.ok("PUT", "/upstreams/app/faults",
                        {"fault": "stall_before_headers", "params": {"duration": "3s"}})
        status, _, took = self.get()
        self.assertEqual(status, 504)
        # proxy_read_timeout is 1s: never early, and well before the stall ends.
        self.assertGreaterEqual(took, 1.0)
        self.assertLess(took, 2.5)

    def test_refusing_listener_and_crash_are_502_and_restart_heals(self):
        self.control.ok("PUT", "/upstreams/app/listener", {"mode": "refuse"})
        self.assertEqual(self.get()[0], 502)
        self.control.ok("PUT", "/upstreams/app/listener", {"mode": "accept"})
        self.assertEqual(self.get()[0], 200)
        self.control.ok("POST", "/upstreams/app/crash")
        self.assertEqual(self.get()[0], 502)
        self.control.ok("POST", "/upstreams/app/restart")
        self.assertEqual(self.get()[0], 200)

    def test_the_journal_shows_what_reached_the_upstream(self):
        last = self.control.ok("GET", "/health")["last_seq"]
        self.assertEqual(self.get("/orders/7")[0], 200)
        page = self.control.ok("GET", f"/journal?since={last}&wait_ms=0")
        heads = [e["detail"] for e in page["entries"] if e["event"] == "request_head"]
        self.assertEqual(len(heads), 1)
        self.assertTrue(heads[0].startswith("GET /orders/7 HTTP/1."), heads[0])

    def test_a_typo_is_a_422_that_names_the_field(self):
        status, reply = self.control.call("PUT", "/upstreams/app/faults",
                                          {"fault": "reset_after_requst"})
        self.assertEqual(status, 422)
        self.assertEqual(reply["errors"][0]["path"], "/fault")
        self.assertIn('did you mean "reset_after_request"?', reply["error"])


def main():
    global ARGS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--badgateway", default=shutil.which("badgateway") or "badgateway")
    parser.add_argument("--nginx", default=shutil.which("nginx") or "/usr/sbin/nginx")
    ARGS, rest = parser.parse_known_args()
    if not os.access(ARGS.nginx, os.X_OK):
        print(f"nginx not found ({ARGS.nginx}): nothing tested", file=sys.stderr)
        return 77
    result = unittest.main(argv=[sys.argv[0]] + rest, exit=False).result
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
