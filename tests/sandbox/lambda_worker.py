"""One Lambda execution environment: a child process that imports the function's code and runs
its handler once per request, like the Lambda Python runtime (used by lambda_service.py).

    python lambda_worker.py CODE_DIR HANDLER      (e.g. HANDLER = index.handler)

The environment is the function's (set by the parent). Protocol: one JSON request per line on
stdin `{"event": …, "request_id": …, "function_arn": …, "deadline_ms": …}`; one JSON reply per
line on the original stdout `{"ok": bool, "result"|"errorMessage"/"errorType"/"stackTrace",
"logs": [[epoch_ms, text], …], "duration_ms": …}`. The first reply (request_id "init") reports
the import. Whatever the code prints (stdout, stderr, logging) is captured per invocation and
returned as log lines, which the parent writes to the function's CloudWatch log group.

Sandbox DNS: `SANDBOX_RESOLVE` (JSON `{"name:port": "127.0.0.1:port"}`, removed from the
environment before the code loads) answers name lookups for those names and ports with loopback
addresses, as a VPC's DNS answers with the ALB's private addresses: the code still connects
to, sends SNI for and verifies the certificate of the name it was given.
"""

from __future__ import annotations

import importlib
import io
import json
import logging
import os
import socket
import sys
import time
import traceback


class Capture(io.TextIOBase):
    """A text stream that turns each written line into a timestamped log line."""

    def __init__(self):
        self.lines: list[list] = []
        self._buf = ""

    def writable(self):
        return True

    def write(self, s):
        self._buf += s
        while "\n" in self._buf:
            line, self._buf = self._buf.split("\n", 1)
            self.lines.append([int(time.time() * 1000), line])
        return len(s)

    def drain(self) -> list[list]:
        if self._buf:
            self.lines.append([int(time.time() * 1000), self._buf])
            self._buf = ""
        out, self.lines = self.lines, []
        return out


class Context:
    """The subset of Lambda's context object a handler uses."""

    def __init__(self, req: dict):
        self.aws_request_id = req["request_id"]
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn = req.get("function_arn", "")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        self._deadline_ms = req.get("deadline_ms") or int(time.time() * 1000) + 3000

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))


def _error(exc: BaseException) -> dict:
    frames = traceback.extract_tb(exc.__traceback__)[1:]  # drop this runtime's own frame
    return {
        "ok": False,
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "stackTrace": traceback.format_list(frames),
    }


def _sandbox_dns() -> None:
    table = json.loads(os.environ.pop("SANDBOX_RESOLVE", "") or "{}")
    if not table:
        return
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        to = table.get(f"{str(host).lower()}:{port}")
        if to:
            addr, to_port = to.rsplit(":", 1)
            return real(addr, int(to_port), *args, **kwargs)
        return real(host, port, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo


def main() -> None:
    code_dir, handler_spec = sys.argv[1], sys.argv[2]
    _sandbox_dns()
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # stray writes to fd 1 go to the parent's log, never into the protocol
    cap = Capture()
    sys.stdout = sys.stderr = cap
    root = logging.getLogger()
    root.handlers[:] = [logging.StreamHandler(cap)]
    root.setLevel(logging.WARNING)
    sys.path.insert(0, code_dir)
    os.chdir(code_dir)

    module_name, func_name = handler_spec.rsplit(".", 1)
    t0 = time.monotonic()
    try:
        handler = getattr(importlib.import_module(module_name), func_name)
        init = {"ok": True}
    except Exception as e:  # noqa: BLE001 - reported as Runtime.ImportModuleError-like
        handler = None
        init = _error(e)
    init.update(request_id="init", logs=cap.drain(), duration_ms=(time.monotonic() - t0) * 1000)
    proto.write(json.dumps(init) + "\n")

    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        t0 = time.monotonic()
        if handler is None:
            reply = dict(init, ok=False)
        else:
            try:
                result = handler(req["event"], Context(req))
                json.dumps(result)
                reply = {"ok": True, "result": result}
            except Exception as e:  # noqa: BLE001 - the function's error, as Lambda reports it
                reply = _error(e)
                tb = "".join(traceback.format_exception(type(e), e, e.__traceback__))
                tb = tb.replace(code_dir, "/var/task")
                cap.write(f"[ERROR] {type(e).__name__}: {e}\r{tb}".replace("\n", "\r").rstrip("\r") + "\n")
        if code_dir != "/var/task":  # show Lambda's paths in stack traces and error lines
            reply = json.loads(json.dumps(reply, default=str).replace(json.dumps(code_dir)[1:-1], "/var/task"))
        reply.update(request_id=req["request_id"], logs=cap.drain(),
                     duration_ms=(time.monotonic() - t0) * 1000)
        proto.write(json.dumps(reply, default=str) + "\n")


if __name__ == "__main__":
    main()
