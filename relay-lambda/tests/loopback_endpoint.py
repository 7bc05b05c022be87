"""A scriptable HTTP/1.1 keep-alive endpoint on loopback, for the relay's tests and bench.

- threaded (one thread per connection), `TCP_NODELAY` on every accepted socket (see
  shared/notes/benchmarks.md, "the Nagle trap");
- counts TCP connections accepted and requests served;
- records each request (method, path, headers, body);
- answers from a script: a list of `Reply`s consumed in order, then `default`;
- optionally HTTPS (`tls=` a server `ssl.SSLContext`, e.g. from tests/sandbox/tls_ca.py),
  the handshake done in the connection's own thread;
- checks an expected API key when `expected_key` is set: a wrong or missing key gets a 401
  whose body *echoes the key it received* (a careless endpoint), so the tests can prove the
  relay never repeats what the endpoint says about the key.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: Any = field(default_factory=lambda: {"ok": True})  # dict/list → JSON, str/bytes → as is
    delay: float = 0.0  # seconds to wait before answering
    headers: dict = field(default_factory=dict)


@dataclass
class Request:
    method: str
    path: str
    headers: dict  # lower-cased names
    body: bytes

    def json(self):
        return json.loads(self.body)


class Endpoint:
    def __init__(self, expected_key: str | None = None, auth_header: str = "api-key", tls=None):
        self.expected_key = expected_key
        self.auth_header = auth_header.lower()
        self.default = Reply()
        self.script: list[Reply] = []
        self.requests: list[Request] = []
        self.connections = 0
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.endpoint = self
        self._server.tls = tls
        self.port = self._server.server_address[1]
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}/events"
        self.handshake_errors: list[str] = []
        self.wrong_key_reply: Reply | None = None  # None: a 401 echoing the key
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def start(self) -> "Endpoint":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def next_reply(self) -> Reply:
        with self._lock:
            return self.script.pop(0) if self.script else self.default

    def record(self, req: Request) -> None:
        with self._lock:
            self.requests.append(req)

    def connected(self) -> None:
        with self._lock:
            self.connections += 1


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # keep-alive threads wait on idle clients: don't join them
    allow_reuse_address = True
    endpoint: Endpoint
    tls = None

    def finish_request(self, request, client_address):
        if self.tls is not None:
            try:
                request = self.tls.wrap_socket(request, server_side=True)
            except (OSError, ValueError) as e:  # the client refused our certificate
                self.endpoint.handshake_errors.append(str(e))
                return
        super().finish_request(request, client_address)

    def get_request(self):
        sock, addr = super().get_request()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.endpoint.connected()
        return sock, addr


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    server: _Server

    def log_message(self, *args):  # quiet
        pass

    def do_POST(self):
        self._serve()

    def do_GET(self):
        self._serve()

    def _serve(self):
        ep = self.server.endpoint
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        ep.record(Request(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body))
        reply = ep.next_reply()
        got = self.headers.get(ep.auth_header)
        if ep.expected_key is not None and got != ep.expected_key:
            reply = ep.wrong_key_reply or Reply(401, {"message": f"invalid api key {got!r}"})
        if reply.delay:
            time.sleep(reply.delay)
        if isinstance(reply.body, (dict, list)):
            data, ctype = json.dumps(reply.body).encode(), "application/json"
        else:
            data = reply.body.encode() if isinstance(reply.body, str) else reply.body
            ctype = "text/plain; charset=utf-8"
        head = [f"HTTP/1.1 {reply.status} {self.responses.get(reply.status, ('',))[0]}",
                f"content-type: {ctype}", f"content-length: {len(data)}"]
        head += [f"{k}: {v}" for k, v in reply.headers.items()]
        try:
            # One write per response (and TCP_NODELAY): no Nagle/delayed-ACK stall.
            self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode() + data)
            self.wfile.flush()
        except OSError:
            self.close_connection = True  # the client gave up (read timeout)


def free_port() -> int:
    """A loopback port with nothing listening on it (connection refused)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port
