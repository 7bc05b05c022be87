"""The relay pair's acceptance run on a real account: real_account.py with --secondary-region.

    EVRELAY_ACCEPTANCE=1 AWS_PROFILE=sandbox .venv/bin/python tests/acceptance/real_account.py \\
        --region us-east-1 --secondary-region us-west-2 [--yes]
    ... real_account.py --cleanup /tmp/evacc-…/pair.json          # finish a dead pair run

The same shape as the one-Region run: the plan with its cost, a question, the scaffolding in
both Regions (one run id, one tag value), scenario_pair.py, and on every exit the cleanup:
`evrelay destroy` of the pair, a per-Region destroy of whatever relay is still there, both
scaffolds, and the tag scan of both Regions. The state file `pair.json` names both Regions'
scaffold state files, so `--cleanup pair.json` cleans both. Route 53's reports on the inverted
health check are written to `findings.json` beside it (see scenario_pair.py: the open question
the first real run answers).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
import traceback
import uuid
from datetime import datetime, timezone

import real_account as ra
import scenario_pair
from cost import pair_plan_text
from evrelay_cli import Evrelay, evrelay_env
from real_account import say
from sandbox_code import evrelay_bin
from scaffold import TAG_KEY, Clients, Scaffold, ScaffoldState
from tagscan import pair_stacks

CLEANUP_DEADLINE = 100 * 60  # each Region's relay may wait ~45 min on Lambda's VPC interfaces


class RealPairBackend(scenario_pair.PairBackend):
    name = "aws"
    response_timeout = "2m"      # a cold VPC function's first invocation
    # Route 53's checkers read the alarm every 10-30 s (failover's help); generous on purpose.
    failover_timeout = "15m"
    routing_timeout = 10 * 60.0  # then EventBridge routes by the health check's new status
    replay_delay = 10 * 60.0     # eb-archive.html: "delay replaying archived events for 10 minutes"
    replay_timeout = "30m"
    outcome_lag = 90.0           # CloudWatch Logs makes a line searchable within seconds, mostly
    scan_timeout = 5 * 60.0      # the Tagging API lags behind deletes
    poll = 10.0

    def after_deploy(self, stack: str) -> None:
        for region, sc in self.scaffolds.items():
            sc.configure_target(secret_arn=ra.secret_arn(self.clients[region], stack))

    def endpoint_outcomes(self, region: str, event_id: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for line in ra.target_lines(self.clients[region], self.scaffolds[region].s.log_group, event_id):
            counts[line["outcome"]] = counts.get(line["outcome"], 0) + 1
        return counts

    def keys_received(self, region: str, event_id: str) -> list[str]:
        return [line.get("idempotency-key") for line in
                ra.target_lines(self.clients[region], self.scaffolds[region].s.log_group, event_id)
                if line["outcome"] == "accepted"]


def any_stack(run: scenario_pair.PairRun, region: str) -> bool:
    c = run.backend.clients[region]
    return any(ra.stack_exists(c, name) for name in pair_stacks(run.stack))


def cleanup(run: scenario_pair.PairRun, deadline_seconds: float = CLEANUP_DEADLINE) -> list:
    """evrelay destroy of the pair, then of whatever relay a Region still has, then both
    scaffolds, then the tag scan of both Regions. Returns the leftovers."""
    start, b = time.monotonic(), run.backend
    say("cleanup: evrelay's stacks first (the pair, then each Region), then both scaffolds")
    if any_stack(run, run.primary) or any_stack(run, run.secondary):
        try:
            scenario_pair.destroy(run)
        except Exception as e:  # noqa: BLE001 - the scaffolding must still go (a signal is not an Exception)
            say(f"cleanup: evrelay destroy of the pair did not finish: {str(e)[:2000]}")
    # The primary first: from there evrelay destroys whatever is left of the pair (it finds the
    # secondary from the endpoint stack), while a destroy in the secondary is refused as long as
    # the pair's archive stack is there.
    for region in (run.primary, run.secondary):
        if ra.stack_exists(b.clients[region], run.stack):
            r = run.ev("--region", region, "destroy", "--yes", "--delete-endpoints", "--delete-failed-events",
                       timeout=3600)
            if r.rc != 0:
                say(f"cleanup: evrelay --region {region} destroy did not finish:\n{r.explain()[:2000]}")
    for region, sc in b.scaffolds.items():
        left = sc.teardown(max(60.0, deadline_seconds - (time.monotonic() - start)))
        for what, cmd in left:
            say(f"cleanup: could not remove {what} in {region}\n    remove: {cmd}")
    return scenario_pair.nothing_left(run)


def report(left: list, run: scenario_pair.PairRun) -> None:
    rid = run.s(run.primary).run_id
    if left:
        say("left behind:\n" + "\n".join(f"  {x}" for x in left))
        for region in (run.primary, run.secondary):
            say(f"Find anything else by tag: aws resourcegroupstaggingapi get-resources --region {region} "
                f"--tag-filters Key={TAG_KEY},Values={rid}  (and Key=evrelay:stack,Values={run.stack})")
    else:
        say(f"nothing left: the tag scan of {run.primary} and {run.secondary} for {TAG_KEY}={rid} and "
            f"evrelay:stack={run.stack}, the VPCs' endpoints, groups and interfaces, CloudFormation's stacks, "
            "the global endpoint, the archive, the alarm and the Route 53 health check found nothing")


def write_findings(run: scenario_pair.PairRun, path: str) -> None:
    with open(path, "w") as f:
        json.dump({"stack": run.stack, "primary": run.primary, "secondary": run.secondary,
                   "findings": run.findings}, f, indent=2, default=str)
    say(f"findings (Route 53's reports around the failover drill) in {path}")


def _scaffold(clients: Clients, run_id: str, region: str, primary: str, path: str, poll: float) -> Scaffold:
    # IAM is global: the secondary's target role is named after its Region.
    state = ScaffoldState(run_id=run_id, region=region,
                          role_name="" if region == primary else f"{run_id}-target-{region}")
    return Scaffold(clients, state, path, log=say, poll=poll)


def main(args, session_for, aws_env: dict, region: str) -> int:
    poll = 2.0 if args.endpoint_url else 10.0
    if args.cleanup:
        with open(args.cleanup) as f:
            state = json.load(f)
        run_dir = os.path.dirname(os.path.abspath(args.cleanup))
        primary, secondary, stack = state["primary"], state["secondary"], state["stack"]
        clients = {r: Clients(session_for(r), endpoint_url=args.endpoint_url) for r in (primary, secondary)}
        scaffolds = {r: Scaffold.load(clients[r], os.path.join(run_dir, p), log=say, poll=poll)
                     for r, p in state["scaffolds"].items()}
        pair_path = args.cleanup
    else:
        primary, secondary = region, args.secondary_region
        if secondary == primary:
            say(f"--secondary-region {secondary} is the primary Region: a relay pair needs two Regions.")
            return 2
        clients = {r: Clients(session_for(r), endpoint_url=args.endpoint_url) for r in (primary, secondary)}
        who = clients[primary]("sts").get_caller_identity()
        stack = f"evacc-{datetime.now(timezone.utc):%m%d%H%M}-{uuid.uuid4().hex[:4]}"
        say(pair_plan_text(account=who["Account"], arn=who["Arn"], primary=primary, secondary=secondary, run_id=stack))
        try:
            go = ra.confirm(args.yes)
        except (KeyboardInterrupt, EOFError):
            go = False
        if not go:
            say("\nCancelled: nothing was created.")
            return 1
        run_dir = args.run_dir or tempfile.mkdtemp(prefix=f"{stack}-")
        os.makedirs(run_dir, exist_ok=True)
        files = {r: f"scaffold-{r}.json" for r in (primary, secondary)}
        pair_path = os.path.join(run_dir, "pair.json")
        with open(pair_path, "w") as f:  # before anything exists: it names where each Region's ids go
            json.dump({"stack": stack, "primary": primary, "secondary": secondary, "scaffolds": files}, f, indent=2)
        scaffolds = {r: _scaffold(clients[r], stack, r, primary, os.path.join(run_dir, files[r]), poll)
                     for r in (primary, secondary)}
        say(f"run {stack}: state in {pair_path}. If this machine dies, finish the cleanup with\n"
            f"    .venv/bin/python tests/acceptance/real_account.py --cleanup {pair_path}\n"
            f"or remove by hand what carries the tag {TAG_KEY}={stack} in {primary} and {secondary} "
            "(README: 'Cleaning up by hand').")

    ev = Evrelay(evrelay_bin(), evrelay_env(aws_env, os.path.join(run_dir, "evrelay.toml")), stack, log=say)
    backend = RealPairBackend(clients, scaffolds)
    if args.endpoint_url:
        backend.failover_timeout, backend.replay_timeout = "1m", "1m"
        backend.routing_timeout = backend.replay_delay = backend.scan_timeout = backend.outcome_lag = 0.0
        backend.poll = 1.0
    run = scenario_pair.PairRun(ev, backend, stack, primary, secondary, log=say)
    signals = ra.Signals()
    passed, t0 = False, time.monotonic()
    try:
        if not args.cleanup:
            for sc in scaffolds.values():
                sc.create()
            say(f"scaffolding ready in {primary} and {secondary}; the pair scenario starts. Timeouts: "
                f"failover's watch {backend.failover_timeout}, routing after it {backend.routing_timeout:.0f}s, "
                f"a {backend.replay_delay:.0f}s wait before the replay (archives lag), the replay {backend.replay_timeout}")
            scenario_pair.play(run)
            passed = True
            say(f"pair scenario passed in {time.monotonic() - t0:.0f}s")
    except ra.Interrupted as e:
        say(f"\n{e}: stopping the scenario")
    except KeyboardInterrupt:
        say("\nSIGINT: stopping the scenario")
    except BaseException:  # noqa: BLE001 - every failure still cleans up
        say("the scenario failed:\n" + traceback.format_exc(limit=6))
    finally:
        signals.cleaning = True
        if run.findings:
            write_findings(run, os.path.join(run_dir, "findings.json"))
        try:
            left = cleanup(run)
        except BaseException:  # noqa: BLE001 - abandoned or broken: say what may be left
            say("cleanup stopped:\n" + traceback.format_exc(limit=4))
            left = ["unknown"]
            say(f"Find what is left by tag in {primary} and {secondary}: aws resourcegroupstaggingapi get-resources "
                f"--region R --tag-filters Key={TAG_KEY},Values={stack}; finish with --cleanup {pair_path}")
        else:
            report(left, run)
    say(f"total {time.monotonic() - t0:.0f}s")
    return 0 if (passed or args.cleanup) and not left else 1
