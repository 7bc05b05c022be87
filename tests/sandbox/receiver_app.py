"""The receiving app on loopback, behaving like the tutorial's Flask app behind the internal ALB.

- `POST <any path>`: checks the `api-key` header against the app's Secrets Manager secret (read
  from moto, cached briefly); answers `{"success": true, "message": "Event id <id> received."}`
  or `401 {"success": false, ...}`. The event id is `detail["event-id"]` of a posted EventBridge
  event (or `["event-id"]` when the body is the detail itself).
- `GET <any path>`: a health message.

Sandbox-only paths (never used by the relay):
- `POST /_control {"mode": "ok"|"reject"|"stall"|"error", "stall_seconds": N, "times": N,
   "stall_status": CODE, "wrong_key": "401"|"success-false",
   "stack": S, "secret_id": ID, "api_key": K, "reset": true}`
   reject -> 200 {"success": false} (the tutorial app's failure signal), stall -> sleep N s
   (past the relay's read timeout), then 504 and nothing processed, error -> 500. `times` reverts to `ok` after N
   requests. `stall_status` answers that status instead of 504 after a stall (e.g. 401: an app
   that hangs, then refuses). `wrong_key` "success-false" answers a wrong key with
   200 {"success": false}, as the tutorial's Flask app does (default: 401).
   `stack`/`secret_id`/`api_key` choose which key the app expects (see `_expected_keys`).
   `reset` clears the counters. Answers the resulting settings.
   `delay_seconds` makes every event request take that long (a slow app);
   `reject_event_ids` rejects those event ids only (200 {"success": false}), whatever the mode.
   `max_concurrent` C (0: no limit) answers 503 at once to a request arriving while C are being
   answered (a small service falling over under a burst; counted in `overloaded`).
- `GET /_stats`: counts of requests received/accepted, in total and per event id; the last 20
  requests (path, event id, whether the key came, the `Idempotency-Key` header).
- `/_sandbox/...`: delegated to an optional admin handler (the supervisor's status/hook API).

Built on http.server (threaded, HTTP/1.1 keep-alive) with TCP_NODELAY on every accepted socket:
without it keep-alive clients stall ~40 ms per request (the Nagle trap, notes/benchmarks.md).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

MODES = ("ok", "reject", "stall", "error")
IDEMPOTENCY_HEADER = "Idempotency-Key"
KEY_CACHE_SECONDS = 2.0


class ReceiverState:
    def __init__(self, secrets_client_factory: Callable[[], object] | None = None,
                 header: str = "api-key"):
        self.lock = threading.Lock()
        self.header = header
        self.mode = "ok"
        self.stall_seconds = 30.0
        self.stall_status = 504
        self.wrong_key = "401"
        self.times: int | None = None
        self.delay_seconds = 0.0
        self.reject_event_ids: set[str] = set()
        self.max_concurrent = 0
        self.in_flight = 0  # requests being answered now
        self.stack: str | None = None
        self.secret_id: str | None = None
        self.api_key: str | None = None
        self._secrets_factory = secrets_client_factory
        self._secrets = None
        self._key_cache: tuple[float, tuple, set[str]] | None = None
        self.wake = threading.Event()  # set on shutdown: stalled requests return at once
        self.reset()

    # ---- counters -------------------------------------------------------------------------
    def reset(self) -> None:
        with self.lock:
            self.received = 0
            self.accepted = 0
            self.unauthorized = 0
            self.rejected = 0
            self.errors = 0
            self.stalled = 0
            self.health = 0
            self.overloaded = 0
            self.by_event: dict[str, dict[str, int]] = {}
            self.last_requests: list[dict] = []
            # The most requests answered at once since the reset: what a fragile app endures.
            self.max_in_flight = 0

    def count(self, event_id, field: str) -> None:
        with self.lock:
            e = self.by_event.setdefault(str(event_id), {"received": 0, "accepted": 0})
            e[field] = e.get(field, 0) + 1

    def stats(self) -> dict:
        with self.lock:
            return {
                "mode": self.mode, "received": self.received, "accepted": self.accepted,
                "unauthorized": self.unauthorized, "rejected": self.rejected,
                "errors": self.errors, "stalled": self.stalled, "health": self.health,
                "overloaded": self.overloaded,
                "in_flight": self.in_flight, "max_in_flight": self.max_in_flight,
                "by_event_id": {k: dict(v) for k, v in self.by_event.items()},
                "last_requests": list(self.last_requests),
            }

    def settings(self) -> dict:
        with self.lock:
            return {"mode": self.mode, "stall_seconds": self.stall_seconds, "times": self.times,
                    "stall_status": self.stall_status, "wrong_key": self.wrong_key,
                    "stack": self.stack, "secret_id": self.secret_id,
                    "api_key_pinned": self.api_key is not None}

    def control(self, body: dict) -> dict:
        mode = body.get("mode")
        if mode is not None and mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        if body.get("reset"):
            self.reset()
        with self.lock:
            if mode is not None:
                self.mode = mode
                self.times = None
            if "stall_seconds" in body:
                self.stall_seconds = float(body["stall_seconds"])
            if "stall_status" in body:
                self.stall_status = int(body["stall_status"])
            if "wrong_key" in body:
                if body["wrong_key"] not in ("401", "success-false"):
                    raise ValueError('wrong_key must be "401" or "success-false"')
                self.wrong_key = body["wrong_key"]
            if "delay_seconds" in body:
                self.delay_seconds = float(body["delay_seconds"])
            if "max_concurrent" in body:
                self.max_concurrent = int(body["max_concurrent"] or 0)
            if "reject_event_ids" in body:
                self.reject_event_ids = {str(e) for e in body["reject_event_ids"] or []}
            if "times" in body:
                self.times = None if body["times"] is None else int(body["times"])
            for k in ("stack", "secret_id", "api_key"):
                if k in body:
                    setattr(self, k, body[k])
            self._key_cache = None
        return self.settings()

    def take_mode(self) -> tuple[str, float]:
        """The mode for this request (and count down `times`)."""
        with self.lock:
            mode = self.mode
            if self.times is not None and mode != "ok":
                self.times -= 1
                if self.times <= 0:
                    self.mode, self.times = "ok", None
            return mode, self.stall_seconds

    # ---- the app's API key ----------------------------------------------------------------
    def _expected_keys(self) -> set[str]:
        """The key(s) the app accepts, in order of precedence:
        a pinned `api_key`; else the secret `secret_id`; else the secret `<stack>-api-key`;
        else (no app stack configured) the value of any `*-api-key` secret in moto."""
        with self.lock:
            if self.api_key is not None:
                return {self.api_key}
            cfg = (self.secret_id, self.stack)
            cached = self._key_cache
            if cached and cached[1] == cfg and time.monotonic() - cached[0] < KEY_CACHE_SECONDS:
                return cached[2]
        keys = self._fetch_keys(*cfg)
        with self.lock:
            self._key_cache = (time.monotonic(), cfg, keys)
        return keys

    def _client(self):
        if self._secrets is None and self._secrets_factory is not None:
            self._secrets = self._secrets_factory()
        return self._secrets

    def _fetch_keys(self, secret_id: str | None, stack: str | None) -> set[str]:
        sm = self._client()
        if sm is None:
            return set()
        ids: list[str] = []
        if secret_id:
            ids = [secret_id]
        elif stack:
            ids = [f"{stack}-api-key"]
        else:
            paginator = sm.get_paginator("list_secrets")
            for page in paginator.paginate():
                ids += [s["Name"] for s in page["SecretList"] if s["Name"].endswith("-api-key")]
        keys = set()
        for sid in ids:
            try:
                keys.add(sm.get_secret_value(SecretId=sid)["SecretString"])
            except Exception:  # noqa: BLE001 - missing secret: no key accepted
                pass
        return keys


def _event_id(body) -> object:
    if isinstance(body, dict):
        detail = body.get("detail") if isinstance(body.get("detail"), dict) else body
        return detail.get("event-id")
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "event-relay-app/1.0"
    state: ReceiverState  # set on the server subclass
    admin: Callable | None = None

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, fmt, *args):  # quiet: the supervisor has its own log
        pass

    def _send(self, status: int, obj) -> None:
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self) -> bytes:
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def do_GET(self):
        st = self.server.state
        path = self.path.split("?")[0]
        if path == "/_stats":
            return self._send(200, st.stats())
        if path == "/_control":
            return self._send(200, st.settings())
        if path.startswith("/_sandbox") and self.server.admin:
            return self._send(*self.server.admin("GET", self.path, b""))
        with st.lock:
            st.health += 1
        return self._send(200, {"success": True, "message": "Healthy: the event relay app is running."})

    def do_POST(self):
        st = self.server.state
        raw = self._body()
        path = self.path.split("?")[0]
        if path == "/_control":
            try:
                return self._send(200, st.control(json.loads(raw or b"{}")))
            except (ValueError, TypeError) as e:
                return self._send(400, {"error": str(e)})
        if path.startswith("/_sandbox") and self.server.admin:
            return self._send(*self.server.admin("POST", self.path, raw))
        with st.lock:
            st.in_flight += 1
            st.max_in_flight = max(st.max_in_flight, st.in_flight)
            overloaded = 0 < st.max_concurrent < st.in_flight
            if overloaded:
                st.overloaded += 1
        try:
            if overloaded:
                return self._send(503, {"success": False, "message": "Service unavailable: too many requests."})
            if st.delay_seconds:
                st.wake.wait(st.delay_seconds)
            return self._event(st, raw)
        finally:
            with st.lock:
                st.in_flight -= 1

    def _event(self, st: ReceiverState, raw: bytes):
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        eid = _event_id(body)
        mode, stall = st.take_mode()
        with st.lock:
            st.received += 1
            st.last_requests = (st.last_requests + [{
                "path": self.path, "event_id": eid, "mode": mode,
                "content_type": self.headers.get("Content-Type"),
                "has_key": self.headers.get(st.header) is not None,
                # What an app de-duplicates on (relay-lambda/README.md, "Idempotency key").
                "idempotency_key": self.headers.get(IDEMPOTENCY_HEADER),
            }])[-20:]
        st.count(eid, "received")
        if mode == "stall":
            # The app hangs: nothing is processed, and whoever is still waiting gets a 504 at
            # the end (so a timed-out relay request is never counted as accepted later).
            with st.lock:
                st.stalled += 1
            st.wake.wait(stall)
            if st.stall_status == 401:
                with st.lock:
                    st.unauthorized += 1
                return self._send(401, {"success": False, "message": "Unauthorized: invalid or missing API key."})
            return self._send(st.stall_status, {"success": False, "message": f"Event id {eid}: the app stalled."})
        if mode == "error":
            with st.lock:
                st.errors += 1
            return self._send(500, {"success": False, "message": "Internal server error."})
        key = self.headers.get(st.header)
        if not key or key not in st._expected_keys():
            with st.lock:
                st.unauthorized += 1
            if st.wrong_key == "success-false":
                return self._send(200, {"success": False, "message": "Invalid API key."})
            return self._send(401, {"success": False, "message": "Unauthorized: invalid or missing API key."})
        if body is None:
            return self._send(400, {"success": False, "message": "Request body must be JSON."})
        if mode == "reject" or str(eid) in st.reject_event_ids:
            with st.lock:
                st.rejected += 1
            return self._send(200, {"success": False, "message": f"Event id {eid} could not be processed."})
        with st.lock:
            st.accepted += 1
        st.count(eid, "accepted")
        return self._send(200, {"success": True, "message": f"Event id {eid} received."})


class ReceiverServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, state: ReceiverState, host: str = "127.0.0.1", port: int = 0,
                 admin: Callable | None = None):
        super().__init__((host, port), Handler)
        self.state = state
        self.admin = admin
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def start(self) -> "ReceiverServer":
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.1},
                                       name="receiver", daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.state.wake.set()
        self.shutdown()
        self.server_close()
