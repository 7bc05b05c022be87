"""A slow AWS: a loopback pass-through in front of moto that holds chosen operations for a
while before forwarding them (a congested NAT, a throttled VPC endpoint), for the function's
AWS calls only (the sandbox points the function's AWS_ENDPOINT_URL at it).

    with SlowAws(moto.endpoint, {"secretsmanager.GetSecretValue": 1.0, "AWSEvents.PutEvents": 1.0}) as slow:
        slow.endpoint           # http://127.0.0.1:PORT
        slow.calls              # [(operation, seconds held)]

Operations are matched on the X-Amz-Target header (the JSON protocols these services use).
Bodies are forwarded byte for byte.
"""

from __future__ import annotations

import http.client
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "upgrade"}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *a):
        pass

    def _forward(self):
        srv: _Server = self.server
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        op = self.headers.get("X-Amz-Target", "")
        delay = srv.delays.get(op, 0.0)
        if delay:
            srv.stop.wait(delay)
        if srv.record:
            with srv.lock:
                srv.calls.append((op, delay))
        up = http.client.HTTPConnection(srv.upstream.hostname, srv.upstream.port, timeout=60)
        try:
            headers = srv.upstream_headers({k: v for k, v in self.headers.items() if k.lower() not in HOP})
            up.request(self.command, self.path, body=body, headers=headers)
            r = up.getresponse()
            data = r.read()
        finally:
            up.close()
        try:
            self.send_response_only(r.status, r.reason)
            for k, v in r.getheaders():
                if k.lower() not in HOP and k.lower() != "content-length":
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client gave up (its read timeout)
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _forward  # REST-JSON services (Lambda) use them all


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    record = True  # keep `calls` (a long-lived front that holds nothing does not)

    def __init__(self, upstream: str, delays: dict):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.upstream = urllib.parse.urlsplit(upstream)
        self.delays = dict(delays)
        self.calls: list[tuple[str, float]] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()  # set on close: held calls go through at once

    def upstream_headers(self, headers: dict) -> dict:
        """The request's headers as forwarded (region_front.py rewrites the signing Region)."""
        return headers


class SlowAws:
    server_class = _Server

    def __init__(self, upstream: str, delays: dict):
        self._srv = self.server_class(upstream, delays)
        self.endpoint = f"http://127.0.0.1:{self._srv.server_address[1]}"
        self._thread = threading.Thread(target=self._srv.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)

    @property
    def calls(self) -> list[tuple[str, float]]:
        with self._srv.lock:
            return list(self._srv.calls)

    def __enter__(self) -> "SlowAws":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self):
        return self.__enter__()

    def stop(self) -> None:
        self._srv.stop.set()
        self._srv.shutdown()
        self._srv.server_close()

