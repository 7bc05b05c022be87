"""Starting and stopping the sandbox's supervisor from outside it (`sandbox.py up|down`), and
reading what it wrote: the pieces that run in the caller's process, not the supervisor's."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


def pid_alive(pid: int) -> bool:
    """True while the process runs (a zombie waiting to be reaped counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(") ", 1)[1][:1] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def write_atomic(path: str, text: str) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def read_env(state_dir: str) -> dict:
    path = os.path.join(state_dir, "env.json")
    if not os.path.exists(path):
        raise SystemExit(f"sandbox: not running (no {path}); run `sandbox.py up --state-dir {state_dir}`")
    with open(path) as f:
        return json.load(f)


def http(method: str, url: str, body: dict | None = None, timeout: float = 60) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def up(state_dir: str, owner_pid: int | None, app_stack: str | None, timeout: float = 60,
       secondary_region: str | None = None) -> int:
    state_dir = os.path.abspath(state_dir)
    os.makedirs(state_dir, exist_ok=True)
    pid_path = os.path.join(state_dir, "sandbox.pid")
    if os.path.exists(pid_path):
        with open(pid_path) as f:
            old = int(f.read().strip() or 0)
        if old and pid_alive(old) and os.path.exists(os.path.join(state_dir, "env.json")):
            print(f"sandbox: already running (pid {old}); env in {state_dir}/env", file=sys.stderr)
            return 0
        down(state_dir)
    cmd = [sys.executable, os.path.join(HERE, "sandbox.py"), "serve", "--state-dir", state_dir]
    if owner_pid:
        cmd += ["--owner-pid", str(owner_pid)]
    if app_stack:
        cmd += ["--app-stack", app_stack]
    if secondary_region:
        cmd += ["--secondary-region", secondary_region]
    logf = open(os.path.join(state_dir, "sandbox.log"), "ab")
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT,
                            start_new_session=True, close_fds=True)
    logf.close()
    write_atomic(pid_path, str(proc.pid))
    env_path = os.path.join(state_dir, "env.json")
    deadline = time.monotonic() + timeout
    try:
        while not os.path.exists(env_path):
            if proc.poll() is not None:
                print(f"sandbox: supervisor exited ({proc.returncode}); see {state_dir}/sandbox.log",
                      file=sys.stderr)
                return 1
            if time.monotonic() > deadline:
                print(f"sandbox: not ready after {timeout:g}s; stopping", file=sys.stderr)
                down(state_dir)
                return 1
            time.sleep(0.1)
    except KeyboardInterrupt:
        down(state_dir)
        return 130
    env = read_env(state_dir)
    print(f"sandbox: up (pid {proc.pid}); moto {env['AWS_ENDPOINT_URL']}, receiver "
          f"{env['SANDBOX_RECEIVER_URL']}; env in {state_dir}/env", file=sys.stderr)
    return 0


def down(state_dir: str, timeout: float = 15) -> int:
    state_dir = os.path.abspath(state_dir)
    pid_path = os.path.join(state_dir, "sandbox.pid")
    moto_pid_path = os.path.join(state_dir, "moto.pid")
    pid = 0
    if os.path.exists(pid_path):
        with open(pid_path) as f:
            pid = int(f.read().strip() or 0)
    if pid and pid_alive(pid):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while pid_alive(pid) and time.monotonic() < deadline:
            try:  # reap it if it is our child (up in the same process, e.g. tests)
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
            time.sleep(0.1)
        if pid_alive(pid):
            try:
                os.killpg(pid, signal.SIGKILL)  # the supervisor leads its own session/group
            except ProcessLookupError:
                pass
    # Belt and braces: a supervisor killed hard leaves moto's pid file behind.
    if os.path.exists(moto_pid_path):
        with open(moto_pid_path) as f:
            mpid = int(f.read().strip() or 0)
        if mpid and pid_alive(mpid):
            try:
                os.killpg(mpid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        os.remove(moto_pid_path)
    for f in ("sandbox.pid", "env", "env.json"):
        try:
            os.remove(os.path.join(state_dir, f))
        except FileNotFoundError:
            pass
    return 0
