"""Buffered delivery end to end (issue 22's "Done when"): the real evrelay binary deploys a
buffered relay, a burst reaches a slow app at most --max-concurrency at a time, a failed event is
redriven from the DLQ back to the buffer, and switching back to direct delivery or destroying
the stack is refused while the buffer holds a backlog, then allowed once it has drained.

    cargo build && .venv/bin/python -m pytest tests/sandbox/test_e2e_buffered.py -q

The sandbox plays the event source mapping (esm_poller.py) for a hooked buffered stack. As in
test_e2e.py, each step asserts the exit code, what the command prints or returns as JSON, and
ground truth: the app's counters and moto's queues.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone

import pytest

from test_e2e import (  # noqa: F401 - `sandbox` is a fixture
    assert_destroyed, deploy, dlq_depth, ok, pytestmark, queue_url, sandbox,
)
from test_sandbox import wait_for


@pytest.fixture
def stack(sandbox):
    """A fresh stack name, destroyed afterwards whatever happened (a backlog included)."""
    name = f"e2eb-{uuid.uuid4().hex[:6]}"
    sandbox.control(mode="ok", reset=True, api_key=None, stack=None, secret_id=None, delay_seconds=0)
    yield name
    sandbox.control(delay_seconds=0)
    cfn = sandbox.client("cloudformation")
    if [s for s in cfn.describe_stacks()["Stacks"] if s["StackName"] == name]:
        sandbox.evrelay("--stack", name, "destroy", "--yes", "--delete-failed-events", "--delete-buffered-events")


def deploy_buffered(sandbox, stack, key):
    return deploy(sandbox, stack, key, "--delivery", "buffered", "--max-concurrency", "2")


def send_burst(sandbox, stack, count) -> dict[str, str]:
    """`evrelay send --count N`: the EventBridge id of each event, by its detail's event-id."""
    r = ok(sandbox.evrelay("--stack", stack, "--output", "json", "send", "--count", str(count)))
    doc = json.loads(r.stdout)
    assert doc["summary"]["sent"] == count and doc["summary"]["failed"] == 0, doc["summary"]
    return {e["detail_event_id"]: e["event_id"] for e in doc["events"]}


def buffer_depth(sandbox, stack) -> int:
    """Visible + in flight + delayed: everything the buffer still holds."""
    a = sandbox.client("sqs").get_queue_attributes(QueueUrl=queue_url(sandbox, f"{stack}-buffer"), AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed"])["Attributes"]
    return sum(int(v) for v in a.values())


def accepted(sandbox, event_ids) -> bool:
    by_event = sandbox.stats()["by_event_id"]
    return all(by_event.get(e, {}).get("accepted") for e in event_ids)


def mapping_uuid(sandbox, stack) -> str:
    (m,) = sandbox.client("lambda").list_event_source_mappings(FunctionName=f"{stack}-relay")["EventSourceMappings"]
    return m["UUID"]


def status_json(sandbox, stack) -> dict:
    return json.loads(ok(sandbox.evrelay("--stack", stack, "--output", "json", "status")).stdout)


# ---- 1. a burst, at most --max-concurrency at a time ----------------------------------------------

def test_a_burst_reaches_a_slow_app_at_most_two_at_a_time(sandbox, stack):
    deploy_buffered(sandbox, stack, uuid.uuid4().hex)
    doc = status_json(sandbox, stack)
    assert doc["delivery"] == "buffered", doc
    assert doc["mapping"]["maximum_concurrency"] == 2, doc["mapping"]
    assert doc["mapping"]["state"] == "Enabled", doc["mapping"]

    sandbox.control(delay_seconds=0.2)  # a slow app: each request takes 0.2 s
    ids = send_burst(sandbox, stack, 30)
    assert len(ids) == 30
    wait_for(lambda: accepted(sandbox, ids), timeout=90, what="every event of the burst accepted")
    sandbox.cli("wait-idle", "--stack", stack)

    st = sandbox.stats()
    assert {e: st["by_event_id"][e] for e in ids} == {e: {"received": 1, "accepted": 1} for e in ids}
    assert 1 <= st["max_in_flight"] <= 2, st["max_in_flight"]
    # Each event arrived under its own EventBridge id (the relay's Idempotency-Key).
    for req in st["last_requests"]:
        assert req["idempotency_key"] == ids[req["event_id"]], req
    (mapping,) = sandbox.cli("status")["stacks"][stack]["mappings"].values()
    assert mapping["max_in_flight"] <= 2, mapping
    assert dlq_depth(sandbox, stack) == 0
    assert buffer_depth(sandbox, stack) == 0

    doc = status_json(sandbox, stack)
    assert doc["backlog"]["visible"] == 0 and doc["backlog"]["in_flight"] == 0, doc["backlog"]


# ---- 2. redrive: from the DLQ back to the buffer --------------------------------------------------

def test_a_redriven_event_goes_back_through_the_buffer_with_its_id(sandbox, stack):
    deploy_buffered(sandbox, stack, uuid.uuid4().hex)
    # What SQS moves to the DLQ after maxReceiveCount receives: the message as the rule put it on
    # the buffer, i.e. the original EventBridge event. Put there directly: a real redrive takes
    # MaxReceiveCount (5) x the visibility timeout (6 x the function timeout) — test_buffered_delivery.py
    # walks that slow path with a really failing record and a shortened timeout.
    event_id = str(uuid.uuid4())
    event = {
        "version": "0", "id": event_id, "detail-type": "inbound-event-sent", "source": "eventProducerApp",
        "account": "123456789012", "time": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": "us-east-1", "resources": [], "detail": {"event-id": "dead-1"},
    }
    sandbox.client("sqs").send_message(QueueUrl=queue_url(sandbox, f"{stack}-dlq"), MessageBody=json.dumps(event))
    assert dlq_depth(sandbox, stack) == 1

    r = ok(sandbox.evrelay("--stack", stack, "dlq", "peek"))
    assert event_id in r.stdout, r.stdout
    assert dlq_depth(sandbox, stack) == 1  # peek consumes nothing

    r = ok(sandbox.evrelay("--stack", stack, "dlq", "redrive", "--yes"))
    wait_for(lambda: accepted(sandbox, ["dead-1"]), timeout=60, what="the redriven event accepted")
    sandbox.cli("wait-idle", "--stack", stack)
    st = sandbox.stats()
    assert st["by_event_id"]["dead-1"] == {"received": 1, "accepted": 1}, (st["by_event_id"], r.stdout)
    (delivered,) = [q for q in st["last_requests"] if q["event_id"] == "dead-1"]
    assert delivered["idempotency_key"] == event_id  # the same EventBridge id: SQS moved the message
    # The sandbox's mapping delivered it (not a re-send through the bus and the tap).
    (mapping,) = sandbox.cli("status")["stacks"][stack]["mappings"].values()
    assert mapping["invocations"] >= 1, mapping
    assert dlq_depth(sandbox, stack) == 0
    assert buffer_depth(sandbox, stack) == 0


# ---- 3. switching back, and destroying, with a backlog --------------------------------------------

def test_a_backlog_blocks_switching_to_direct_and_destroy_until_it_drains(sandbox, stack):
    key = uuid.uuid4().hex
    deploy_buffered(sandbox, stack, key)

    # Nothing feeds the relay: the operator disables the mapping (the sandbox's poller stops as
    # Lambda's does). Wait until no poller thread can still receive before filling the buffer.
    lam = sandbox.client("lambda")
    esm = mapping_uuid(sandbox, stack)
    lam.update_event_source_mapping(UUID=esm, Enabled=False)

    def stopped():
        (m,) = sandbox.cli("status")["stacks"][stack]["mappings"].values()
        return not m["enabled"] and m["polling"] == 0
    wait_for(stopped, what="the sandbox's mapping stopped polling")
    assert status_json(sandbox, stack)["mapping"]["state"] == "Disabled"

    ids = send_burst(sandbox, stack, 5)
    wait_for(lambda: buffer_depth(sandbox, stack) == 5, what="5 events in the buffer")

    # Back to direct delivery: refused, naming the backlog; nothing changes.
    r = sandbox.evrelay("--stack", stack, "deploy", "--cluster", "events", "--url", sandbox.url,
                        "--secret-stdin", "--yes", "--delivery", "direct", stdin=key)
    assert r.returncode == 1, f"exit {r.returncode}\n{r.stdout}\n{r.stderr}"
    assert f"its buffer {stack}-buffer holds 5 events" in r.stderr, r.stderr
    assert buffer_depth(sandbox, stack) == 5
    assert status_json(sandbox, stack)["delivery"] == "buffered"

    # Destroy under --yes: refused, the stack stays, the backlog with it.
    r = sandbox.evrelay("--stack", stack, "destroy", "--yes")
    assert r.returncode == 1, f"exit {r.returncode}\n{r.stdout}\n{r.stderr}"
    assert "--delete-buffered-events" in r.stderr, r.stderr
    (s,) = sandbox.client("cloudformation").describe_stacks(StackName=stack)["Stacks"]
    assert s["StackStatus"].endswith("_COMPLETE") and not s["StackStatus"].startswith("DELETE"), s["StackStatus"]
    assert buffer_depth(sandbox, stack) == 5

    # The mapping enabled again: the backlog drains to the app.
    lam.update_event_source_mapping(UUID=esm, Enabled=True)
    wait_for(lambda: accepted(sandbox, ids), timeout=60, what="the backlog delivered")
    sandbox.cli("wait-idle", "--stack", stack)
    st = sandbox.stats()
    assert {e: st["by_event_id"][e] for e in ids} == {e: {"received": 1, "accepted": 1} for e in ids}
    assert buffer_depth(sandbox, stack) == 0

    # Now the switch goes through, and direct delivery delivers.
    deploy(sandbox, stack, key, "--delivery", "direct")
    assert status_json(sandbox, stack)["delivery"] == "direct"
    assert lam.list_event_source_mappings(FunctionName=f"{stack}-relay")["EventSourceMappings"] == []
    r = ok(sandbox.evrelay("--stack", stack, "send", "--detail", json.dumps({"event-id": "direct-1"})))
    wait_for(lambda: accepted(sandbox, ["direct-1"]), what="an event delivered directly")

    ok(sandbox.evrelay("--stack", stack, "destroy", "--yes"))
    wait_for(lambda: stack not in sandbox.cli("status")["stacks"], what="the sandbox unhooked the stack")
    assert_destroyed(sandbox, stack)
