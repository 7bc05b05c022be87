"""The internal ALB's HTTPS face, in front of the receiving app (receiver_app.py), as an
Ingress with `host: app.example.internal` and a certificate for that name makes it:

- an HTTPS listener presenting the certificate (issued by the sandbox CA, tls_ca.py) whatever
  SNI the client sends (an ALB's default certificate); a rule `host-header = APP_HOST` forwards
  to the app, anything else gets the default action, a fixed 404 (what a request whose Host is
  the ALB's own DNS name meets on a host-routed ALB);
- an HTTP listener whose default action redirects to HTTPS (301 to https://#{host}:443/#{path}),
  which the relay must not follow.

Both listen on loopback ports; the function's DNS (lambda_worker.py, SANDBOX_RESOLVE) maps
`NAME:443` and `NAME:80` for the ALB's and the app's names to them.
"""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from receiver_app import Handler, ReceiverState

APP_HOST = "app.example.internal"


def _host(headers) -> str:
    return (headers.get("Host") or "").rsplit(":", 1)[0].strip("[]").lower()


class _Counters:
    def __init__(self):
        self.lock = threading.Lock()
        self.unrouted = 0
        self.redirected = 0
        self.handshake_failures: list[str] = []

    def add(self, name: str) -> None:
        with self.lock:
            setattr(self, name, getattr(self, name) + 1)


class _RoutedHandler(Handler):
    """The app's handler behind the listener rule `host-header = one of server.hosts`."""

    def _routed(self) -> bool:
        if _host(self.headers) in self.server.hosts:
            return True
        self.server.counters.add("unrouted")
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = b"Not Found"
        self.send_response(404)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return False

    def do_GET(self):
        if self._routed():
            super().do_GET()

    def do_POST(self):
        if self._routed():
            super().do_POST()


class _TlsServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, state: ReceiverState, ctx, hosts: set[str], counters: _Counters):
        super().__init__(("127.0.0.1", 0), _RoutedHandler)
        self.state, self.admin, self.ctx, self.hosts, self.counters = state, None, ctx, hosts, counters

    def finish_request(self, request, client_address):
        # The handshake in the connection's own thread: a client that refuses the certificate
        # only ends its own connection.
        try:
            request = self.ctx.wrap_socket(request, server_side=True)
        except (OSError, ValueError) as e:
            with self.counters.lock:
                self.counters.handshake_failures.append(str(e)[:200])
            return
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):  # a client gone mid-request: quiet
        pass


class _RedirectHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _redirect(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.counters.add("redirected")
        location = f"https://{_host(self.headers)}:443{self.path}"
        body = json.dumps({"message": "moved"}).encode()
        self.send_response(301)
        self.send_header("Location", location)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _redirect


class _RedirectServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, counters: _Counters):
        super().__init__(("127.0.0.1", 0), _RedirectHandler)
        self.counters = counters

    def get_request(self):
        sock, addr = super().get_request()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock, addr


class AlbFront:
    def __init__(self, state: ReceiverState, ca, app_host: str = APP_HOST):
        self.app_host = app_host
        self.counters = _Counters()
        self.https = _TlsServer(state, ca.server_context(app_host), {app_host}, self.counters)
        self.http = _RedirectServer(self.counters)
        self._threads: list[threading.Thread] = []

    def start(self) -> "AlbFront":
        for srv in (self.https, self.http):
            t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def stop(self) -> None:
        for srv in (self.https, self.http):
            srv.shutdown()
            srv.server_close()

    def resolve(self, *names: str) -> dict:
        """Sandbox DNS for these names (the ALB's DNS name, the app's): port 443 to the HTTPS
        listener, port 80 to the redirecting HTTP listener."""
        out = {}
        for n in names:
            out[f"{n.lower()}:443"] = f"127.0.0.1:{self.https.server_address[1]}"
            out[f"{n.lower()}:80"] = f"127.0.0.1:{self.http.server_address[1]}"
        return out

    def stats(self) -> dict:
        with self.counters.lock:
            return {"unrouted": self.counters.unrouted, "redirected": self.counters.redirected,
                    "handshake_failures": list(self.counters.handshake_failures)}
