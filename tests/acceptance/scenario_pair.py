"""The acceptance scenario for a relay pair: two Regions behind an EventBridge global endpoint.

    discover in each Region -> deploy --secondary-region (generated secrets) -> send --global
    answered by the primary -> status: the primary is active -> failover start -> status: the
    secondary is active -> send --global answered by the secondary -> failover stop -> answered
    by the primary again -> replay of the secondary's archive (the failed-over event arrives
    again, under the same idempotency key) -> destroy --yes -> the tag scan of both Regions
    finds nothing

Backend-agnostic like scenario.py: every step drives the real binary with `--output json`; the
Backend says what the endpoint in each Region saw (ground truth beside what evrelay reports) and
how long AWS may take. Replication is off: with it both Regions' relays deliver every event,
and "which Region answered" would have two answers.

Route 53's view of the inverted health check is recorded, not asserted: evrelay reads
GetHealthCheckStatus's reports as what the checkers observe before inversion
(src/commands/status/pair/routing.rs, src/commands/failover/drill.rs); no AWS page says so
outright. The run records `status`'s `global_endpoint.health_check` before and after each
failover step (`findings`), so the first real run answers the question; what it asserts is what
the operator sees: the active Region and which Region's endpoint got the event.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from evrelay_cli import Evrelay
from scaffold import Clients, Scaffold
from scenario import _until
from tagscan import Leftover, leftovers_in_regions


class PairBackend:
    """What the pair scenario needs from where it runs. Both scaffolds are already created."""

    name = "?"
    response_timeout = "30s"     # send --return-response's wait
    failover_timeout = "2m"      # failover start|stop's own watch of Route 53
    routing_timeout = 30.0       # after the watch, until events reach the other Region's bus
    replay_delay = 0.0           # archives lag behind the bus (eb-archive.html: wait 10 min)
    replay_timeout = "5m"
    outcome_lag = 0.0            # how long the endpoint's own record of a request may lag
    scan_timeout = 0.0
    poll = 0.5

    def __init__(self, clients: dict[str, Clients], scaffolds: dict[str, Scaffold]):
        self.clients, self.scaffolds = clients, scaffolds

    def after_deploy(self, stack: str) -> None: ...

    def settle(self, stack: str) -> None:
        """Wait until neither Region's relay has anything in flight."""

    def endpoint_outcomes(self, region: str, event_id: str) -> dict[str, int]:
        """What the Region's endpoint itself did with the event (`accepted`, ... counts)."""
        raise NotImplementedError

    def keys_received(self, region: str, event_id: str) -> list[str] | None:
        """The Idempotency-Key of each request the Region's endpoint accepted for the event
        (None: this backend cannot see them)."""
        return None


@dataclass
class PairRun:
    ev: Evrelay
    backend: PairBackend
    stack: str
    primary: str
    secondary: str
    log: object = print
    # What the run observed that it does not assert (Route 53's reports, failover's exit codes).
    findings: list = field(default_factory=list)
    replay_from: str = ""

    def s(self, region: str):
        return self.backend.scaffolds[region].s

    def record(self, what: str, doc) -> None:
        self.findings.append({"step": what, "observed": doc})
        self.log(f"finding [{what}]: {json.dumps(doc, default=str)}")


def expect_outcome(run: PairRun, region: str, eid: str, outcome: str, n: int) -> None:
    b, seen = run.backend, {}

    def probe():
        seen.clear()
        seen.update(b.endpoint_outcomes(region, eid))
        return seen.get(outcome, 0) == n

    try:
        _until(f"{region}'s endpoint records {eid} {outcome} {n}x", b.outcome_lag, max(b.poll, 1.0), probe)
    except AssertionError as e:
        raise AssertionError(f"{e}; it recorded {seen}") from None


# ---- the steps -------------------------------------------------------------------------------

def discover(run: PairRun, region: str) -> dict:
    s = run.s(region)
    d = run.ev.ok("--region", region, "discover", "--vpc-id", s.vpc_id).doc
    assert d["vpc"]["id"] == s.vpc_id, d["vpc"]
    assert set(d["picks"]["subnets"]["ids"]) == set(s.subnet_ids), d["picks"]["subnets"]
    assert d["eventbridge"]["reachable"] is False, d["eventbridge"]
    return d


def deploy(run: PairRun) -> dict:
    """The primary's network explicitly, as the one-Region scenario; the secondary's from
    discover's picks in its VPC (`--secondary-vpc-id`), its URL given."""
    p, s = run.s(run.primary), run.s(run.secondary)
    r = run.ev.ok("deploy", "--vpc-id", p.vpc_id, "--subnet", p.subnet_ids[0], "--subnet", p.subnet_ids[1],
                  "--security-group", p.relay_sg_id, "--url", p.url, "--generate-secret",
                  "--secondary-region", run.secondary, "--secondary-vpc-id", s.vpc_id, "--secondary-url", s.url,
                  "--replication", "off", "--yes", timeout=3600)
    run.backend.after_deploy(run.stack)
    return r.doc


def status(run: PairRun, what: str) -> dict:
    """`status`'s global endpoint section, its health check recorded. A new health check has
    no reports for a while (AWS: until Route 53's checkers first read the alarm): wait until
    status can name the active Region."""
    b, seen = run.backend, {}

    def probe():
        g = run.ev.ok("status", "--no-health").doc["global_endpoint"]
        assert g and (g["primary_region"], g["secondary_region"]) == (run.primary, run.secondary), g
        seen.update(g)
        return g["active_region"] is not None

    try:
        _until(f"status names the active Region ({what})", b.routing_timeout, max(b.poll, 1.0), probe)
    except AssertionError as e:
        run.log(f"{e}: {seen.get('active_region_basis')}")
    g = seen
    run.record(f"status {what}", {"active_region": g["active_region"], "basis": g["active_region_basis"],
                                  "health_check": g["health_check"]})
    return g


def _send(run: PairRun, eid: str) -> dict:
    detail = {"event-id": eid, "idempotency-key": f"order-{eid}"}
    d = run.ev.ok("send", "--global", "--return-response", "--timeout", run.backend.response_timeout,
                  "--detail", json.dumps(detail), timeout=900).doc
    (event,) = d["events"]
    assert event["error_code"] is None, event
    return event


def send_global(run: PairRun, eid: str, to: str) -> dict:
    """`send --global --return-response`: the relay in `to` answers, and only `to`'s endpoint
    got the event. While routing follows the health check (AWS: seconds to minutes after
    Route 53 changes its status), an answer from the other Region is retried with a new event."""
    b, other = run.backend, (run.secondary if to == run.primary else run.primary)
    deadline, attempt = time.monotonic() + b.routing_timeout, 0
    while True:
        attempt += 1
        this = eid if attempt == 1 else f"{eid}-{attempt}"
        event = _send(run, this)
        answer = event.get("response") or {}
        assert answer.get("status") == 200, f"no answer from the endpoint: {event}"
        assert answer["response"]["success"] is True, answer
        by = answer.get("answered_by_region")
        if by == to or time.monotonic() > deadline:
            break
        run.log(f"{this} was answered by {by}, not yet {to}: routing follows the health check; sending again")
        b.settle(run.stack)
    assert by == to, f"{this}: answered by {by} after {b.routing_timeout:.0f}s, expected {to}: {event}"
    if attempt > 1:
        run.record(f"routing to {to}", {"events_answered_elsewhere": attempt - 1})
    b.settle(run.stack)
    expect_outcome(run, to, this, "accepted", 1)
    if attempt == 1:
        expect_outcome(run, other, this, "accepted", 0)
    return {**event, "detail_event_id": this}


def failover(run: PairRun, step: str) -> dict:
    """`failover start|stop --yes`: evrelay's own watch until Route 53 reports the new status.
    Its exit code and report are recorded; the routing is judged by what answers next."""
    r = run.ev("failover", step, "--yes", "--timeout", run.backend.failover_timeout, timeout=3600)
    doc = r.doc if isinstance(r.doc, dict) else {}
    run.record(f"failover {step}", {"exit": r.rc, "routes_to": doc.get("routes_to"), "healthy": doc.get("healthy"),
                                    "inverted": doc.get("inverted"), "reports": doc.get("reports"),
                                    "elapsed_ms": doc.get("elapsed_ms"),
                                    "stderr": r.stderr[-600:] if r.rc else ""})
    return {"rc": r.rc, **doc}


def replay_start(run: PairRun) -> str:
    """The earliest `--from` the secondary's archive allows: its creation, to the next whole
    second (RFC 3339)."""
    events = run.backend.clients[run.secondary]("events")
    bus = events.describe_event_bus(Name=f"{run.stack}-bus")["Arn"]
    (archive,) = events.list_archives(EventSourceArn=bus)["Archives"]
    made = archive["CreationTime"].timestamp()
    run.replay_from = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(made) + 1))
    return run.replay_from


def replay(run: PairRun, failed_over: dict) -> dict:
    """The secondary's archive replayed to its bus: the failed-over event is delivered again,
    in the secondary, under the key it first had."""
    b, eid = run.backend, failed_over["detail_event_id"]
    if b.replay_delay:
        run.log(f"waiting {b.replay_delay:.0f}s before the replay: events reach an archive late (eb-archive.html)")
        time.sleep(b.replay_delay)
    d = run.ev.ok("replay", "--from", run.replay_from, "--timeout", b.replay_timeout, "--yes", timeout=3600).doc
    assert (d["state"], d["region"]) == ("COMPLETED", run.secondary), d
    b.settle(run.stack)
    expect_outcome(run, run.secondary, eid, "accepted", 2)
    expect_outcome(run, run.primary, eid, "accepted", 0)
    keys = b.keys_received(run.secondary, eid)
    if keys is not None:
        assert keys == [f"order-{eid}"] * 2, keys
    return d


def destroy(run: PairRun) -> dict:
    args = ["destroy", "--yes"]
    if run.ev.supports("destroy", "--delete-endpoints"):
        args.append("--delete-endpoints")
    r = run.ev(*args, timeout=3 * 3600)
    if r.rc != 0 and run.ev.supports("destroy", "--delete-failed-events"):
        r = run.ev(*args, "--delete-failed-events", timeout=3 * 3600)
    assert r.rc == 0, r.explain()
    return r.doc


def nothing_left(run: PairRun) -> list[Leftover]:
    b, found = run.backend, []
    p = run.s(run.primary)
    vpcs = {region: sc.s.vpc_id for region, sc in b.scaffolds.items()}
    # With replication on, the endpoint stack makes `<stack>-replication` (src/names.rs).
    roles = tuple(sc.s.role_name for sc in b.scaffolds.values() if sc.s.role_name) + (f"{run.stack}-replication",)

    def probe():
        found[:] = leftovers_in_regions(b.clients, run.stack, p.run_id, vpcs, roles)
        return not found

    try:
        _until("the tag scan of both Regions finds nothing", b.scan_timeout,
               max(b.poll, 5.0) if b.scan_timeout else 0, probe)
    except AssertionError:
        pass
    return found


def play(run: PairRun) -> None:
    """The pair scenario up to and including destroy (the caller tears down and scans).
    What it records but does not assert is checked last, so a real run goes the whole way."""
    for region in (run.primary, run.secondary):
        discover(run, region)
    deploy(run)
    replay_start(run)
    first = status(run, "after deploy")
    send_global(run, f"{run.stack}-primary", run.primary)

    started = failover(run, "start")
    view = status(run, "after failover start")
    failed_over = send_global(run, f"{run.stack}-failed-over", run.secondary)

    stopped = failover(run, "stop")
    back = status(run, "after failover stop")
    send_global(run, f"{run.stack}-failed-back", run.primary)

    replay(run, failed_over)
    destroy(run)
    # What the operator was told, checked after the ground truth so every finding is in.
    assert first["active_region"] == run.primary, first
    assert (started["rc"], started.get("routes_to")) == (0, run.secondary), started
    assert view["active_region"] == run.secondary, view
    assert (stopped["rc"], stopped.get("routes_to")) == (0, run.primary), stopped
    assert back["active_region"] == run.primary, back
