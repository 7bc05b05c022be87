"""The acceptance scenario against the emulator (the default, in CI) and, with
EVRELAY_ACCEPTANCE=1 and AWS_PROFILE, against a real account.

    .venv/bin/python -m pytest tests/acceptance -q
    EVRELAY_ACCEPTANCE=1 AWS_PROFILE=sandbox AWS_REGION=us-east-1 \\
        .venv/bin/python -m pytest tests/acceptance -q -s --yes

On the emulator the scaffolding (VPC, subnets, internal ALB, the target function) is made in
moto by the same code that makes it on AWS; the sandbox answers for the ALB (any ALB's DNS name
reaches its receiver, which checks the key against the stack's secret) and runs the relay.
"""

from __future__ import annotations

import base64
import importlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid

import boto3
import pytest
from botocore.exceptions import ClientError

from backend_choice import BIN, REAL, emulator, needs_binary
from evrelay_cli import Evrelay, evrelay_env
from foreground import in_foreground
from moto_proc import BOTO_CONFIG, REGION
from scaffold import Clients, Scaffold, ScaffoldState
import scenario
from tagscan import leftovers

HERE = os.path.dirname(os.path.abspath(__file__))


class EmulatorBackend(scenario.Backend):
    name = "emulator"

    def __init__(self, clients, scaffold, sandbox):
        super().__init__(clients, scaffold)
        self.sandbox = sandbox

    def after_deploy(self, stack: str) -> None:
        self.sandbox.cli("hook", "--stack", stack)

    def refuse(self, on: bool) -> None:
        self.sandbox.control(mode="reject" if on else "ok")

    def endpoint_outcomes(self, event_id: str) -> dict[str, int]:
        seen = self.sandbox.stats()["by_event_id"].get(event_id) or {"received": 0, "accepted": 0}
        return {"accepted": seen["accepted"], "refused": seen["received"] - seen["accepted"]}


def emulator_clients(endpoint: str) -> Clients:
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                    region_name=REGION)
    return Clients(session, endpoint_url=endpoint, config=BOTO_CONFIG)


def run_id() -> str:
    return f"evacc-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def scaffolded(sandbox, tmp_path):
    """The run's scaffolding in the emulator; torn down afterwards whatever happened."""
    clients = emulator_clients(sandbox.endpoint)
    rid = run_id()
    sc = Scaffold(clients, ScaffoldState(run_id=rid, region=REGION), str(tmp_path / "scaffold.json"),
                  log=lambda m: print(m), poll=0.2)
    sc.create()
    yield clients, sc
    sc.teardown(deadline_seconds=30)


# ---- the scenario --------------------------------------------------------------------------------

@emulator
@needs_binary
def test_scenario_on_the_emulator(sandbox, scaffolded, tmp_path):
    clients, sc = scaffolded
    stack = sc.s.run_id
    # The app checks this stack's own secret only, as the real target does.
    sandbox.control(mode="ok", reset=True, api_key=None, stack=stack, secret_id=None)
    env = evrelay_env({k: v for k, v in sandbox.env.items() if k.startswith("AWS_")}, str(tmp_path / "evrelay.toml"))
    run = scenario.Run(Evrelay(BIN, env, stack), EmulatorBackend(clients, sc, sandbox), stack)

    scenario.play(run)

    assert sc.teardown(deadline_seconds=30) == []
    left = scenario.nothing_left(run)
    assert left == [], scenario.format_leftovers(left)


# ---- the scaffolding's own lifecycle (the real-account cleanup path) ----------------------------

@emulator
def test_scaffolding_is_created_tagged_and_torn_down_to_nothing(sandbox, tmp_path):
    clients = emulator_clients(sandbox.endpoint)
    rid = run_id()
    sc = Scaffold(clients, ScaffoldState(run_id=rid, region=REGION), str(tmp_path / "s.json"), log=print, poll=0.2)
    s = sc.create()

    ec2 = clients("ec2")
    vpc_attrs = {a: ec2.describe_vpc_attribute(VpcId=s.vpc_id, Attribute=a)
                 for a in ("enableDnsSupport", "enableDnsHostnames")}
    assert all(v[k[0].upper() + k[1:]]["Value"] for k, v in vpc_attrs.items()), vpc_attrs
    assert len(set(s.azs)) == 2
    lb = clients("elbv2").describe_load_balancers(LoadBalancerArns=[s.alb_arn])["LoadBalancers"][0]
    assert lb["Scheme"] == "internal"
    assert clients("lambda").get_function_configuration(FunctionName=s.function_name).get("VpcConfig", {}).get("SubnetIds") in (None, [])
    found = {x.kind for x in leftovers(clients, "no-such-stack", rid, s.vpc_id, (s.role_name,))}
    assert {"vpc", "subnet", "security group", "load balancer", "target group", "Lambda function",
            "log group", "IAM role"} <= found, found

    # A second process picks up from the state file, as `real_account.py --cleanup` does.
    again = Scaffold.load(clients, str(tmp_path / "s.json"), log=print, poll=0.2)
    assert again.teardown(deadline_seconds=30) == []
    assert leftovers(clients, "no-such-stack", rid, s.vpc_id, (s.role_name,)) == []


class HeldGroup:
    """An EC2 client whose DeleteSecurityGroup answers DependencyViolation for one group while
    `held` lasts, as AWS does while a deleted ALB's or VPC function's interfaces still use it
    (moto deletes a group, subnet or VPC with interfaces in it: notes in README.md)."""

    def __init__(self, ec2, group_id: str, held: int):
        self._ec2, self.group_id, self.held, self.refused = ec2, group_id, held, 0

    def delete_security_group(self, GroupId):
        if GroupId == self.group_id and self.held:
            self.held -= 1
            self.refused += 1
            raise ClientError({"Error": {"Code": "DependencyViolation",
                                         "Message": f"resource {GroupId} has a dependent object"}}, "DeleteSecurityGroup")
        return self._ec2.delete_security_group(GroupId=GroupId)

    def __getattr__(self, name):
        return getattr(self._ec2, name)


def holding(clients: Clients, group_id: str, held: int) -> HeldGroup:
    fake = HeldGroup(clients("ec2"), group_id, held)
    clients._c["ec2"] = fake
    return fake


@emulator
def test_teardown_retries_a_group_an_interface_still_holds(sandbox):
    clients = emulator_clients(sandbox.endpoint)
    sc = Scaffold(clients, ScaffoldState(run_id=run_id(), region=REGION), None, log=print, poll=0.05)
    s = sc.create()
    held = holding(clients, s.alb_sg_id, held=3)

    assert sc.teardown(deadline_seconds=30) == []
    assert held.refused == 3
    assert leftovers(clients, "no-such-stack", s.run_id, s.vpc_id, (s.role_name,)) == []


@emulator
def test_what_teardown_cannot_remove_is_listed_with_the_command_that_removes_it(sandbox):
    clients = emulator_clients(sandbox.endpoint)
    sc = Scaffold(clients, ScaffoldState(run_id=run_id(), region=REGION), None, log=print, poll=0.05)
    s = sc.create()
    held = holding(clients, s.alb_sg_id, held=10**6)

    left = dict(sc.teardown(deadline_seconds=0))
    assert left == {
        f"security group {s.alb_sg_id}": f"aws ec2 delete-security-group --region {REGION} --group-id {s.alb_sg_id}",
        f"VPC {s.vpc_id}": f"aws ec2 delete-vpc --region {REGION} --vpc-id {s.vpc_id}",
    }, left
    scan = {x.ident: x.command for x in leftovers(clients, "no-such-stack", s.run_id, s.vpc_id, (s.role_name,))}
    assert scan == {
        s.alb_sg_id: f"aws ec2 delete-security-group --region {REGION} --group-id {s.alb_sg_id}",
        s.vpc_id: f"aws ec2 delete-vpc --region {REGION} --vpc-id {s.vpc_id}",
    }, scan

    held.held = 0  # the interface is released: a second teardown finishes the job
    assert sc.teardown(deadline_seconds=30) == []
    assert leftovers(clients, "no-such-stack", s.run_id, s.vpc_id) == []


# ---- a real account ----------------------------------------------------------------------------

@pytest.mark.skipif(not REAL, reason="real-account run: set EVRELAY_ACCEPTANCE=1 and AWS_PROFILE (see tests/acceptance/README.md)")
@needs_binary
def test_scenario_on_a_real_account(pytestconfig, capsys):
    if pytestconfig.getoption("--secondary-region"):
        pytest.skip("--secondary-region: the relay pair's run (test_acceptance_pair.py) replaces this one")
    # The run prints its cost, asks, and reports progress itself: let it reach the terminal.
    args = [sys.executable, os.path.join(HERE, "real_account.py")]
    if pytestconfig.getoption("--yes"):
        args.append("--yes")
    with capsys.disabled():
        rc = in_foreground(args)
    assert rc == 0, f"the acceptance run on account profile {os.environ['AWS_PROFILE']} failed (exit {rc}); see its output above"


# ---- the real-account runner's cleanup, against the emulator ---------------------------------------

def test_the_real_account_run_refuses_without_the_variable(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("EVRELAY_ACCEPTANCE", "AWS_PROFILE")}
    r = subprocess.run([sys.executable, os.path.join(HERE, "real_account.py"), "--yes"], env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert r.stdout.strip() == ("Not starting: a real-account run needs EVRELAY_ACCEPTANCE=1 and AWS_PROFILE "
                                "(see tests/acceptance/README.md).")


@emulator
@needs_binary
def test_sigterm_mid_run_cleans_up_everything(sandbox, tmp_path):
    clients = emulator_clients(sandbox.endpoint)
    p = subprocess.Popen([sys.executable, "-u", os.path.join(HERE, "real_account.py"), "--yes",
                          "--endpoint-url", sandbox.endpoint, "--run-dir", str(tmp_path)],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    out = []
    try:
        for line in p.stdout:  # stop it once deployed: the stack, its endpoints and the scaffolding exist
            out.append(line)
            if line.startswith("$ evrelay") and " send " in line:
                p.send_signal(signal.SIGTERM)
                break
        out += p.stdout.readlines()
        rc = p.wait(timeout=120)
    finally:
        if p.poll() is None:
            p.kill()
    text = "".join(out)
    assert rc == 1, text
    assert "SIGTERM: stopping the scenario" in text, text
    assert [ln for ln in text.splitlines() if ln.startswith("$ evrelay") and " destroy --yes" in ln], text
    assert "nothing left: the tag scan" in text, text
    state = json.load(open(tmp_path / "scaffold.json"))
    assert state["vpc_id"] and state["alb_arn"], state
    assert leftovers(clients, state["run_id"], state["run_id"], state["vpc_id"], (state["role_name"],)) == []


# ---- the real target and the real backend's probes, against the emulator --------------------------

def alb_event(body: dict, key: str | None, b64: bool = False) -> dict:
    """What an ALB hands a Lambda target (Lambda target groups, multi-value headers off)."""
    raw = json.dumps(body)
    headers = {"host": "internal-x.elb.amazonaws.com", "content-type": "application/json"}
    if key is not None:
        headers["api-key"] = key
    return {"requestContext": {"elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:::targetgroup/x/1"}},
            "httpMethod": "POST", "path": "/", "queryStringParameters": {}, "headers": headers,
            "body": base64.b64encode(raw.encode()).decode() if b64 else raw, "isBase64Encoded": b64}


@emulator
def test_the_target_checks_the_key_from_the_secret_and_refuses_when_told(sandbox, monkeypatch, capsys):
    sm = emulator_clients(sandbox.endpoint)("secretsmanager")
    arn = sm.create_secret(Name=f"{run_id()}-api-key", SecretString="k-" + uuid.uuid4().hex)["ARN"]
    key = sm.get_secret_value(SecretId=arn)["SecretString"]
    for k, v in {"AWS_ENDPOINT_URL": sandbox.endpoint, "AWS_ACCESS_KEY_ID": "testing",
                 "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION,
                 "SECRET_ARN": arn, "REFUSE": "0"}.items():
        monkeypatch.setenv(k, v)
    import target_app
    target_app = importlib.reload(target_app)  # its client is made at import, as on Lambda

    ok = target_app.handler(alb_event({"detail": {"event-id": "t-1"}}, key), None)
    assert ok["statusCode"] == 200
    assert json.loads(ok["body"]) == {"success": True, "message": "Event id t-1 received."}
    assert target_app.handler(alb_event({"detail": {"event-id": "t-2"}}, key, b64=True), None)["statusCode"] == 200
    assert target_app.handler(alb_event({"detail": {"event-id": "t-3"}}, "wrong"), None)["statusCode"] == 401
    assert target_app.handler(alb_event({"detail": {"event-id": "t-4"}}, None), None)["statusCode"] == 401
    monkeypatch.setenv("REFUSE", "1")
    refused = target_app.handler(alb_event({"detail": {"event-id": "t-5"}}, key), None)
    assert refused["statusCode"] == 200 and json.loads(refused["body"])["success"] is False
    logged = capsys.readouterr().out
    assert key not in logged
    assert [json.loads(ln)["outcome"] for ln in logged.splitlines()] == [
        "accepted", "accepted", "unauthorized", "unauthorized", "refused"]


@emulator
def test_the_real_backend_reads_the_targets_record_and_flips_its_switches(sandbox, tmp_path):
    from real_account import RealBackend, secret_arn
    clients = emulator_clients(sandbox.endpoint)
    sc = Scaffold(clients, ScaffoldState(run_id=run_id(), region=REGION), None, log=print, poll=0.2)
    s = sc.create()
    try:
        arn = clients("secretsmanager").create_secret(Name=f"{s.run_id}-api-key", SecretString="x")["ARN"]
        b = RealBackend(clients, sc)
        b.after_deploy(s.run_id)
        b.refuse(True)
        env = clients("lambda").get_function_configuration(FunctionName=s.function_name)["Environment"]["Variables"]
        assert env == {"SECRET_ARN": arn, "REFUSE": "1"} and secret_arn(clients, s.run_id) == arn

        logs = clients("logs")
        logs.create_log_stream(logGroupName=s.log_group, logStreamName="2026/12/04/[$LATEST]abc")
        lines = [{"event-id": "e-1", "outcome": "refused"}] * 3 + [{"event-id": "e-1", "outcome": "accepted"},
                                                                   {"event-id": "e-10", "outcome": "accepted"}]
        now = int(time.time() * 1000)
        logs.put_log_events(logGroupName=s.log_group, logStreamName="2026/12/04/[$LATEST]abc", logEvents=[
            {"timestamp": now, "message": "START RequestId: 1 Version: $LATEST"},
            *[{"timestamp": now + i, "message": json.dumps(ln)} for i, ln in enumerate(lines, 1)]])
        assert b.endpoint_outcomes("e-1") == {"refused": 3, "accepted": 1}
    finally:
        assert sc.teardown(deadline_seconds=30) == []


@emulator
def test_without_yes_or_a_terminal_the_run_stops_before_creating_anything(sandbox):
    ec2 = emulator_clients(sandbox.endpoint)("ec2")
    ours = [{"Name": "tag-key", "Values": ["evrelay-acceptance"]}]
    before = len(ec2.describe_vpcs(Filters=ours)["Vpcs"])
    r = subprocess.run([sys.executable, os.path.join(HERE, "real_account.py"), "--endpoint-url", sandbox.endpoint],
                       capture_output=True, text=True, timeout=60, start_new_session=True, stdin=subprocess.DEVNULL)
    assert r.returncode == 2, r.stdout + r.stderr
    assert r.stdout.splitlines()[-1] == "No terminal to ask on: pass --yes to start the run.", r.stdout
    assert "Expected cost" in r.stdout  # the plan came first
    assert len(ec2.describe_vpcs(Filters=ours)["Vpcs"]) == before


@emulator
def test_a_failed_step_still_cleans_up(sandbox, tmp_path):
    clients = emulator_clients(sandbox.endpoint)
    env = {**os.environ, "EVRELAY_BIN": "/bin/false"}  # discover fails at once
    r = subprocess.run([sys.executable, os.path.join(HERE, "real_account.py"), "--yes", "--endpoint-url",
                        sandbox.endpoint, "--run-dir", str(tmp_path)], env=env, capture_output=True, text=True,
                       timeout=120, stdin=subprocess.DEVNULL)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "the scenario failed:" in r.stdout and "discover" in r.stdout, r.stdout
    assert "nothing left: the tag scan" in r.stdout, r.stdout
    state = json.load(open(tmp_path / "scaffold.json"))
    assert leftovers(clients, state["run_id"], state["run_id"], state["vpc_id"], (state["role_name"],)) == []


@emulator
def test_what_evrelay_left_is_found_by_its_stack_tag(sandbox):
    clients = emulator_clients(sandbox.endpoint)
    stack = run_id()
    tags = {"evrelay:managed": "true", "evrelay:stack": stack}
    url = clients("sqs").create_queue(QueueName=f"{stack}-dlq", tags=tags)["QueueUrl"]
    secret = clients("secretsmanager").create_secret(
        Name=f"{stack}-api-key", SecretString="x", Tags=[{"Key": k, "Value": v} for k, v in tags.items()])["ARN"]
    try:
        scan = {x.kind: x.command for x in leftovers(clients, stack, "no-such-run", None)}
        assert scan == {
            "SQS queue": f"aws sqs delete-queue --region {REGION} --queue-url $(aws sqs get-queue-url --region {REGION} "
                         f"--queue-name {stack}-dlq --query QueueUrl --output text)",
            "secret": f"aws secretsmanager delete-secret --region {REGION} --secret-id {secret} --force-delete-without-recovery",
        }, scan
    finally:
        clients("sqs").delete_queue(QueueUrl=url)
        clients("secretsmanager").delete_secret(SecretId=secret, ForceDeleteWithoutRecovery=True)
    assert leftovers(clients, stack, "no-such-run", None) == []


@emulator
@needs_binary
def test_a_second_signal_abandons_the_cleanup_and_cleanup_mode_finishes_it(sandbox, tmp_path):
    clients = emulator_clients(sandbox.endpoint)
    slow = tmp_path / "evrelay-slow-destroy"  # the real binary, but destroy hangs as a 45-min wait would
    slow.write_text(f'#!/bin/sh\ncase "$*" in *--help*) exec {BIN} "$@";; esac\n'
                    f'for a in "$@"; do [ "$a" = destroy ] && exec sleep 120; done\nexec {BIN} "$@"\n')
    slow.chmod(0o755)
    runner = [sys.executable, "-u", os.path.join(HERE, "real_account.py"), "--endpoint-url", sandbox.endpoint]
    p = subprocess.Popen([*runner, "--yes", "--run-dir", str(tmp_path)], env={**os.environ, "EVRELAY_BIN": str(slow)},
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    out = []
    try:
        for line in p.stdout:
            out.append(line)
            if line.startswith("$ evrelay") and (" send " in line or " destroy " in line):
                p.send_signal(signal.SIGTERM)  # stop the scenario; then, in cleanup, ask once
            if line.startswith("SIGTERM: the cleanup goes on"):
                p.send_signal(signal.SIGTERM)  # and abandon it
        rc = p.wait(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
    text = "".join(out)
    assert rc == 1, text
    assert "cleanup stopped" in text and "--cleanup " + str(tmp_path / "scaffold.json") in text, text
    state = json.load(open(tmp_path / "scaffold.json"))
    assert leftovers(clients, state["run_id"], state["run_id"], state["vpc_id"]), "abandoned, yet nothing left?"

    r = subprocess.run([*runner, "--cleanup", str(tmp_path / "scaffold.json")], capture_output=True, text=True,
                       timeout=120, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "nothing left: the tag scan" in r.stdout, r.stdout
    assert leftovers(clients, state["run_id"], state["run_id"], state["vpc_id"], (state["role_name"],)) == []
