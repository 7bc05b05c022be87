"""`evrelay top` on a sandbox run: the relay delivers, then its endpoint fails, and the live
view follows. Piped with `--output json` it prints one object per refresh (NDJSON) whose
verdict turns from healthy to failing with the DLQ's depth; on a terminal (tmux at 120×40,
when tmux is installed) the dashboard's verdict line does the same, and `q` quits it with
exit 0. Nothing waits a fixed time: each step waits for the printed line or the drawn frame.

    .venv/bin/python -m pytest tests/sandbox/test_health_top.py -q     # ~25 s
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import threading
import time
import uuid

import metrics
from lambda_service import LambdaService
from sandbox_code import evrelay_bin
from test_health_verdicts import app, destroy, evrelay, operator_env, own_moto  # noqa: F401 - fixtures
from test_sandbox import wait_for


class Refreshes:
    """`evrelay --output json top` running, its lines read as they come."""

    def __init__(self, moto, stack):
        self.proc = subprocess.Popen(
            [evrelay_bin(), "--endpoint-url", moto.endpoint, "--stack", stack, "--output", "json", "top",
             "--interval", "1s"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=operator_env(moto))
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(json.loads(line))
        self.lines.put(None)

    def until(self, pred, what, timeout=60.0) -> list[dict]:
        """The refreshes up to and including the first one `pred` accepts."""
        seen, deadline = [], time.monotonic() + timeout
        while True:
            try:
                doc = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no refresh showed {what}; the last: {seen[-1:]}") from None
            assert doc is not None, f"top ended before {what}: {self.proc.stderr.read()}"
            seen.append(doc)
            if pred(doc):
                return seen

    def interrupt(self) -> int:
        self.proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
        return self.proc.wait(30)


class Pane:
    """`evrelay top` on a real terminal: a detached tmux session of 120×40 on its own server."""

    def __init__(self, moto, stack):
        self.socket = f"evrelay-sandbox-top-{os.getpid()}-{uuid.uuid4().hex[:4]}"
        script = (f"{evrelay_bin()} --endpoint-url {moto.endpoint} --stack {stack} top --interval 1s; "
                  "echo \"top exited $?\"; sleep 600")
        # A new tmux server per test: its shell gets the operator's environment, nothing else.
        subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", "new-session", "-d", "-s", "top",
                        "-x", "120", "-y", "40", script], check=True, env=operator_env(moto))

    def capture(self) -> str:
        return subprocess.run(["tmux", "-L", self.socket, "capture-pane", "-p", "-t", "top"],
                              capture_output=True, text=True).stdout

    def until(self, text, whole=None, timeout=60.0) -> list[str]:
        """The pane's rows once `text` shows and `whole(rows)` holds: tmux can be captured while
        ratatui is halfway through writing a frame, so a frame is judged only once it is whole."""
        deadline = time.monotonic() + timeout
        while True:
            pane = self.capture()
            rows = pane.splitlines()
            if text in pane and (whole is None or whole(rows)):
                return rows
            assert time.monotonic() < deadline, f"`{text}` never showed whole:\n{pane}"
            time.sleep(0.2)

    def keys(self, *keys):
        subprocess.run(["tmux", "-L", self.socket, "send-keys", "-t", "top", *keys], check=True)

    def kill(self):
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def verdict(doc) -> dict:
    return doc["health"]["verdict"]


def test_top_follows_a_sandbox_run_from_healthy_to_failing(own_moto, app, evrelay_template, tmp_path):
    moto, receiver, stack = own_moto, app, f"ht{uuid.uuid4().hex[:6]}"
    evrelay(moto, "--stack", stack, "deploy", "--cluster", "events", "--url", receiver.url, "--secret-stdin", "--yes",
            stdin=uuid.uuid4().hex, config_dir=tmp_path)
    receiver.state.control({"stack": stack, "reset": True, "mode": "ok"})
    svc = LambdaService(moto.endpoint, receiver_url=receiver.url, work_dir=str(tmp_path / "fn"),
                        retry_delays=(0.05, 0.1))
    refreshes = pane = None
    try:
        svc.hook(stack)
        sampler = svc.hooked[stack].runner.queues
        # Two events delivered.
        for n in (1, 2):
            evrelay(moto, "--stack", stack, "send", "--detail", json.dumps({"event-id": f"top-ok-{n}"}))
        wait_for(lambda: receiver.state.stats()["accepted"] == 2, what="two events accepted")
        wait_for(lambda: svc.idle(stack), what="idle")
        sampler.sample()
        metrics.publisher(moto.endpoint).flush()

        # The operator watches: piped (JSON lines) and, with tmux, on a terminal.
        refreshes = Refreshes(moto, stack)
        healthy = refreshes.until(lambda d: verdict(d)["state"] == "healthy", "healthy")[-1]
        assert verdict(healthy)["line"].startswith("healthy: 2 delivered"), verdict(healthy)
        assert healthy["dlq"]["visible"] == 0, healthy["dlq"]
        if shutil.which("tmux"):
            pane = Pane(moto, stack)
            pane.until("healthy: 2 delivered", lambda rows: len(rows) > 1
                       and rows[0].startswith(f"evrelay top · {stack} · last 1h · every 1s")
                       and rows[1].startswith("healthy: 2 delivered"))

        # The endpoint fails (500): the next event is tried 3 times, then lands in the DLQ.
        receiver.state.control({"mode": "error"})
        evrelay(moto, "--stack", stack, "send", "--detail", json.dumps({"event-id": "top-bad-1"}))
        wait_for(lambda: svc.status()["stacks"][stack]["stats"]["dlq_written"] == 1, timeout=60, what="the DLQ record")
        wait_for(lambda: svc.idle(stack), what="idle")
        sampler.sample()
        metrics.publisher(moto.endpoint).flush()

        after = refreshes.until(lambda d: verdict(d)["state"] == "failing" and "DLQ 1" in verdict(d)["line"],
                                "failing with the DLQ")
        # Each refresh in between says one of the two, in order: never back to healthy.
        states = [verdict(d)["state"] for d in after]
        assert states == sorted(states, key=lambda s: s != "healthy"), states
        failing = after[-1]
        assert verdict(failing)["line"].startswith("failing: 3 errors in the last 5 min"), verdict(failing)
        assert verdict(failing)["worst"] == "relay_errors", verdict(failing)
        [errors] = [s for s in failing["health"]["signals"] if s["name"] == "relay_errors"]
        assert errors["total"] == 3, errors
        assert failing["dlq"]["visible"] == 1, failing["dlq"]
        if pane:
            pane.until("failing: 3 errors", lambda rows: len(rows) > 1
                       and rows[1].startswith("failing: 3 errors in the last 5 min") and "DLQ 1" in rows[1])
            pane.keys("q")
            assert "top exited 0" in "\n".join(pane.until("top exited"))

        assert refreshes.interrupt() == 0  # Ctrl-C ends a follow with 0
        refreshes = None
    finally:
        if refreshes:
            refreshes.proc.kill()
        if pane:
            pane.kill()
        try:
            destroy(moto, svc, stack)
        finally:
            svc.stop()
