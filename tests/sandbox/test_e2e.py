"""End to end: the real evrelay binary against the sandbox (moto + the Lambda stand-in + the app).

    cargo build && .venv/bin/python -m pytest tests/sandbox/test_e2e.py -q

Each test deploys its own stack and destroys it. Assertions are on exit codes, on what the
commands print (event ids, the app's message) and, as ground truth, on moto's state and the
app's counters. A command that is not built yet makes its test skip, not fail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid

import pytest
import requests

from sandbox_code import evrelay_bin
from moto_proc import client

HERE = os.path.dirname(os.path.abspath(__file__))
SANDBOX = [sys.executable, os.path.join(HERE, "sandbox.py")]
BIN = evrelay_bin()

pytestmark = pytest.mark.skipif(not os.access(BIN, os.X_OK), reason=f"no evrelay binary at {BIN}")


# ---- the sandbox and the CLI ----------------------------------------------------------------------

class Sandbox:
    def __init__(self, state_dir: str):
        self.dir = state_dir
        with open(os.path.join(state_dir, "env.json")) as f:
            self.env = json.load(f)
        self.endpoint = self.env["AWS_ENDPOINT_URL"]
        self.url = self.env["SANDBOX_RECEIVER_URL"]

    def cli(self, *args, timeout=120) -> dict:
        r = subprocess.run(SANDBOX + [args[0], "--state-dir", self.dir, *args[1:]],
                           capture_output=True, text=True, timeout=timeout)
        assert r.returncode == 0, f"sandbox {args}: {r.stdout}\n{r.stderr}"
        return json.loads(r.stdout) if r.stdout.strip() else {}

    def control(self, **body) -> dict:
        return requests.post(self.env["SANDBOX_CONTROL_URL"], json=body, timeout=10).json()

    def stats(self) -> dict:
        return requests.get(self.env["SANDBOX_STATS_URL"], timeout=10).json()

    def client(self, service: str):
        return client(service, self.endpoint)

    def evrelay(self, *args, stdin: str | None = None, timeout=180) -> subprocess.CompletedProcess:
        """Run the binary with the sandbox's environment only (no real profile, no real AWS)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update({k: v for k, v in self.env.items() if k.startswith("AWS_")})
        env["NO_COLOR"] = "1"
        r = subprocess.run([BIN, *args], input=stdin, capture_output=True, text=True,
                           timeout=timeout, env=env)
        if "is not built yet" in r.stderr:
            pytest.skip(f"evrelay {args[0] if args[0] != '--stack' else args[2]}: {r.stderr.strip()}")
        return r


def ok(r: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert r.returncode == 0, f"exit {r.returncode}\nstdout:\n{r.stdout}\nstderr:\n{r.stderr}"
    return r


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    d = str(tmp_path_factory.mktemp("sandbox"))
    r = subprocess.run(SANDBOX + ["up", "--state-dir", d, "--owner-pid", str(os.getpid())],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    try:
        yield Sandbox(d)
    finally:
        subprocess.run(SANDBOX + ["down", "--state-dir", d], capture_output=True, timeout=60)


@pytest.fixture
def stack(sandbox):
    """A fresh stack name, destroyed afterwards whatever happened."""
    name = f"e2e-{uuid.uuid4().hex[:6]}"
    sandbox.control(mode="ok", reset=True, api_key=None, stack=None, secret_id=None)
    yield name
    cfn = sandbox.client("cloudformation")
    if [s for s in cfn.describe_stacks()["Stacks"] if s["StackName"] == name]:
        sandbox.evrelay("--stack", name, "destroy", "--yes", "--delete-failed-events")


def deploy(sandbox, stack, key, *extra):
    r = ok(sandbox.evrelay("--stack", stack, "deploy", "--cluster", "events", "--url", sandbox.url,
                           "--secret-stdin", "--yes", *extra, stdin=key))
    assert key not in r.stdout + r.stderr, "the secret was printed"
    sandbox.cli("hook", "--stack", stack)
    return r


def send(sandbox, stack, event_id, *extra):
    return ok(sandbox.evrelay("--stack", stack, "send", "--detail", json.dumps({"event-id": event_id}), *extra))


def queue_url(sandbox, name):
    return sandbox.client("sqs").get_queue_url(QueueName=name)["QueueUrl"]


def dlq_records(sandbox, stack) -> list[dict]:
    """The DLQ's messages, read without consuming them (visibility 0)."""
    sqs = sandbox.client("sqs")
    url = queue_url(sandbox, f"{stack}-dlq")
    seen: dict[str, dict] = {}
    for _ in range(5):
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0,
                                     WaitTimeSeconds=0).get("Messages", []):
            seen[m["MessageId"]] = json.loads(m["Body"])
    return list(seen.values())


def dlq_depth(sandbox, stack) -> int:
    a = sandbox.client("sqs").get_queue_attributes(QueueUrl=queue_url(sandbox, f"{stack}-dlq"), AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return int(a["ApproximateNumberOfMessages"]) + int(a["ApproximateNumberOfMessagesNotVisible"])


def assert_destroyed(sandbox, stack):
    cfn, ec2, lam, sqs, ev, sm = (sandbox.client(s) for s in ("cloudformation", "ec2", "lambda", "sqs", "events", "secretsmanager"))
    assert stack not in [s["StackName"] for s in cfn.describe_stacks()["Stacks"]
                         if s["StackStatus"] != "DELETE_COMPLETE"]
    eps = ec2.describe_vpc_endpoints(Filters=[{"Name": "tag:evrelay:managed", "Values": ["true"]}])["VpcEndpoints"]
    assert [e["VpcEndpointId"] for e in eps if e["State"].lower() not in ("deleted", "deleting")] == []
    fns = [f["FunctionName"] for f in lam.list_functions()["Functions"]]
    assert f"{stack}-relay" not in fns
    assert sqs.list_queues(QueueNamePrefix=stack).get("QueueUrls", []) == []
    assert f"{stack}-bus" not in [b["Name"] for b in ev.list_event_buses()["EventBuses"]]
    assert [s["Name"] for s in sm.list_secrets()["SecretList"] if s["Name"].startswith(stack)] == []


# ---- the tutorial ---------------------------------------------------------------------------------

def test_tutorial_walkthrough(sandbox, stack):
    seeded = json.load(open(os.path.join(sandbox.dir, "seeded.json")))["events"]

    r = ok(sandbox.evrelay("discover", "--cluster", "events"))
    for want in (seeded["vpc_id"], *seeded["private_subnets"], seeded["shared_node_sg"]):
        assert want in r.stdout, f"discover does not show {want}:\n{r.stdout}"

    key = uuid.uuid4().hex
    deploy(sandbox, stack, key)
    eps = sandbox.client("ec2").describe_vpc_endpoints(Filters=[
        {"Name": "tag:evrelay:managed", "Values": ["true"]}, {"Name": "vpc-id", "Values": [seeded["vpc_id"]]}])["VpcEndpoints"]
    assert [e for e in eps if e["State"].lower() == "available"], "deploy created no managed Secrets Manager endpoint"

    # 1. A round trip: the app's answer comes back as the response event.
    r = send(sandbox, stack, "walk-1", "--return-response")
    assert "Event id walk-1 received." in r.stdout, r.stdout
    assert sandbox.stats()["by_event_id"]["walk-1"] == {"received": 1, "accepted": 1}
    # The app got the event's EventBridge id (which send prints) as its idempotency key.
    key = sandbox.stats()["last_requests"][-1]["idempotency_key"]
    assert key and key in r.stdout, (key, r.stdout)

    # 2. The app rejects: the relay retries, then the event lands in the DLQ.
    sandbox.control(mode="reject")
    send(sandbox, stack, "walk-2")
    sandbox.cli("wait-idle", "--stack", stack)
    assert sandbox.stats()["by_event_id"]["walk-2"] == {"received": 3, "accepted": 0}
    recs = dlq_records(sandbox, stack)
    assert [rec["requestPayload"]["detail"]["event-id"] for rec in recs] == ["walk-2"]
    r = ok(sandbox.evrelay("--stack", stack, "dlq", "peek"))
    assert recs[0]["requestPayload"]["id"] in r.stdout, r.stdout
    assert "could not be processed" in r.stdout, r.stdout  # the reason comes first
    r = ok(sandbox.evrelay("--stack", stack, "dlq", "peek", "--wide"))
    assert "RetriesExhausted" in r.stdout, r.stdout  # the condition is in the wide view
    assert dlq_depth(sandbox, stack) == 1  # peek consumes nothing

    # 3. Healed: redrive delivers it and empties the DLQ.
    sandbox.control(mode="ok")
    ok(sandbox.evrelay("--stack", stack, "dlq", "redrive", "--yes"))
    sandbox.cli("wait-idle", "--stack", stack)
    assert sandbox.stats()["by_event_id"]["walk-2"]["accepted"] == 1
    assert dlq_depth(sandbox, stack) == 0

    r = send(sandbox, stack, "walk-3", "--return-response")
    assert "Event id walk-3 received." in r.stdout, r.stdout

    # 4. Logs: the relay's one line per invocation is there.
    r = ok(sandbox.evrelay("--stack", stack, "logs", "--since", "10m"))
    assert "walk-3" in r.stdout and "delivered" in r.stdout, r.stdout
    # Its metrics (EMF) are CloudWatch's to extract: the text view leaves them out, JSON keeps them.
    assert "_aws" not in r.stdout and '"Delivered"' not in r.stdout, r.stdout
    r = ok(sandbox.evrelay("--stack", stack, "--output", "json", "logs", "--since", "10m"))
    assert '"_aws"' in r.stdout, r.stdout

    # 5. Destroy leaves nothing behind.
    ok(sandbox.evrelay("--stack", stack, "destroy", "--yes"))
    time.sleep(1)  # the watcher unhooks within ~0.5 s
    assert_destroyed(sandbox, stack)
    assert stack not in sandbox.cli("status")["stacks"]


def test_a_redriven_event_arrives_with_its_original_idempotency_key(sandbox, stack):
    deploy(sandbox, stack, uuid.uuid4().hex)
    sandbox.control(mode="reject")
    send(sandbox, stack, "again-1")
    sandbox.cli("wait-idle", "--stack", stack)
    (rec,) = dlq_records(sandbox, stack)
    original = rec["requestPayload"]["id"]
    assert {r["idempotency_key"] for r in sandbox.stats()["last_requests"]} == {original}

    sandbox.control(mode="ok", reset=True)
    ok(sandbox.evrelay("--stack", stack, "dlq", "redrive", "--yes"))
    sandbox.cli("wait-idle", "--stack", stack)
    (delivered,) = sandbox.stats()["last_requests"]
    assert delivered["event_id"] == "again-1"
    assert delivered["idempotency_key"] == original


# ---- failures ------------------------------------------------------------------------------------

def test_wrong_secret_is_a_401_in_the_dlq(sandbox, stack):
    sandbox.control(api_key="the-apps-real-key")  # the app expects another key than deployed
    deploy(sandbox, stack, "a-wrong-key-" + uuid.uuid4().hex[:8])
    r = send(sandbox, stack, "wrong-1")
    sandbox.cli("wait-idle", "--stack", stack)
    st = sandbox.stats()
    assert st["by_event_id"]["wrong-1"]["accepted"] == 0
    assert st["unauthorized"] >= 3  # 3 attempts (each re-reads the key once after a 401)
    (rec,) = dlq_records(sandbox, stack)
    msg = rec["responsePayload"]["errorMessage"]
    event_id = rec["requestPayload"]["id"]
    assert msg.startswith(f"event {event_id}: 401: "), msg
    assert '"success": false' in msg or "success" in msg.lower(), msg
    assert "a-wrong-key" not in msg
    assert rec["requestContext"]["approximateInvokeCount"] == 3
    assert rec["requestContext"]["condition"] == "RetriesExhausted"
    assert event_id in r.stdout, r.stdout  # send prints the EventBridge id the DLQ record names


def test_a_record_too_large_for_the_dlq_arrives_without_its_event(sandbox, stack):
    deploy(sandbox, stack, uuid.uuid4().hex)
    # The operator lowers the DLQ's limit to SQS's minimum; the event alone is larger.
    sqs = sandbox.client("sqs")
    sqs.set_queue_attributes(QueueUrl=queue_url(sandbox, f"{stack}-dlq"),
                             Attributes={"MaximumMessageSize": "1024"})
    sandbox.control(mode="reject")
    detail = {"event-id": "big-1", "padding": "x" * 2048}
    ok(sandbox.evrelay("--stack", stack, "send", "--detail", json.dumps(detail)))
    sandbox.cli("wait-idle", "--stack", stack)
    assert sandbox.stats()["by_event_id"]["big-1"] == {"received": 3, "accepted": 0}

    # Lambda kept the record and dropped the event: only the request id names it.
    (rec,) = dlq_records(sandbox, stack)
    assert "requestPayload" not in rec, rec
    request_id = rec["requestContext"]["requestId"]
    assert rec["requestContext"]["condition"] == "RetriesExhausted"
    r = ok(sandbox.evrelay("--stack", stack, "dlq", "peek"))
    words = " ".join(r.stdout.split())
    assert f"unrecoverable, event dropped by Lambda: request {request_id} at " in words, r.stdout
    assert dlq_depth(sandbox, stack) == 1

    # Healed, a redrive has nothing to re-send and keeps the record.
    sandbox.control(mode="ok")
    r = ok(sandbox.evrelay("--stack", stack, "--output", "json", "--yes", "dlq", "redrive"))
    doc = json.loads(r.stdout)
    assert doc["resent"] == [], doc
    assert [s["error_code"] for s in doc["skipped"]] == ["PayloadDropped"], doc
    sandbox.cli("wait-idle", "--stack", stack)
    assert sandbox.stats()["by_event_id"]["big-1"]["accepted"] == 0
    assert dlq_depth(sandbox, stack) == 1

    # The record cannot be recovered: destroy refuses to drop it unasked, then drops it when told.
    r = sandbox.evrelay("--stack", stack, "destroy", "--yes")
    assert r.returncode == 1 and "dlq drain --out" in r.stderr, r.stderr
    ok(sandbox.evrelay("--stack", stack, "destroy", "--yes", "--delete-failed-events"))
    time.sleep(1)  # as the other tests: the sandbox's watcher unhooks the gone stack (its tap queue)
    assert_destroyed(sandbox, stack)


def test_stalled_app_times_out_then_redrive_heals(sandbox, stack):
    deploy(sandbox, stack, uuid.uuid4().hex, "--read-timeout", "2")
    cfg = sandbox.client("lambda").get_function_configuration(FunctionName=f"{stack}-relay")
    assert str(cfg["Environment"]["Variables"]["READ_TIMEOUT_SECONDS"]) == "2"
    sandbox.control(mode="stall", stall_seconds=5)
    ids = [f"stall-{i}" for i in range(3)]
    for eid in ids:
        send(sandbox, stack, eid)
    sandbox.cli("wait-idle", "--stack", stack, "--timeout", "90")
    st = sandbox.stats()
    for eid in ids:
        assert st["by_event_id"][eid] == {"received": 3, "accepted": 0}, st["by_event_id"]
    recs = dlq_records(sandbox, stack)
    assert sorted(r["requestPayload"]["detail"]["event-id"] for r in recs) == ids
    for rec in recs:
        msg = rec["responsePayload"]["errorMessage"]
        assert msg.startswith(f"event {rec['requestPayload']['id']}: no response: "), msg
        assert "timed out" in msg.lower(), msg

    sandbox.control(mode="ok")
    r = ok(sandbox.evrelay("--stack", stack, "dlq", "redrive", "--yes"))
    sandbox.cli("wait-idle", "--stack", stack)
    st = sandbox.stats()
    for eid in ids:
        assert st["by_event_id"][eid]["accepted"] == 1, (eid, st["by_event_id"][eid], r.stdout)
    assert dlq_depth(sandbox, stack) == 0
    ok(sandbox.evrelay("--stack", stack, "destroy", "--yes"))
    time.sleep(1)
    assert_destroyed(sandbox, stack)
