"""The acceptance scenario: evrelay's commands in the tutorial's order, one backend or the other.

    discover -> deploy (generated secret) -> send --return-response -> an event the endpoint
    refuses -> it lands in the DLQ -> dlq peek shows it -> the endpoint accepts again ->
    dlq redrive -> delivered -> destroy --yes -> the tag scan finds nothing

Every step drives the real binary with `--output json` and asserts on its exit code and JSON.
What differs between a real account and the emulator lives in a Backend: how the endpoint is
told to refuse, what happens right after deploy (the sandbox hooks the stack; on AWS the
target learns the secret's ARN), and how long AWS may take.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from evrelay_cli import Evrelay
from scaffold import Clients, Scaffold
from tagscan import Leftover, leftovers


class Backend:
    """What the scenario needs from where it runs. `scaffold` is already created."""

    name = "?"
    dlq_timeout = 60.0          # until a refused event is in the DLQ (Lambda: ~3 min of retries)
    deliver_timeout = 60.0      # until a redriven event is delivered and logged
    response_timeout = "30s"    # send --return-response's wait
    scan_timeout = 0.0          # how long the Tagging API may lag behind deletes
    outcome_lag = 0.0           # how long the endpoint's own record of a request may lag
    poll = 0.5

    def __init__(self, clients: Clients, scaffold: Scaffold):
        self.clients, self.scaffold = clients, scaffold

    def after_deploy(self, stack: str) -> None: ...

    def refuse(self, on: bool) -> None:
        raise NotImplementedError

    def endpoint_outcomes(self, event_id: str) -> dict[str, int]:
        """What the endpoint itself did with the event (`accepted`, `refused`, ... counts)."""
        raise NotImplementedError


@dataclass
class Run:
    ev: Evrelay
    backend: Backend
    stack: str
    log: object = print
    event_ids: dict[str, str] = field(default_factory=dict)

    @property
    def s(self):
        return self.backend.scaffold.s


def _until(what: str, timeout: float, poll: float, probe):
    deadline = time.monotonic() + timeout
    while True:
        got = probe()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting until {what}")
        time.sleep(poll)


def expect_outcome(run: Run, eid: str, outcome: str, n: int) -> None:
    """The endpoint itself saw the event `n` times with this outcome (ground truth beside
    what evrelay reports)."""
    b, seen = run.backend, {}

    def probe():
        seen.clear()
        seen.update(b.endpoint_outcomes(eid))
        return seen.get(outcome) == n

    try:
        _until(f"the endpoint records {eid} {outcome} {n}x", b.outcome_lag, max(b.poll, 1.0), probe)
    except AssertionError as e:
        raise AssertionError(f"{e}; it recorded {seen}") from None


# ---- the steps -------------------------------------------------------------------------------

def discover(run: Run) -> dict:
    d = run.ev.ok("discover", "--vpc-id", run.s.vpc_id).doc
    assert d["vpc"]["id"] == run.s.vpc_id, d["vpc"]
    assert set(d["picks"]["subnets"]["ids"]) == set(run.s.subnet_ids), d["picks"]["subnets"]
    # No NAT in the throwaway VPC: EventBridge is reachable only through an endpoint deploy makes.
    assert d["eventbridge"]["reachable"] is False, d["eventbridge"]
    return d


def deploy(run: Run) -> dict:
    s = run.s
    r = run.ev.ok("deploy", "--vpc-id", s.vpc_id, "--subnet", s.subnet_ids[0], "--subnet", s.subnet_ids[1],
                  "--security-group", s.relay_sg_id, "--url", s.url, "--generate-secret", "--yes", timeout=1800)
    (plan,) = r.of_type("changeset")
    assert {e["service"]: e["action"] for e in plan["endpoints"]} == {"secretsmanager": "create", "events": "create"}, plan["endpoints"]
    statuses = [e["status"] for e in r.of_type("event") if e.get("logical_id") == run.stack]
    assert statuses and statuses[-1] in ("CREATE_COMPLETE", "UPDATE_COMPLETE"), r.explain()
    run.backend.after_deploy(run.stack)
    return r.doc


def round_trip(run: Run) -> dict:
    eid = run.event_ids["round_trip"] = f"{run.stack}-round-trip"
    d = run.ev.ok("send", "--return-response", "--timeout", run.backend.response_timeout,
                  "--detail", json.dumps({"event-id": eid}), timeout=600).doc
    (event,) = d["events"]
    assert event["detail_event_id"] == eid and event["error_code"] is None, event
    answer = event.get("response") or {}
    assert answer.get("status") == 200, f"no answer from the endpoint: {d}"
    assert answer["response"]["success"] is True, answer
    assert answer["response"]["message"] == f"Event id {eid} received.", answer
    assert d["responses"]["received"] == 1 and d["responses"]["missing"] == 0, d["responses"]
    expect_outcome(run, eid, "accepted", 1)
    return event


def failing_event(run: Run) -> str:
    run.backend.refuse(True)
    eid = run.event_ids["refused"] = f"{run.stack}-refused"
    (event,) = run.ev.ok("send", "--detail", json.dumps({"event-id": eid})).doc["events"]
    assert event["error_code"] is None, event
    return event["event_id"]


def _dlq_record(run: Run, eid: str) -> dict | None:
    d = run.ev.ok("dlq", "peek").doc
    return next((rec for rec in d["records"] if rec.get("detail_event_id") == eid), None)


def wait_in_dlq(run: Run) -> dict:
    eid, b = run.event_ids["refused"], run.backend
    rec = _until(f"event {eid} is in the DLQ", b.dlq_timeout, max(b.poll, 1.0), lambda: _dlq_record(run, eid))
    assert rec["condition"] == "RetriesExhausted", rec
    assert rec["attempts"] == 3, rec  # the first try and the template's two retries
    assert "success false" in rec["error"], rec["error"]
    expect_outcome(run, eid, "refused", 3)
    return rec


def peek_shows_it(run: Run, rec: dict) -> None:
    """A second peek shows the same record: peek consumes nothing."""
    again = _dlq_record(run, run.event_ids["refused"])
    assert again and again["message_id"] == rec["message_id"], again


def redrive(run: Run) -> dict:
    run.backend.refuse(False)
    d = run.ev.ok("dlq", "redrive", "--yes").doc
    assert [r["detail_event_id"] for r in d["resent"]] == [run.event_ids["refused"]], d
    assert d["failed"] == [] and d["delete_failures"] == [], d
    return d


def _delivered_line(run: Run, eid: str) -> dict | None:
    for doc in run.ev.ok("logs", "--since", "1h").docs:
        msg = doc.get("message") if isinstance(doc, dict) else None
        if doc.get("source") == "relay" and isinstance(msg, dict) and msg.get("event-id") == eid \
                and msg.get("outcome") == "delivered":
            return doc
    return None


def wait_delivered(run: Run) -> dict:
    eid, b = run.event_ids["refused"], run.backend
    line = _until(f"the relay logs event {eid} as delivered", b.deliver_timeout, max(b.poll, 2.0),
                  lambda: _delivered_line(run, eid))
    expect_outcome(run, eid, "accepted", 1)
    assert _dlq_record(run, eid) is None, "the redriven event is still in the DLQ"
    return line


def destroy(run: Run) -> dict:
    """`destroy --yes`. In the throwaway VPC nothing else needs evrelay's endpoints, so they
    go too (`--delete-endpoints` where this build has it). A destroy that refuses while the
    DLQ holds failed events is retried with `--delete-failed-events` where it exists."""
    args = ["destroy", "--yes"]
    if run.ev.supports("destroy", "--delete-endpoints"):
        args.append("--delete-endpoints")
    r = run.ev(*args, timeout=3600)
    if r.rc != 0 and run.ev.supports("destroy", "--delete-failed-events"):
        r = run.ev(*args, "--delete-failed-events", timeout=3600)
    assert r.rc == 0, r.explain()
    (result,) = r.of_type("result") or [r.doc]
    assert result.get("stack_deleted") is True, result
    assert not result.get("endpoints_kept") and not result.get("endpoints_handed_over"), result
    return result


def nothing_left(run: Run) -> list[Leftover]:
    b = run.backend
    found: list[Leftover] = []

    def probe():
        found[:] = leftovers(b.clients, run.stack, b.scaffold.s.run_id, b.scaffold.s.vpc_id,
                             role_names=(b.scaffold.s.role_name,) if b.scaffold.s.role_name else ())
        return not found

    try:
        _until("the tag scan finds nothing", b.scan_timeout, max(b.poll, 5.0) if b.scan_timeout else 0, probe)
    except AssertionError:
        pass
    return found


def format_leftovers(left: list[Leftover]) -> str:
    return "left behind:\n" + "\n".join(f"  {x}" for x in left)


def play(run: Run) -> None:
    """The scenario up to and including destroy (the caller tears down and scans)."""
    discover(run)
    deploy(run)
    round_trip(run)
    failing_event(run)
    rec = wait_in_dlq(run)
    peek_shows_it(run, rec)
    redrive(run)
    wait_delivered(run)
    destroy(run)
