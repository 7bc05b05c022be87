"""Execution environments: one `lambda_worker.py` child per environment (`Worker`), the
function's settings and environment (`FunctionSpec`), a pool of environments (`Pool`), and
the records Lambda writes about an invocation (log stream names, the destination record)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import select
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field

import metrics
from moto_proc import REGION

log = logging.getLogger("sandbox.lambda")
HERE = os.path.dirname(os.path.abspath(__file__))
# How many execution environments (worker processes) a function may have at once.
CONCURRENCY = int(os.environ.get("SANDBOX_LAMBDA_CONCURRENCY", "2"))


# ---- the destination record ---------------------------------------------------------------------

def iso_ms(t: float | None = None) -> str:
    d = dt.datetime.fromtimestamp(time.time() if t is None else t, dt.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"


def destination_record(event: dict, request_id: str, function_arn: str, attempts: int,
                       error: dict, condition: str = "RetriesExhausted",
                       timestamp: float | None = None) -> dict:
    """The record Lambda sends to an OnFailure destination after an async invocation fails
    (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html)."""
    arn = function_arn if function_arn.endswith(":$LATEST") else function_arn + ":$LATEST"
    payload = {k: error[k] for k in ("errorMessage", "errorType") if k in error}
    payload["requestId"] = request_id
    if "stackTrace" in error:
        payload["stackTrace"] = error["stackTrace"]
    return {
        "version": "1.0",
        "timestamp": iso_ms(timestamp),
        "requestContext": {
            "requestId": request_id,
            "functionArn": arn,
            "condition": condition,
            "approximateInvokeCount": attempts,
        },
        "requestPayload": event,
        "responseContext": {
            "statusCode": 200,
            "executedVersion": "$LATEST",
            "functionError": "Unhandled",
        },
        "responsePayload": payload,
    }


def fit_destination(record: dict, max_bytes: int | None) -> dict:
    """The record as Lambda sends it to a destination that takes at most `max_bytes`: when
    request + response + context would not fit, Lambda drops the request payload and keeps the
    rest (AWS::Lambda::EventInvokeConfig OnFailure, "Destination" note:
    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-lambda-eventinvokeconfig-onfailure.html;
    https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html)."""
    if max_bytes is None or len(json.dumps(record).encode()) <= max_bytes:
        return record
    return {k: v for k, v in record.items() if k != "requestPayload"}


# ---- execution environments ---------------------------------------------------------------------

def lambda_stream_name() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y/%m/%d/") + "[$LATEST]" + uuid.uuid4().hex


class Worker:
    """One execution environment (a lambda_worker.py child) and its log stream."""

    def __init__(self, fn: "FunctionSpec", logs):
        self.fn = fn
        self.logs = logs
        self.stream = lambda_stream_name()
        env = fn.environment(self.stream)
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "lambda_worker.py"), fn.code_dir, fn.handler],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None, env=env, text=True,
            bufsize=1, start_new_session=True, close_fds=True,
        )
        self.created_log_stream = False
        init = self._read(60)
        if init is None:
            self.kill()
            raise RuntimeError(f"{fn.name}: execution environment did not start")
        self.init_ms = init.get("duration_ms", 0)
        self.init_logs = init.get("logs", [])
        self.init_ok = init.get("ok", False)

    def _read(self, timeout: float):
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.proc.stdout], [], [], left)
            if r:
                line = self.proc.stdout.readline()
                if not line:
                    return None  # the child died
                return json.loads(line)

    def invoke(self, event: dict, request_id: str) -> dict:
        fn = self.fn
        start = time.time()
        deadline_ms = int(start * 1000 + fn.timeout * 1000)
        lines = [[int(start * 1000), f"START RequestId: {request_id} Version: $LATEST"]]
        lines += self.init_logs
        self.init_logs = []
        try:
            self.proc.stdin.write(json.dumps({"event": event, "request_id": request_id,
                                              "function_arn": fn.arn, "deadline_ms": deadline_ms}) + "\n")
            self.proc.stdin.flush()
            reply = self._read(fn.timeout)
        except (BrokenPipeError, OSError, ValueError):
            reply = None
        now = time.time()
        if reply is None:  # timed out (or crashed): Lambda kills the environment
            alive = self.proc.poll() is None
            self.kill()
            msg = (f"{iso_ms(now)} {request_id} Task timed out after {fn.timeout:.2f} seconds"
                   if alive else f"RequestId: {request_id} Error: Runtime exited unexpectedly")
            reply = {"ok": False, "errorMessage": msg,
                     **({} if alive else {"errorType": "Runtime.ExitError"}),
                     "logs": [], "duration_ms": (now - start) * 1000}
            lines.append([int(now * 1000), msg])
        lines += reply.get("logs", [])
        dur = reply.get("duration_ms", (now - start) * 1000)
        end_ms = int(time.time() * 1000)
        lines.append([end_ms, f"END RequestId: {request_id}"])
        report = (f"REPORT RequestId: {request_id}\tDuration: {dur:.2f} ms\tBilled Duration: "
                  f"{int(dur) + 1} ms\tMemory Size: {fn.memory} MB\tMax Memory Used: 64 MB")
        if self.init_ms:
            report += f"\tInit Duration: {self.init_ms:.2f} ms"
            self.init_ms = 0
        lines.append([end_ms, report])
        self._write_logs(lines)
        return reply

    def _write_logs(self, lines: list[list]) -> None:
        if not lines:
            return
        group = self.fn.log_group
        events = [{"timestamp": ts, "message": msg} for ts, msg in lines]
        events.sort(key=lambda e: e["timestamp"])  # PutLogEvents wants them in order
        try:
            if not self.created_log_stream:
                try:
                    self.logs.create_log_stream(logGroupName=group, logStreamName=self.stream)
                except self.logs.exceptions.ResourceAlreadyExistsException:
                    pass
                self.created_log_stream = True
            self.logs.put_log_events(logGroupName=group, logStreamName=self.stream, logEvents=events)
            metrics.log_events_ingested(self.fn.moto_endpoint, events)  # what CloudWatch Logs extracts
        except Exception as e:  # noqa: BLE001 - group deleted (stack destroyed): logs are dropped
            log.warning("%s: logs not written: %s", self.fn.name, e)

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            pass
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except OSError:
                pass


@dataclass
class FunctionSpec:
    """What the runner needs to emulate one function."""
    name: str
    arn: str
    handler: str
    timeout: float
    memory: int
    variables: dict
    code: str
    code_dir: str
    moto_endpoint: str
    log_group: str
    url_rewrites: dict = field(default_factory=dict)  # ALB DNS name -> receiver base URL
    extra_env: dict = field(default_factory=dict)  # the sandbox's own (DNS table, CA bundle)
    region: str = REGION  # the function's Region (AWS_REGION), the two-Region sandbox's secondary too

    def environment(self, stream: str) -> dict:
        """The function's environment as Lambda sets it, pointed at moto."""
        env = {k: os.environ[k] for k in ("PATH", "LANG", "LC_ALL", "SYSTEMROOT") if k in os.environ}
        variables = {k: rewrite_url(str(v), self.url_rewrites) for k, v in self.variables.items()}
        env.update(variables)
        env.update(self.extra_env)
        env.update({
            "AWS_LAMBDA_FUNCTION_NAME": self.name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(self.memory),
            "AWS_LAMBDA_LOG_GROUP_NAME": self.log_group,
            "AWS_LAMBDA_LOG_STREAM_NAME": stream,
            "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
            "LAMBDA_TASK_ROOT": self.code_dir,
            "_HANDLER": self.handler,
            "TZ": ":UTC",
            "PYTHONUNBUFFERED": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            # The sandbox's overrides: moto, dummy credentials, the region.
            "AWS_ENDPOINT_URL": self.moto_endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        })
        return env


def rewrite_url(value: str, rewrites: dict) -> str:
    """Sandbox DNS for plain HTTP: an http:// URL whose host is a (moto) load balancer's DNS
    name is pointed at the receiver on loopback, keeping path and query. Other values pass
    through (https:// keeps its name for SNI and verification: lambda_worker's SANDBOX_RESOLVE
    maps it instead)."""
    if not rewrites or not isinstance(value, str) or not value.startswith("http://"):
        return value
    u = urllib.parse.urlsplit(value)
    base = rewrites.get((u.hostname or "").lower())
    if not base:
        return value
    b = urllib.parse.urlsplit(base)
    return urllib.parse.urlunsplit((b.scheme, b.netloc, u.path or "/", u.query, u.fragment))


class Pool:
    """Up to `size` execution environments; an invocation takes an idle one or starts one."""

    def __init__(self, fn: FunctionSpec, logs, size: int = CONCURRENCY):
        self.fn, self.logs, self.size = fn, logs, size
        self.cv = threading.Condition()
        self.idle: list[Worker] = []
        self.all: set[Worker] = set()
        self.count = 0
        self.closed = False

    def invoke(self, event: dict, request_id: str) -> dict:
        w = self._take()
        try:
            return w.invoke(event, request_id)
        finally:
            self._give(w)

    def _take(self) -> Worker:
        with self.cv:
            while True:
                if self.closed:
                    raise RuntimeError("function stopped")
                if self.idle:
                    return self.idle.pop()
                if self.count < self.size:
                    self.count += 1
                    break
                self.cv.wait()
        try:
            w = Worker(self.fn, self.logs)
            with self.cv:
                self.all.add(w)
            return w
        except Exception:
            with self.cv:
                self.count -= 1
                self.cv.notify()
            raise

    def _give(self, w: Worker) -> None:
        with self.cv:
            if w.alive and not self.closed:
                self.idle.append(w)
            else:
                w.kill()
                self.all.discard(w)
                self.count -= 1
            self.cv.notify()

    def close(self, kill_busy: bool = False) -> None:
        """Stop idle environments; with kill_busy, running ones too (their invocation fails)."""
        with self.cv:
            self.closed = True
            idle, self.idle = self.idle, []
            self.count -= len(idle)
            busy = list(self.all) if kill_busy else []
            self.cv.notify_all()
        for w in idle + busy:
            w.kill()
