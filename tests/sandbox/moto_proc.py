"""moto_server as a child process: start on a free loopback port, wait until it answers, stop.

The server runs in its own process group (so one killpg stops it and anything it forks) and,
on Linux, with PR_SET_PDEATHSIG: if the process that started it dies without cleaning up
(SIGKILL), the kernel sends moto SIGTERM, so no orphan is left behind either way.
"""

from __future__ import annotations

import atexit
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import boto3
from botocore.config import Config

REGION = "us-east-1"
DUMMY_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_REGION": REGION,
    "AWS_DEFAULT_REGION": REGION,
}
# Retries off: a moto 500 must surface, not be retried into duplicates (see notes/moto.md).
BOTO_CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=30)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pdeathsig() -> None:
    """preexec_fn: new process group + SIGTERM when the parent dies (Linux only)."""
    os.setpgid(0, 0)
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def moto_server_cmd() -> list[str]:
    """moto_server through the strict emulator (tests/emulator/moto_launcher.py: AWS's rules
    moto does not enforce); SANDBOX_PLAIN_MOTO=1 runs the plain moto_server."""
    if os.environ.get("SANDBOX_PLAIN_MOTO") != "1":
        return [sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "emulator", "moto_launcher.py")]
    exe = os.path.join(os.path.dirname(sys.executable), "moto_server")
    if os.path.exists(exe):
        return [exe]
    found = shutil.which("moto_server")
    if found:
        return [found]
    return [sys.executable, "-m", "moto.server"]


def client(service: str, endpoint: str, **kw):
    """A boto3 client against moto with dummy credentials and retries off."""
    return boto3.session.Session(
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        aws_session_token="testing",
        region_name=REGION,
    ).client(service, endpoint_url=endpoint, config=BOTO_CONFIG, **kw)


class MotoServer:
    """One moto_server child. Use as a context manager or call start()/stop()."""

    def __init__(self, port: int | None = None, log_path: str | None = None):
        self.port = port
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> "MotoServer":
        last_err = None
        for _ in range(3):  # a free port can be taken between probe and bind: retry
            port = self.port or free_port()
            log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
            env = dict(os.environ)
            env.update(DUMMY_ENV)
            env.pop("AWS_ENDPOINT_URL", None)
            # lambda_service.py creates the secret moto skips from the NoEcho parameter, which
            # the strict emulator otherwise masks as AWS does.
            env["EVRELAY_EMULATOR_NOECHO_IN_CLEAR"] = "1"
            self.proc = subprocess.Popen(
                moto_server_cmd() + ["-H", "127.0.0.1", "-p", str(port)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                preexec_fn=_pdeathsig,
                close_fds=True,
            )
            if log is not subprocess.DEVNULL:
                log.close()
            self.port = port
            atexit.register(self.stop)
            try:
                self._wait_ready(timeout)
                return self
            except Exception as e:  # noqa: BLE001 - retry with another port
                last_err = e
                self.stop()
                self.port = None
        raise RuntimeError(f"moto_server did not start: {last_err}")

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"moto_server exited with {self.proc.returncode}")
            try:
                with urllib.request.urlopen(f"{self.endpoint}/moto-api/data.json", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"moto_server not answering on {self.endpoint} after {timeout}s")

    def stop(self, timeout: float = 5.0) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout)

    def reset(self) -> None:
        req = urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")
        urllib.request.urlopen(req, timeout=10).close()

    def client(self, service: str, **kw):
        return client(service, self.endpoint, **kw)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
