"""The Lambda service stand-in: what moto cannot do for the relay after `evrelay deploy`.

moto skips `AWS::SecretsManager::Secret` and `AWS::Lambda::EventInvokeConfig`, cannot run
Lambda code, and fails PutEvents (HTTP 500) on a rule with a Lambda target (notes/moto.md).
`hook(stack)` supplies those pieces for one deployed stack:

1. the secret `<stack>-api-key`, valued from the stack's NoEcho (secret) parameter, which moto's
   DescribeStacks returns in clear, or generated (an empty Secret), or none for an existing
   secret (ExistingSecretArn) (sandbox_secrets.py);
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

With an `AlbFront` (alb_front.py) and the sandbox CA, the function also gets the sandbox's DNS
for HTTPS (SANDBOX_RESOLVE: the load balancers' and the app's names, ports 443/80) and trusts the
CA (SSL_CERT_FILE). The pieces: sandbox_code.py (which code), lambda_env.py (execution
environments), lambda_runner.py (the async invoker), sandbox_secrets.py (the secret).

5. buffered delivery (an SQS event source mapping on the function): a `MappingPoller` per mapping
   feeds the function from the buffer queue as Lambda's SQS poller does (esm_poller.py).

`unhook(stack)` stops the runner and removes what the sandbox created in place of stack
resources (the secret, the invoke config, the tap queue) once the stack is gone.
"""


from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
import uuid
from dataclasses import dataclass, field

from esm_poller import start_pollers
from lambda_env import FunctionSpec
from lambda_runner import RETRY_DELAYS, Runner
from moto_proc import REGION, client
from sandbox_code import (
    _resources, evrelay_bin, inline_code_from_evrelay, inline_code_from_relay_py,
    inline_code_from_template, load_template,
)
from sandbox_secrets import stand_in_secret

log = logging.getLogger("sandbox.lambda")
DEFAULT_RETRIES = 2  # Lambda's default MaximumRetryAttempts, and the template's
COMPLETE = ("CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE")


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
    pollers: list = field(default_factory=list)  # esm_poller.MappingPoller, buffered delivery

    def info(self) -> dict:
        return {"stack": self.stack, "hooked": True, "secret": self.secret_name,
                "tap_queue": self.tap_url, "retries": self.retries, "on_failure": self.on_failure,
                "swapped_targets": self.swapped_targets, "code_source": self.code_source,
                "function": self.runner.fn.name, "stats": self.runner.snapshot(),
                "mappings": {p.uuid: p.snapshot() for p in self.pollers}}


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
    """Hooks relay stacks in one Region of one moto server; owns their runners."""

    def __init__(self, endpoint: str, receiver_url: str | None = None, work_dir: str | None = None,
                 retry_delays=RETRY_DELAYS, front=None, ca_bundle: str | None = None,
                 function_aws_endpoint: str | None = None, region: str = REGION):
        # The Region this service plays Lambda in: `endpoint` must act in it (moto itself for
        # us-east-1, a region_front.RegionFront for the two-Region sandbox's secondary).
        self.region = region
        self.endpoint = endpoint
        # Where the function's own AWS calls go (e.g. slow_aws.SlowAws in front of moto).
        self.function_aws_endpoint = function_aws_endpoint or endpoint
        self.receiver_url = receiver_url
        self.front = front  # alb_front.AlbFront: the HTTPS listener and the HTTP redirect
        self.ca_bundle = ca_bundle  # the sandbox CA, trusted by the function (SSL_CERT_FILE)
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
                "${AWS::Region}", self.region).replace("${AWS::AccountId}", "123456789012").replace("${AWS::Partition}", "aws")
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

    def _tls_env(self) -> dict:
        """The function's view of the HTTPS front: DNS for the load balancers' names and the
        app's host name, and the CA that issued the front's certificate."""
        env = {}
        if self.front:
            try:
                lbs = [lb["DNSName"] for lb in self.c["elbv2"].describe_load_balancers()["LoadBalancers"]]
            except Exception:  # noqa: BLE001
                lbs = []
            env["SANDBOX_RESOLVE"] = json.dumps(self.front.resolve(self.front.app_host, *lbs))
        if self.ca_bundle:
            env["SSL_CERT_FILE"] = self.ca_bundle
        return env

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

            secret_name, created = stand_in_secret(self.c["cloudformation"], self.c["secretsmanager"], stack)
            if old and old.secret_name and not secret_name:
                # Now on an existing secret: CloudFormation deletes the stack's own (Condition).
                try:
                    self.c["secretsmanager"].delete_secret(SecretId=old.secret_name, ForceDeleteWithoutRecovery=True)
                except Exception:  # noqa: BLE001 - already gone
                    pass
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
                code=code, code_dir=code_dir, moto_endpoint=self.function_aws_endpoint, log_group=log_group,
                url_rewrites=self._url_rewrites(), extra_env=self._tls_env(), region=self.region,
            )
            on_failure_url = None
            if on_failure and on_failure.split(":")[2] == "sqs":
                on_failure_url = sqs.get_queue_url(QueueName=on_failure.rsplit(":", 1)[-1])["QueueUrl"]
            if old:
                for p in old.pollers:
                    p.stop()
                old.runner.stop()
                # Its in-flight invocations (and their retries) finish in the background.
                self.retiring.setdefault(stack_name, []).append(old.runner)
            runner = Runner(fn, tap_url, retries, on_failure_url, self.endpoint, self.retry_delays).start()
            h = Hooked(stack_name, key, runner, secret_name, created, tap_url, retries, on_failure,
                       swapped, source, function_key(cfg), start_pollers(lam, fn, self.endpoint))
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
        for p in h.pollers:
            p.stop(kill=not cleanup)
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
        return (busy == 0 and all(r.snapshot()["in_flight"] == 0 for r in runners)
                and all(p.idle() for p in h.pollers))

    def stop(self) -> None:
        with self.lock:
            names = list(self.hooked)
        for n in names:
            self.unhook(n, cleanup=False)
