"""The Lambda service stand-in: what moto cannot do for the relay after `evrelay deploy`.

moto skips `AWS::SecretsManager::Secret` and `AWS::Lambda::EventInvokeConfig`, cannot run
Lambda code, and fails PutEvents (HTTP 500) on a rule with a Lambda target (notes/moto.md).
`hook(stack)` supplies those pieces for one deployed stack:

1. the secret `<stack>-api-key`, valued from the stack's NoEcho (secret) parameter, which moto's
   DescribeStacks returns in clear;
2. PutFunctionEventInvokeConfig with the template's MaximumRetryAttempts and OnFailure
   destination (the DLQ);
3. MOTO WORKAROUND: the function target on the inbound rule `<stack>-inbound` is swapped for an
   SQS "tap" queue `<stack>-sandbox-tap` (same target Id, other targets untouched);
4. a `Runner` long-polls the tap and runs the relay's real handler (the inline `ZipFile` code of
   the deployed template) in `lambda_worker.py` child processes with the function's environment
   from GetFunctionConfiguration, `AWS_ENDPOINT_URL` pointing at moto. It retries as Lambda's
   async invocation does (1 + MaximumRetryAttempts attempts, same request id) but with short
   sandbox delays (RETRY_DELAYS, instead of Lambda's ~1 min and ~2 min), then writes a Lambda
   destination record (AWS's documented shape) to the OnFailure queue. What the handler prints
   goes to `/aws/lambda/<stack>-relay` in a stream named like Lambda's
   `YYYY/MM/DD/[$LATEST]<hex>`, framed by START/END/REPORT lines.

`unhook(stack)` stops the runner and removes what the sandbox created in place of stack
resources (the secret, the invoke config, the tap queue) once the stack is gone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import yaml

from moto_proc import REGION, client

log = logging.getLogger("sandbox.lambda")
HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
DEFAULT_EVRELAY_BIN = os.path.join(REPO_ROOT, "target", "debug", "evrelay")

# Sandbox retry delays between attempts (Lambda async: about 1 minute, then about 2 minutes).
RETRY_DELAYS = tuple(float(x) for x in os.environ.get("SANDBOX_RETRY_DELAYS", "0.5,1.0").split(","))
# How many execution environments (worker processes) a function may have at once.
CONCURRENCY = int(os.environ.get("SANDBOX_LAMBDA_CONCURRENCY", "2"))
DEFAULT_RETRIES = 2  # Lambda's default MaximumRetryAttempts, and the template's
COMPLETE = ("CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE")


# ---- templates and the inline code -------------------------------------------------------------

class _CfnLoader(yaml.SafeLoader):
    pass


def _cfn_tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        val = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        val = loader.construct_sequence(node, deep=True)
    else:
        val = loader.construct_mapping(node, deep=True)
    return {"Ref" if suffix == "Ref" else f"Fn::{suffix}": val}


_CfnLoader.add_multi_constructor("!", _cfn_tag)


def load_template(body) -> dict:
    """A CloudFormation template (YAML with short-form tags, or JSON; str or dict) as a dict."""
    if isinstance(body, dict):
        return body
    return yaml.load(body, Loader=_CfnLoader)


def _resources(tpl: dict, rtype: str) -> list[tuple[str, dict]]:
    return [(k, v.get("Properties") or {}) for k, v in (tpl.get("Resources") or {}).items()
            if v.get("Type") == rtype]


def inline_code_from_template(body) -> str | None:
    """The `Code.ZipFile` of the template's Lambda function (the relay), or None."""
    tpl = load_template(body)
    fns = [(k, p) for k, p in _resources(tpl, "AWS::Lambda::Function")
           if isinstance((p.get("Code") or {}).get("ZipFile"), str)]
    if not fns:
        return None
    fns.sort(key=lambda kp: "relay" not in (kp[0] + json.dumps(kp[1].get("FunctionName"))).lower())
    return fns[0][1]["Code"]["ZipFile"]


def inline_code_from_text(text: str) -> str | None:
    """Text fallback: the lines of the first `ZipFile: |` block scalar, dedented."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^(\s*)ZipFile:\s*\|[-+]?\s*$", line)
        if not m:
            continue
        indent = len(m.group(1))
        block = []
        for nxt in lines[i + 1:]:
            if nxt.strip() and len(nxt) - len(nxt.lstrip()) <= indent:
                break
            block.append(nxt)
        return textwrap.dedent("\n".join(block)).strip("\n") + "\n"
    return None


def evrelay_bin() -> str:
    return os.environ.get("EVRELAY_BIN") or DEFAULT_EVRELAY_BIN


def inline_code_from_evrelay(stack: str, binary: str | None = None) -> str | None:
    """`$EVRELAY_BIN template --stack S`, its `ZipFile: |` block extracted and dedented."""
    binary = binary or evrelay_bin()
    if not os.access(binary, os.X_OK):
        return None
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_REGION=REGION, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
    try:
        out = subprocess.run([binary, "template", "--stack", stack], capture_output=True,
                             text=True, timeout=30, env=env, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    try:
        code = inline_code_from_template(out.stdout)
    except yaml.YAMLError:
        code = None
    return code or inline_code_from_text(out.stdout)


def inline_code_from_relay_py(path: str | None = None) -> str | None:
    """relay.py as `evrelay template` inlines it: blank lines and `#` comment lines dropped."""
    path = path or os.path.join(REPO_ROOT, "relay-lambda", "relay.py")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        keep = [ln for ln in f.read().splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    return "\n".join(keep) + "\n"


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

    def environment(self, stream: str) -> dict:
        """The function's environment as Lambda sets it, pointed at moto."""
        env = {k: os.environ[k] for k in ("PATH", "LANG", "LC_ALL", "SYSTEMROOT") if k in os.environ}
        variables = {k: rewrite_url(str(v), self.url_rewrites) for k, v in self.variables.items()}
        env.update(variables)
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
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        })
        return env


def rewrite_url(value: str, rewrites: dict) -> str:
    """Sandbox DNS: a URL whose host is a (moto) load balancer's DNS name is pointed at the
    receiver on loopback, keeping path and query. Other values pass through."""
    if not rewrites or not isinstance(value, str) or "://" not in value:
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


# ---- the async invoker ----------------------------------------------------------------------------

@dataclass
class RunnerStats:
    received: int = 0
    invocations: int = 0
    delivered: int = 0
    failed: int = 0
    dlq_written: int = 0
    in_flight: int = 0


class Runner:
    """Long-polls the tap queue and invokes the function asynchronously, as Lambda does."""

    def __init__(self, fn: FunctionSpec, tap_url: str | None, retries: int,
                 on_failure_url: str | None, endpoint: str, retry_delays=RETRY_DELAYS,
                 invoke=None):
        self.fn = fn
        self.tap_url = tap_url
        self.retries = retries
        self.on_failure_url = on_failure_url
        self.retry_delays = tuple(retry_delays) or (0.0,)
        self.sqs = client("sqs", endpoint)
        self.logs = client("logs", endpoint)
        self.pool = Pool(fn, self.logs)
        self._invoke = invoke or self.pool.invoke
        self.stats = RunnerStats()
        self.lock = threading.Lock()
        self.stop_event = threading.Event()
        self.killed = False
        self.executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix=f"invoke-{fn.name}")
        self.thread: threading.Thread | None = None

    def start(self) -> "Runner":
        self.thread = threading.Thread(target=self._poll, name=f"tap-{self.fn.name}", daemon=True)
        self.thread.start()
        return self

    def _poll(self) -> None:
        while not self.stop_event.is_set():
            try:
                msgs = self.sqs.receive_message(QueueUrl=self.tap_url, MaxNumberOfMessages=10,
                                                WaitTimeSeconds=1).get("Messages", [])
            except Exception as e:  # noqa: BLE001 - tap gone (stack destroyed) or moto busy
                log.debug("%s: tap receive failed: %s", self.fn.name, e)
                self.stop_event.wait(0.5)
                continue
            for m in msgs:
                with self.lock:
                    self.stats.received += 1
                    self.stats.in_flight += 1
                try:
                    event = json.loads(m["Body"])
                except ValueError:
                    event = m["Body"]
                # Lambda's async queue owns the event from here: take it off the tap.
                try:
                    self.sqs.delete_message(QueueUrl=self.tap_url, ReceiptHandle=m["ReceiptHandle"])
                except Exception as e:  # noqa: BLE001
                    log.warning("%s: tap delete failed: %s", self.fn.name, e)
                self.executor.submit(self._guarded, event)

    def _guarded(self, event) -> None:
        try:
            self.invoke_async(event)
        except Exception:  # noqa: BLE001
            log.exception("%s: invocation failed", self.fn.name)
        finally:
            with self.lock:
                self.stats.in_flight -= 1

    def invoke_async(self, event, request_id: str | None = None) -> dict:
        """1 + retries attempts with the same request id; the destination record on failure.
        Returns the last reply."""
        request_id = request_id or str(uuid.uuid4())
        attempts = 1 + self.retries
        reply: dict = {}
        for n in range(1, attempts + 1):
            with self.lock:
                self.stats.invocations += 1
            try:
                reply = self._invoke(event, request_id)
            except Exception as e:  # noqa: BLE001 - e.g. the environment failed to start
                reply = {"ok": False, "errorMessage": str(e), "errorType": "Runtime.Unknown"}
            if reply.get("ok"):
                with self.lock:
                    self.stats.delivered += 1
                return reply
            if self.killed:
                return reply
            if n < attempts:
                time.sleep(self.retry_delays[min(n - 1, len(self.retry_delays) - 1)])
        with self.lock:
            self.stats.failed += 1
        record = destination_record(event, request_id, self.fn.arn, n, reply)
        if self.on_failure_url:
            try:
                self.sqs.send_message(QueueUrl=self.on_failure_url, MessageBody=json.dumps(record))
                with self.lock:
                    self.stats.dlq_written += 1
            except Exception as e:  # noqa: BLE001
                log.warning("%s: destination record not sent: %s", self.fn.name, e)
        return reply

    def snapshot(self) -> dict:
        with self.lock:
            return dict(self.stats.__dict__)

    def stop(self, kill: bool = False) -> None:
        """Stop polling the tap. By default in-flight invocations finish (with their retries and
        destination records) in the background, then the environments stop; with kill, running
        environments are killed at once (sandbox shutdown)."""
        self.stop_event.set()
        if self.thread and self.thread is not threading.current_thread():
            self.thread.join(5)
        if kill:
            self.killed = True
            self.pool.close(kill_busy=True)
            self.executor.shutdown(wait=False, cancel_futures=True)
            return

        def drain():
            self.executor.shutdown(wait=True)
            self.pool.close()
        threading.Thread(target=drain, name=f"drain-{self.fn.name}", daemon=True).start()


# ---- hooking a stack -----------------------------------------------------------------------------

@dataclass
class Hooked:
    stack: str
    key: tuple
    runner: Runner
    secret_name: str | None
    secret_created: bool
    tap_url: str
    retries: int
    on_failure: str | None
    swapped_targets: list
    code_source: str
    fn_key: str = ""

    def info(self) -> dict:
        return {"stack": self.stack, "hooked": True, "secret": self.secret_name,
                "tap_queue": self.tap_url, "retries": self.retries, "on_failure": self.on_failure,
                "swapped_targets": self.swapped_targets, "code_source": self.code_source,
                "function": self.runner.fn.name, "stats": self.runner.snapshot()}


def stack_key(stack: dict) -> tuple:
    params = json.dumps(sorted((p["ParameterKey"], p.get("ParameterValue")) for p in stack.get("Parameters", [])))
    return (stack["StackId"], stack["StackStatus"], str(stack.get("LastUpdatedTime") or stack.get("CreationTime")),
            hashlib.sha256(params.encode()).hexdigest())


def function_key(cfg: dict) -> str:
    """What makes a function's deployed configuration different (code, env, timeout)."""
    keep = {k: cfg.get(k) for k in ("LastModified", "CodeSha256", "Environment", "Timeout", "Handler", "MemorySize")}
    return hashlib.sha256(json.dumps(keep, sort_keys=True, default=str).encode()).hexdigest()


class NotARelayStack(Exception):
    pass


class LambdaService:
    """Hooks relay stacks in one moto server; owns their runners."""

    def __init__(self, endpoint: str, receiver_url: str | None = None, work_dir: str | None = None,
                 retry_delays=RETRY_DELAYS):
        self.endpoint = endpoint
        self.receiver_url = receiver_url
        self.work_dir = work_dir or tempfile.mkdtemp(prefix="evrelay-sandbox-")
        self.retry_delays = retry_delays
        self.c = {s: client(s, endpoint) for s in
                  ("cloudformation", "lambda", "secretsmanager", "sqs", "events", "logs", "elbv2")}
        self.hooked: dict[str, Hooked] = {}
        self.retiring: dict[str, list[Runner]] = {}  # replaced runners still finishing work
        self.ignored: dict[str, tuple] = {}  # stacks without a relay function, by key
        self.lock = threading.RLock()
        self.errors: dict[str, str] = {}

    # -- the pieces ---------------------------------------------------------------------------
    def _secret_value(self, stack: dict) -> str | None:
        params = {p["ParameterKey"]: p.get("ParameterValue") for p in stack.get("Parameters", [])}
        try:
            summary = self.c["cloudformation"].get_template_summary(StackName=stack["StackName"])
            noecho = [p["ParameterKey"] for p in summary.get("Parameters", []) if p.get("NoEcho")]
        except Exception:  # noqa: BLE001
            noecho = []
        cands = [k for k in noecho if k in params] or [k for k in params if re.search(r"secret|api.?key", k, re.I)]
        cands.sort(key=lambda k: "secret" not in k.lower())
        return params[cands[0]] if cands else None

    def _ensure_secret(self, name: str, value: str | None) -> bool:
        """Create or update the secret. Returns True when the sandbox created it."""
        sm = self.c["secretsmanager"]
        if value is None:
            return False
        try:
            current = sm.get_secret_value(SecretId=name)["SecretString"]
            if current != value:
                sm.put_secret_value(SecretId=name, SecretString=value)
            return False
        except sm.exceptions.ResourceNotFoundException:
            sm.create_secret(Name=name, SecretString=value,
                             Description="evrelay sandbox: stands in for the stack's secret (moto skips it)")
            return True

    def _invoke_config(self, stack: str, tpl: dict) -> tuple[int, str | None]:
        """(MaximumRetryAttempts, OnFailure ARN) from the template's EventInvokeConfig."""
        retries, dest = DEFAULT_RETRIES, None
        for _, props in _resources(tpl, "AWS::Lambda::EventInvokeConfig"):
            if "MaximumRetryAttempts" in props:
                retries = int(props["MaximumRetryAttempts"])
            d = ((props.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
            dest = self._resolve_arn(stack, d)
        if dest is None:  # the contract's DLQ name
            dest = self._queue_arn(f"{stack}-dlq")
        return retries, dest

    def _queue_arn(self, name: str) -> str | None:
        sqs = self.c["sqs"]
        try:
            url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
            return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        except Exception:  # noqa: BLE001
            return None

    def _resolve_arn(self, stack: str, value) -> str | None:
        if isinstance(value, str):
            return value if value.startswith("arn:") else None
        if isinstance(value, dict) and "Fn::GetAtt" in value:
            ga = value["Fn::GetAtt"]
            logical = ga.split(".")[0] if isinstance(ga, str) else ga[0]
            try:
                res = self.c["cloudformation"].describe_stack_resource(
                    StackName=stack, LogicalResourceId=logical)["StackResourceDetail"]
            except Exception:  # noqa: BLE001
                return None
            phys = res.get("PhysicalResourceId", "")
            if res.get("ResourceType") == "AWS::SQS::Queue":
                name = phys.rstrip("/").rsplit("/", 1)[-1]
                return self._queue_arn(name)
            return phys if phys.startswith("arn:") else None
        if isinstance(value, dict) and "Fn::Sub" in value and isinstance(value["Fn::Sub"], str):
            return value["Fn::Sub"].replace("${AWS::StackName}", stack).replace(
                "${AWS::Region}", REGION).replace("${AWS::AccountId}", "123456789012").replace("${AWS::Partition}", "aws")
        return None

    def _swap_targets(self, stack: str, fn_arn: str, tap_arn: str) -> list:
        """MOTO WORKAROUND: moto fails PutEvents (HTTP 500) on a rule with a Lambda target, and
        cannot run the function anyway. Replace the function target(s) on `<stack>-inbound` with
        the SQS tap, keeping the target Id, input settings, retry policy and DLQ; other targets
        stay as they are."""
        ev = self.c["events"]
        bus, rule = f"{stack}-bus", f"{stack}-inbound"
        try:
            targets = ev.list_targets_by_rule(Rule=rule, EventBusName=bus)["Targets"]
        except ev.exceptions.ResourceNotFoundException:
            bus = "default"
            targets = ev.list_targets_by_rule(Rule=rule)["Targets"]
        fn_base = fn_arn.split(":$LATEST")[0]
        lambdas = [t for t in targets if t["Arn"].startswith(fn_base) or ":lambda:" in t["Arn"]]
        if not lambdas:
            return []
        ev.remove_targets(Rule=rule, EventBusName=bus, Ids=[t["Id"] for t in lambdas])
        new = []
        for t in lambdas:
            nt = {k: v for k, v in t.items() if k not in ("Arn", "RoleArn")}
            nt["Arn"] = tap_arn
            new.append(nt)
        ev.put_targets(Rule=rule, EventBusName=bus, Targets=new)
        return [{"id": t["Id"], "was": t["Arn"], "now": tap_arn} for t in lambdas]

    def _code(self, stack: str, tpl: dict) -> tuple[str, str]:
        code = inline_code_from_template(tpl)
        if code:
            return code, "deployed template (GetTemplate)"
        code = inline_code_from_evrelay(stack)
        if code:
            return code, f"{evrelay_bin()} template"
        code = inline_code_from_relay_py()
        if code:
            return code, "relay-lambda/relay.py"
        raise NotARelayStack(f"{stack}: no inline function code found")

    def _url_rewrites(self) -> dict:
        if not self.receiver_url:
            return {}
        try:
            lbs = self.c["elbv2"].describe_load_balancers()["LoadBalancers"]
        except Exception:  # noqa: BLE001
            return {}
        base = self.receiver_url.rstrip("/")
        return {lb["DNSName"].lower(): base for lb in lbs}

    # -- hook / unhook ------------------------------------------------------------------------
    def hook(self, stack_name: str, force: bool = False) -> dict:
        """Hook one deployed stack (idempotent; re-hooks after a redeploy, or when forced)."""
        with self.lock:
            cfn = self.c["cloudformation"]
            stacks = cfn.describe_stacks(StackName=stack_name)["Stacks"]
            stack = stacks[0]
            if stack["StackStatus"] not in COMPLETE:
                raise RuntimeError(f"{stack_name}: stack is {stack['StackStatus']}")
            key = stack_key(stack)
            old = self.hooked.get(stack_name)
            if old and old.key == key and not force:
                return old.info()
            fn_name = f"{stack_name}-relay"
            lam = self.c["lambda"]
            try:
                cfg = lam.get_function_configuration(FunctionName=fn_name)
            except lam.exceptions.ResourceNotFoundException:
                self.ignored[stack_name] = key
                raise NotARelayStack(f"{stack_name}: no function {fn_name}")
            body = cfn.get_template(StackName=stack_name)["TemplateBody"]
            tpl = load_template(body)
            code, source = self._code(stack_name, tpl)

            secret_name = f"{stack_name}-api-key"
            created = self._ensure_secret(secret_name, self._secret_value(stack))
            if old:
                created = created or old.secret_created
            retries, on_failure = self._invoke_config(stack_name, tpl)
            put = {"FunctionName": fn_name, "MaximumRetryAttempts": retries}
            if on_failure:
                put["DestinationConfig"] = {"OnFailure": {"Destination": on_failure}}
            lam.put_function_event_invoke_config(**put)

            sqs = self.c["sqs"]
            timeout = float(cfg.get("Timeout") or 3)
            tap_url = sqs.create_queue(QueueName=f"{stack_name}-sandbox-tap", Attributes={
                "VisibilityTimeout": str(int(max(30, timeout * 6))),
                "MessageRetentionPeriod": "3600",
            })["QueueUrl"]
            tap_arn = sqs.get_queue_attributes(QueueUrl=tap_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            swapped = self._swap_targets(stack_name, cfg["FunctionArn"], tap_arn)
            if old and not swapped:
                swapped = old.swapped_targets

            log_group = (cfg.get("LoggingConfig") or {}).get("LogGroup") or f"/aws/lambda/{fn_name}"
            logs = self.c["logs"]
            if not logs.describe_log_groups(logGroupNamePrefix=log_group).get("logGroups"):
                logs.create_log_group(logGroupName=log_group)  # Lambda creates it on first run

            code_dir = os.path.join(self.work_dir, f"{stack_name}-{uuid.uuid4().hex[:8]}")
            os.makedirs(code_dir)
            module = cfg.get("Handler", "index.handler").rsplit(".", 1)[0]
            with open(os.path.join(code_dir, module.replace(".", "/") + ".py"), "w") as f:
                f.write(code)
            fn = FunctionSpec(
                name=fn_name, arn=cfg["FunctionArn"], handler=cfg.get("Handler", "index.handler"),
                timeout=timeout, memory=int(cfg.get("MemorySize") or 128),
                variables=dict((cfg.get("Environment") or {}).get("Variables") or {}),
                code=code, code_dir=code_dir, moto_endpoint=self.endpoint, log_group=log_group,
                url_rewrites=self._url_rewrites(),
            )
            on_failure_url = None
            if on_failure and on_failure.split(":")[2] == "sqs":
                on_failure_url = sqs.get_queue_url(QueueName=on_failure.rsplit(":", 1)[-1])["QueueUrl"]
            if old:
                old.runner.stop()
                # Its in-flight invocations (and their retries) finish in the background.
                self.retiring.setdefault(stack_name, []).append(old.runner)
            runner = Runner(fn, tap_url, retries, on_failure_url, self.endpoint, self.retry_delays).start()
            h = Hooked(stack_name, key, runner, secret_name, created, tap_url, retries, on_failure,
                       swapped, source, function_key(cfg))
            self.hooked[stack_name] = h
            self.ignored.pop(stack_name, None)
            self.errors.pop(stack_name, None)
            log.info("hooked %s (%s, retries %d, on failure %s, code from %s)",
                     stack_name, fn_name, retries, on_failure, source)
            return h.info()

    def unhook(self, stack_name: str, cleanup: bool = True) -> bool:
        """Stop the runner; with cleanup, remove the sandbox-made stand-ins for stack resources."""
        with self.lock:
            h = self.hooked.pop(stack_name, None)
        if not h:
            return False
        h.runner.stop(kill=not cleanup)
        if cleanup:
            for call in (
                lambda: self.c["sqs"].delete_queue(QueueUrl=h.tap_url),
                lambda: self.c["lambda"].delete_function_event_invoke_config(FunctionName=h.runner.fn.name),
                lambda: h.secret_name and self.c["secretsmanager"].delete_secret(
                    SecretId=h.secret_name, ForceDeleteWithoutRecovery=True),
            ):
                try:
                    call()
                except Exception:  # noqa: BLE001 - already gone
                    pass
        log.info("unhooked %s", stack_name)
        return True

    def scan(self) -> None:
        """One watcher pass: hook new/redeployed relay stacks, unhook vanished ones."""
        cfn = self.c["cloudformation"]
        live = {}
        for page in cfn.get_paginator("describe_stacks").paginate():
            for s in page["Stacks"]:
                if s["StackStatus"] != "DELETE_COMPLETE":
                    live[s["StackName"]] = s
        for name in list(self.hooked):
            if name not in live:
                self.unhook(name)
        for name, s in live.items():
            if s["StackStatus"] not in COMPLETE:
                continue
            key = stack_key(s)
            h = self.hooked.get(name)
            changed = bool(h) and h.key == key and self._changed(h)
            if h and h.key == key and not changed:
                continue
            if not h and self.ignored.get(name) == key:
                continue
            if self.errors.get(name, ("", None))[1:] == (key,):
                continue
            try:
                # Not forced unless the function or the rule changed under the same stack key:
                # `sandbox.py hook` may have hooked the stack since `h` was read.
                self.hook(name, force=changed)
            except NotARelayStack:
                pass
            except Exception as e:  # noqa: BLE001 - remembered, retried on the next change
                self.errors[name] = (str(e), key)
                log.exception("hook %s failed", name)

    def _changed(self, h: Hooked) -> bool:
        """A redeploy that left the stack's status and parameters alone (e.g. new code), or an
        update that put the function target back on the inbound rule."""
        try:
            cfg = self.c["lambda"].get_function_configuration(FunctionName=h.runner.fn.name)
            if function_key(cfg) != h.fn_key:
                return True
            ev = self.c["events"]
            targets = ev.list_targets_by_rule(Rule=f"{h.stack}-inbound", EventBusName=f"{h.stack}-bus")["Targets"]
            return any(":lambda:" in t["Arn"] for t in targets)
        except Exception:  # noqa: BLE001 - mid-update or gone: the next scan decides
            return False

    def status(self) -> dict:
        with self.lock:
            return {
                "stacks": {n: h.info() for n, h in self.hooked.items()},
                "errors": {n: e[0] if isinstance(e, tuple) else e for n, e in self.errors.items()},
            }

    def idle(self, stack: str) -> bool:
        """True when the stack's tap is empty and no invocation is in flight or waiting."""
        with self.lock:
            h = self.hooked.get(stack)
        if not h:
            return True
        a = self.c["sqs"].get_queue_attributes(QueueUrl=h.tap_url, AttributeNames=[
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
        busy = int(a["ApproximateNumberOfMessages"]) + int(a["ApproximateNumberOfMessagesNotVisible"])
        with self.lock:
            runners = [h.runner] + self.retiring.get(stack, [])
            self.retiring[stack] = [r for r in self.retiring.get(stack, []) if r.snapshot()["in_flight"]]
        return busy == 0 and all(r.snapshot()["in_flight"] == 0 for r in runners)

    def stop(self) -> None:
        with self.lock:
            names = list(self.hooked)
        for n in names:
            self.unhook(n, cleanup=False)


class Watcher:
    """Polls CloudFormation and hooks relay stacks as they reach a *_COMPLETE state."""

    def __init__(self, service: LambdaService, interval: float = 0.5):
        self.service = service
        self.interval = interval
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, name="watcher", daemon=True)

    def start(self) -> "Watcher":
        self.thread.start()
        return self

    def _run(self) -> None:
        while not self.stop_event.wait(self.interval):
            try:
                self.service.scan()
            except Exception as e:  # noqa: BLE001 - moto busy or stopping
                log.debug("watcher: %s", e)

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(5)
