#!/usr/bin/env python3
"""The acceptance run on a real AWS account (terraform-provider-aws's TF_ACC pattern).

    EVRELAY_ACCEPTANCE=1 AWS_PROFILE=sandbox AWS_REGION=us-east-1 \\
        .venv/bin/python tests/acceptance/real_account.py [--yes]
    .venv/bin/python tests/acceptance/real_account.py --cleanup STATE.json   # finish a dead run
    ... real_account.py --region us-east-1 --secondary-region us-west-2      # a relay pair
                                                        # (real_account_pair.py, scenario_pair.py)

Prints what it will create, the expected cost and duration, and asks (or takes --yes). Then:
scaffolding (scaffold.py), the scenario (scenario.py) and, on every exit — success, failure,
exception, Ctrl-C, SIGTERM, SIGHUP — the cleanup: `evrelay destroy` if the stack is still
there, the scaffolding in dependency order (retrying what Lambda's and the ALB's network
interfaces still hold, up to a deadline), and the tag scan. Exit 0 only when the scenario
passed and nothing is left; whatever is left is listed with the command that removes it.

`--endpoint-url` (loopback only) points everything at an emulator: the tests use it to check
the cleanup on SIGTERM without an account.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import signal
import sys
import tempfile
import time
import traceback
import urllib.parse
import uuid
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
for p in (HERE, os.path.join(HERE, "..", "sandbox")):
    if p not in sys.path:
        sys.path.insert(0, p)

import boto3  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

import scenario  # noqa: E402
from cost import plan_text  # noqa: E402
from evrelay_cli import Evrelay, evrelay_env  # noqa: E402
from sandbox_code import evrelay_bin  # noqa: E402
from scaffold import TAG_KEY, Clients, Scaffold, ScaffoldState  # noqa: E402

CLEANUP_DEADLINE = 50 * 60  # the stack's destroy may wait ~45 min on Lambda's VPC interfaces


def say(msg: str) -> None:
    print(msg, flush=True)


class Interrupted(BaseException):
    """SIGTERM/SIGHUP (and Ctrl-C) as an exception, so every `finally` runs."""


class Signals:
    """While the scenario runs, a signal stops it (then cleanup runs). During cleanup the first
    signal only says the cleanup goes on; a second abandons it (what is left is still listed)."""

    def __init__(self):
        self.cleaning = False
        self.during_cleanup = 0
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, self._handle)

    def _handle(self, signum, _frame):
        name = signal.Signals(signum).name
        if not self.cleaning:
            raise Interrupted(name)
        self.during_cleanup += 1
        if self.during_cleanup == 1:
            say(f"\n{name}: the cleanup goes on so nothing is left to pay for; send it again to abandon it")
            return
        raise Interrupted(name)


class RealBackend(scenario.Backend):
    name = "aws"
    dlq_timeout = 15 * 60       # Lambda's two async retries wait ~1 and ~2 min, plus delivery
    deliver_timeout = 10 * 60
    response_timeout = "2m"     # a cold VPC function's first invocation
    scan_timeout = 5 * 60       # the Tagging API lags behind deletes
    outcome_lag = 90.0          # CloudWatch Logs makes a line searchable within seconds, mostly
    poll = 10.0

    def after_deploy(self, stack: str) -> None:
        self.scaffold.configure_target(secret_arn=secret_arn(self.clients, stack))

    def refuse(self, on: bool) -> None:
        self.scaffold.configure_target(refuse=on)

    def endpoint_outcomes(self, event_id: str) -> dict[str, int]:
        """The target function's own log lines for the event, by outcome."""
        counts: dict[str, int] = {}
        for line in target_lines(self.clients, self.scaffold.s.log_group, event_id):
            counts[line["outcome"]] = counts.get(line["outcome"], 0) + 1
        return counts


def target_lines(clients: Clients, log_group: str, event_id: str) -> list[dict]:
    """The target function's own log lines (target_app.py) for one event, oldest first."""
    logs, out = clients("logs"), []
    kw = {"logGroupName": log_group, "filterPattern": f'"{event_id}"'}
    while True:
        page = logs.filter_log_events(**kw)
        for e in page.get("events", []):
            try:
                line = json.loads(e["message"])
            except ValueError:
                continue
            if isinstance(line, dict) and line.get("event-id") == event_id:
                out.append(line)
        if not page.get("nextToken"):
            return out
        kw["nextToken"] = page["nextToken"]


def is_pair_state(path: str) -> bool:
    """A relay pair's state file (real_account_pair.py) names a scaffold per Region."""
    try:
        with open(path) as f:
            return "scaffolds" in json.load(f)
    except (OSError, ValueError):
        return False


def secret_arn(clients: Clients, stack: str, wait: float = 60.0) -> str:
    """The relay's own secret (the template names it `<stack>-api-key`), by ARN: the target
    reads it at run time; the key never passes through here."""
    sm, deadline = clients("secretsmanager"), time.monotonic() + wait
    while True:
        try:
            return sm.describe_secret(SecretId=f"{stack}-api-key")["ARN"]
        except ClientError as e:
            if e.response["Error"]["Code"] != "ResourceNotFoundException" or time.monotonic() > deadline:
                raise
        time.sleep(2)


def _loopback(url: str) -> bool:
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def confirm(yes: bool) -> bool:
    if yes:
        return True
    try:
        tty = open("/dev/tty", "r+")
    except OSError:
        say("No terminal to ask on: pass --yes to start the run.")
        raise SystemExit(2)
    with tty:
        tty.write("Create these resources and run the scenario? [y/N] ")
        tty.flush()
        return tty.readline().strip().lower() in ("y", "yes")


def stack_exists(clients: Clients, stack: str) -> bool:
    try:
        st = clients("cloudformation").describe_stacks(StackName=stack)["Stacks"]
    except ClientError:
        return False
    return any(s["StackStatus"] != "DELETE_COMPLETE" for s in st)


def cleanup(run: scenario.Run, deadline_seconds: float = CLEANUP_DEADLINE) -> list:
    """evrelay destroy first, then the scaffolding, then the tag scan. Returns the leftovers."""
    start = time.monotonic()
    b = run.backend
    say("cleanup: evrelay's stack first, then the scaffolding")
    if stack_exists(b.clients, run.stack):
        try:
            scenario.destroy(run)
        except Exception as e:  # noqa: BLE001 - the scaffolding must still go (a signal is not an Exception)
            say(f"cleanup: evrelay destroy did not finish: {str(e)[:2000]}")
    left = b.scaffold.teardown(max(60.0, deadline_seconds - (time.monotonic() - start)))
    for what, cmd in left:
        say(f"cleanup: could not remove {what}\n    remove: {cmd}")
    return scenario.nothing_left(run)


def report(left: list, run: scenario.Run) -> None:
    s = run.backend.scaffold.s
    if left:
        say(scenario.format_leftovers(left))
        say(f"Find anything else by tag: aws resourcegroupstaggingapi get-resources --region {s.region} "
            f"--tag-filters Key={TAG_KEY},Values={s.run_id}  (and Key=evrelay:stack,Values={run.stack})")
    else:
        say(f"nothing left: the tag scan for {TAG_KEY}={s.run_id} and evrelay:stack={run.stack}, the VPC's "
            "endpoints, groups and interfaces, and CloudFormation's stacks found nothing")


def connect(args) -> tuple | int:
    """(a boto3 session for any Region, evrelay's AWS environment, the primary Region), or the
    exit code when the run must not start."""
    if args.endpoint_url:
        if not _loopback(args.endpoint_url):
            say(f"--endpoint-url {args.endpoint_url}: only a loopback emulator is allowed here")
            return 2

        def session_for(region):
            return boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                         region_name=region)
        region = args.region or "us-east-1"
        aws_env = {"AWS_ENDPOINT_URL": args.endpoint_url, "AWS_ACCESS_KEY_ID": "testing",
                   "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": region}
        return session_for, aws_env, region
    if os.environ.get("EVRELAY_ACCEPTANCE") != "1" or not os.environ.get("AWS_PROFILE"):
        say("Not starting: a real-account run needs EVRELAY_ACCEPTANCE=1 and AWS_PROFILE (see tests/acceptance/README.md).")
        return 2

    def session_for(region):
        return boto3.session.Session(profile_name=os.environ["AWS_PROFILE"], region_name=region)
    region = session_for(args.region).region_name
    if not region:
        say("No region: set AWS_REGION or pass --region.")
        return 2
    aws_env = {k: v for k, v in os.environ.items() if k.startswith("AWS_") and k != "AWS_ENDPOINT_URL"}
    aws_env["AWS_REGION"] = region
    return session_for, aws_env, region


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--yes", action="store_true", help="start without asking")
    ap.add_argument("--region", help="default: AWS_REGION, then the profile's region")
    ap.add_argument("--secondary-region", help="run the relay pair's scenario, its secondary in this Region")
    ap.add_argument("--cleanup", metavar="STATE", help="only clean up the run whose state file this is")
    ap.add_argument("--endpoint-url", help="an emulator on loopback (tests only)")
    ap.add_argument("--run-dir", help="where the state file and evrelay.toml go (default: a temp dir)")
    args = ap.parse_args(argv)

    got = connect(args)
    if isinstance(got, int):
        return got
    session_for, aws_env, region = got
    if args.secondary_region or (args.cleanup and is_pair_state(args.cleanup)):
        import real_account_pair  # the pair's run (its own module: this one is the single Region's)
        return real_account_pair.main(args, session_for, aws_env, region)
    session = session_for(region)
    clients = Clients(session, endpoint_url=args.endpoint_url)

    if args.cleanup:
        sc = Scaffold.load(clients, args.cleanup, log=say, poll=2.0 if args.endpoint_url else 10.0)
        run_dir = os.path.dirname(os.path.abspath(args.cleanup))
    else:
        who = clients("sts").get_caller_identity()
        rid = f"evacc-{datetime.now(timezone.utc):%m%d%H%M}-{uuid.uuid4().hex[:4]}"
        say(plan_text(account=who["Account"], arn=who["Arn"], region=session.region_name, run_id=rid))
        try:
            go = confirm(args.yes)
        except (KeyboardInterrupt, EOFError):
            go = False
        if not go:
            say("\nCancelled: nothing was created.")
            return 1
        run_dir = args.run_dir or tempfile.mkdtemp(prefix=f"{rid}-", dir=None)
        os.makedirs(run_dir, exist_ok=True)
        sc = Scaffold(clients, ScaffoldState(run_id=rid, region=session.region_name),
                      os.path.join(run_dir, "scaffold.json"), log=say, poll=2.0 if args.endpoint_url else 10.0)
        say(f"run {rid}: state in {sc.path}. If this machine dies, finish the cleanup with\n"
            f"    .venv/bin/python tests/acceptance/real_account.py --cleanup {sc.path}\n"
            f"or remove by hand what carries the tag {TAG_KEY}={rid} (README: 'Cleaning up by hand').")

    stack = sc.s.run_id
    ev = Evrelay(evrelay_bin(), evrelay_env(aws_env, os.path.join(run_dir, "evrelay.toml")), stack, log=say)
    backend = RealBackend(clients, sc)
    if args.endpoint_url:
        backend.dlq_timeout = backend.deliver_timeout = 60.0
        backend.scan_timeout, backend.outcome_lag, backend.poll = 0.0, 0.0, 1.0
    run = scenario.Run(ev, backend, stack, log=say)
    signals = Signals()
    passed = False
    t0 = time.monotonic()
    try:
        if not args.cleanup:
            sc.create()
            say("scaffolding ready; the scenario starts")
            scenario.play(run)
            passed = True
            say(f"scenario passed in {time.monotonic() - t0:.0f}s")
    except Interrupted as e:
        say(f"\n{e}: stopping the scenario")
    except KeyboardInterrupt:
        say("\nSIGINT: stopping the scenario")
    except BaseException:  # noqa: BLE001 - every failure still cleans up
        say("the scenario failed:\n" + traceback.format_exc(limit=6))
    finally:
        signals.cleaning = True
        try:
            left = cleanup(run)
        except BaseException:  # noqa: BLE001 - abandoned or broken: say what may be left
            say("cleanup stopped:\n" + traceback.format_exc(limit=4))
            left = ["unknown"]
            say(f"Find what is left by tag: aws resourcegroupstaggingapi get-resources --region {sc.s.region} "
                f"--tag-filters Key={TAG_KEY},Values={sc.s.run_id}; finish with --cleanup {sc.path}")
        else:
            report(left, run)
    say(f"total {time.monotonic() - t0:.0f}s")
    return 0 if (passed or args.cleanup) and not left else 1


if __name__ == "__main__":
    sys.exit(main())
