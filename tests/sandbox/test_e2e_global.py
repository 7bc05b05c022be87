"""Issue 24's "Done when", walked in the two-Region sandbox with the real evrelay binary: a relay
in us-east-1 and one in us-west-2 behind an EventBridge global endpoint, each invoked by its own
Region's Lambda stand-in and posting to its own receiving app (sandbox_region.py).

    cargo build && .venv/bin/python -m pytest tests/sandbox/test_e2e_global.py -q

The operator's steps: a two-Region deploy, an event sent through the endpoint (delivered by the
primary's relay), failover start, the next event (delivered by the secondary's relay), failover
stop, a replay of the secondary's archive (the failed-over event delivered again, under the same
idempotency key), and destroy of everything. Ground truth is each receiver's counters (which app
got which event), each Region's response events (whose `region` names the Region whose relay
answered) and, after destroy, CloudFormation, EventBridge and Route 53 in both Regions.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid

import boto3
import pytest
import requests

from moto_proc import BOTO_CONFIG
from sandbox_code import evrelay_bin

HERE = os.path.dirname(os.path.abspath(__file__))
SANDBOX = [sys.executable, os.path.join(HERE, "sandbox.py")]
BIN = evrelay_bin()
PRIMARY, SECONDARY = "us-east-1", "us-west-2"

pytestmark = pytest.mark.skipif(not os.access(BIN, os.X_OK), reason=f"no evrelay binary at {BIN}")


class Pair:
    """The two-Region sandbox, as the walk uses it: the CLI, each Region's AWS and receiver."""

    def __init__(self, state_dir: str):
        self.dir = state_dir
        with open(os.path.join(state_dir, "env.json")) as f:
            self.env = json.load(f)
        self.endpoint = self.env["AWS_ENDPOINT_URL"]

    def sandbox(self, *args, region: str = PRIMARY, timeout=120) -> dict:
        r = subprocess.run(SANDBOX + [args[0], "--state-dir", self.dir, "--region", region, *args[1:]],
                           capture_output=True, text=True, timeout=timeout)
        assert r.returncode == 0, f"sandbox {args} in {region}: {r.stdout}\n{r.stderr}"
        return json.loads(r.stdout) if r.stdout.strip() else {}

    def receiver(self, region: str) -> str:
        return self.env["SANDBOX_RECEIVER_URL" if region == PRIMARY else "SANDBOX_SECONDARY_RECEIVER_URL"]

    def alb_url(self, region: str) -> str:
        return self.env["SANDBOX_ALB_URL" if region == PRIMARY else "SANDBOX_SECONDARY_ALB_URL"]

    def stats(self, region: str) -> dict:
        return self.sandbox("stats", region=region)

    def reset_receivers(self) -> None:
        for key in ("SANDBOX_CONTROL_URL", "SANDBOX_SECONDARY_CONTROL_URL"):
            requests.post(self.env[key], json={"mode": "ok", "reset": True}, timeout=10).raise_for_status()

    def aws(self, service: str, region: str = PRIMARY):
        return boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                     region_name=region).client(service, endpoint_url=self.endpoint,
                                                                config=BOTO_CONFIG)

    def evrelay(self, *args, stdin: str | None = None, timeout=180) -> subprocess.CompletedProcess:
        """The binary with the sandbox's environment only (no real profile, no real AWS)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update({k: v for k, v in self.env.items() if k.startswith("AWS_") or k == "EVRELAY_CONFIG"})
        env["NO_COLOR"] = "1"
        return subprocess.run([BIN, *args], input=stdin, capture_output=True, text=True,
                              timeout=timeout, env=env)


def ok(r: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert r.returncode == 0, f"{r.args[1:]}: exit {r.returncode}\nstdout:\n{r.stdout}\nstderr:\n{r.stderr}"
    return r


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    d = str(tmp_path_factory.mktemp("pair"))
    r = subprocess.run(SANDBOX + ["up", "--state-dir", d, "--owner-pid", str(os.getpid()),
                                  "--secondary-region", SECONDARY],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    try:
        yield Pair(d)
    finally:
        subprocess.run(SANDBOX + ["down", "--state-dir", d], capture_output=True, timeout=60)


@pytest.fixture
def stack(pair):
    """A fresh stack name; whatever the test left in either Region is removed afterwards."""
    name = f"pair-{uuid.uuid4().hex[:6]}"
    pair.reset_receivers()
    yield name
    leftovers(pair, name)


# ---- the operator's commands ---------------------------------------------------------------------

def deploy_pair(pair: Pair, stack: str, key: str, replication: bool = False) -> dict:
    """`deploy --secondary-region`: each Region's relay in its own cluster's VPC, pointed at its
    own Region's ALB (so its own app), then the endpoint and the secondary's archive."""
    r = ok(pair.evrelay("--stack", stack, "--output", "json", "deploy", "--cluster", "events",
                        "--url", pair.alb_url(PRIMARY), "--secondary-region", SECONDARY,
                        "--secondary-cluster", "events", "--secondary-url", pair.alb_url(SECONDARY),
                        "--replication", "on" if replication else "off", "--secret-stdin", "--yes",
                        stdin=key))
    assert key not in r.stdout + r.stderr, "the secret was printed"
    for region in (PRIMARY, SECONDARY):
        hooked = pair.sandbox("hook", "--stack", stack, region=region)
        assert hooked["function"] == f"{stack}-relay" and hooked["swapped_targets"], hooked
    return json.loads(r.stdout.strip().splitlines()[-1])  # the plan, then the result (NDJSON)


def send_global(pair: Pair, stack: str, event_id: str) -> dict:
    """`send --global --return-response`: through the endpoint (SigV4a), waiting for the answer.
    The detail carries the producer's own idempotency key: event ids change across Regions and
    replays (eb-ge-best-practices.html), the key the relay sends must not."""
    detail = {"event-id": event_id, "idempotency-key": f"order-{event_id}"}
    r = ok(pair.evrelay("--stack", stack, "--output", "json", "send", "--global", "--return-response",
                        "--timeout", "30s", "--detail", json.dumps(detail)))
    (event,) = json.loads(r.stdout)["events"]
    return event


def failover(pair: Pair, stack: str, step: str) -> dict:
    """`failover start|stop`: the documented drill (the health check inverted, then restored),
    watched until the endpoint routes to the other Region."""
    return json.loads(ok(pair.evrelay("--stack", stack, "--output", "json", "failover", step, "--yes")).stdout)


def status(pair: Pair, stack: str) -> dict:
    return json.loads(ok(pair.evrelay("--stack", stack, "--output", "json", "status", "--no-health")).stdout)


def endpoint_of(pair: Pair, stack: str) -> dict:
    return pair.aws("events").describe_endpoint(Name=stack)


def leftovers(pair: Pair, stack: str) -> None:
    """Whatever a failed walk left, removed without evrelay: the endpoint first (it never routes
    to a bus that is gone), the archive, then both relays."""
    for region, part in ((PRIMARY, "endpoint"), (SECONDARY, "archive")):
        if any(s["StackName"] == f"{stack}-{part}" for s in live_stacks(pair, region)):
            pair.aws("cloudformation", region).delete_stack(StackName=f"{stack}-{part}")
    for region in (PRIMARY, SECONDARY):
        if any(s["StackName"] == stack for s in live_stacks(pair, region)):
            pair.evrelay("--region", region, "--stack", stack, "destroy", "--yes", "--delete-failed-events")


# ---- what the walk reads --------------------------------------------------------------------------

def live_stacks(pair: Pair, region: str) -> list[dict]:
    return [s for s in pair.aws("cloudformation", region).describe_stacks()["Stacks"]
            if s["StackStatus"] != "DELETE_COMPLETE"]


def delivered(pair: Pair, event_id: str) -> dict:
    """Per Region, how many times its receiver accepted the event (after both relays are idle)."""
    return {r: pair.stats(r)["by_event_id"].get(event_id, {}).get("accepted", 0) for r in (PRIMARY, SECONDARY)}


def keys_received(pair: Pair, region: str, event_id: str) -> list[str]:
    return [q["idempotency_key"] for q in pair.stats(region)["last_requests"] if q["event_id"] == event_id]


def response_event(pair: Pair, stack: str, region: str, eventbridge_id: str, timeout: float = 20) -> dict:
    """The relay's response event for one inbound event, as that Region's outbound rule logged it
    (its events log group; `send --return-response` consumed the responses queue's copy)."""
    logs = pair.aws("logs", region)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pages = logs.get_paginator("filter_log_events").paginate(
            logGroupName=f"/aws/events/evrelay/{stack}", filterPattern=f'"{eventbridge_id}"')
        for page in pages:
            for line in page["events"]:
                event = json.loads(line["message"])
                if event.get("detail", {}).get("request-id") == eventbridge_id:  # the inbound event's id
                    return event
        time.sleep(0.5)
    raise AssertionError(f"no response event for {eventbridge_id} in {region} after {timeout:g}s")


def replay_start(pair: Pair, stack: str) -> str:
    """The earliest `replay --from` the secondary's archive allows: its creation, to the next
    whole second (RFC 3339)."""
    events = pair.aws("events", SECONDARY)
    bus = events.describe_event_bus(Name=f"{stack}-bus")["Arn"]
    (archive,) = events.list_archives(EventSourceArn=bus)["Archives"]
    made = archive["CreationTime"].timestamp()
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(made) + 1))


def unhooked(pair: Pair, stack: str, region: str, timeout: float = 10) -> None:
    """The Region's Lambda stand-in lets go of a destroyed stack (its watcher polls every 0.5 s)."""
    deadline = time.monotonic() + timeout
    while stack in pair.sandbox("status", region=region)["stacks"]:
        assert time.monotonic() < deadline, f"{stack} still hooked in {region}"
        time.sleep(0.2)


def settle(pair: Pair, stack: str) -> None:
    for region in (PRIMARY, SECONDARY):
        pair.sandbox("wait-idle", "--stack", stack, region=region)


# ---- the walk -------------------------------------------------------------------------------------

def test_the_failover_drill_across_two_regions(pair, stack):
    # 1. A two-Region deploy: each Region's relay hooked by its own Lambda stand-in.
    deploy_pair(pair, stack, uuid.uuid4().hex)
    endpoint = endpoint_of(pair, stack)
    assert endpoint["State"] == "ACTIVE", endpoint
    view = status(pair, stack)["global_endpoint"]
    assert (view["active_region"], view["secondary"]["region"]) == (PRIMARY, SECONDARY), view
    since = replay_start(pair, stack)

    # 2. Sent through the endpoint: the primary's relay delivers it to the primary's app.
    first = send_global(pair, stack, "drill-1")
    settle(pair, stack)
    assert delivered(pair, "drill-1") == {PRIMARY: 1, SECONDARY: 0}
    assert first["response"]["answered_by_region"] == PRIMARY, first
    assert response_event(pair, stack, PRIMARY, first["event_id"])["region"] == PRIMARY

    # 3. Failover start: the next event goes to the secondary's relay and app.
    assert failover(pair, stack, "start")["routes_to"] == SECONDARY
    assert status(pair, stack)["global_endpoint"]["active_region"] == SECONDARY
    second = send_global(pair, stack, "drill-2")
    settle(pair, stack)
    assert delivered(pair, "drill-2") == {PRIMARY: 0, SECONDARY: 1}
    assert second["response"]["answered_by_region"] == SECONDARY, second
    assert response_event(pair, stack, SECONDARY, second["event_id"])["region"] == SECONDARY
    (failed_over_key,) = keys_received(pair, SECONDARY, "drill-2")
    assert failed_over_key == "order-drill-2"

    # 4. Failover stop: back to the primary.
    assert failover(pair, stack, "stop")["routes_to"] == PRIMARY
    assert status(pair, stack)["global_endpoint"]["active_region"] == PRIMARY
    third = send_global(pair, stack, "drill-3")
    settle(pair, stack)
    assert delivered(pair, "drill-3") == {PRIMARY: 1, SECONDARY: 0}
    assert third["response"]["answered_by_region"] == PRIMARY, third

    # 5. Failback: the secondary's archive holds what it received while failed over; replayed to
    # its bus, the secondary's relay delivers it again under the same idempotency key, so the app
    # can tell it is the same order.
    r = ok(pair.evrelay("--stack", stack, "--output", "json", "replay", "--from", since, "--yes"))
    replayed = json.loads(r.stdout)
    assert (replayed["state"], replayed["region"]) == ("COMPLETED", SECONDARY), replayed
    assert "idempotent" in r.stderr, r.stderr
    settle(pair, stack)
    assert delivered(pair, "drill-2") == {PRIMARY: 0, SECONDARY: 2}
    assert keys_received(pair, SECONDARY, "drill-2") == [failed_over_key, failed_over_key]
    for eid in ("drill-1", "drill-3"):  # never in the secondary's archive
        assert delivered(pair, eid) == {PRIMARY: 1, SECONDARY: 0}

    # 6. Destroy of everything: no stack, endpoint, health check or archive left in either Region.
    ok(pair.evrelay("--stack", stack, "destroy", "--yes"))
    for region in (PRIMARY, SECONDARY):
        assert [s["StackName"] for s in live_stacks(pair, region) if s["StackName"].startswith(stack)] == []
        unhooked(pair, stack, region)
        archives = pair.aws("events", region).list_archives()["Archives"]
        assert [a["ArchiveName"] for a in archives if a["EventSourceArn"].endswith(f"/{stack}-bus")] == []
        assert f"{stack}-bus" not in [b["Name"] for b in pair.aws("events", region).list_event_buses()["EventBuses"]]
    assert [e["Name"] for e in pair.aws("events").list_endpoints()["Endpoints"] if e["Name"] == stack] == []
    checks = pair.aws("route53").list_health_checks()["HealthChecks"]
    assert endpoint["RoutingConfig"]["FailoverConfig"]["Primary"]["HealthCheck"].rsplit("/", 1)[-1] \
        not in [c["Id"] for c in checks]


def test_with_replication_both_relays_deliver_each_event_under_one_key(pair, stack):
    deploy_pair(pair, stack, uuid.uuid4().hex, replication=True)

    # The primary takes the event; EventBridge copies it to the secondary's bus, whose relay
    # delivers it to its own app too (eb-global-endpoints.html, "Event replication").
    sent = send_global(pair, stack, "copied-1")
    settle(pair, stack)
    assert delivered(pair, "copied-1") == {PRIMARY: 1, SECONDARY: 1}
    assert sent["response"]["answered_by_region"] == PRIMARY, sent
    # The copy is another event (its own id): only the producer's key ties the two deliveries.
    (east_key,), (west_key,) = (keys_received(pair, r, "copied-1") for r in (PRIMARY, SECONDARY))
    assert east_key == west_key == "order-copied-1"

    # Failed over, the secondary takes it and the primary gets the copy.
    failover(pair, stack, "start")
    sent = send_global(pair, stack, "copied-2")
    settle(pair, stack)
    assert delivered(pair, "copied-2") == {PRIMARY: 1, SECONDARY: 1}
    assert sent["response"]["answered_by_region"] == SECONDARY, sent
    failover(pair, stack, "stop")
