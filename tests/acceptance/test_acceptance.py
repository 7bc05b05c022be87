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

import os
import subprocess
import sys
import uuid

import boto3
import pytest

from evrelay_cli import Evrelay, evrelay_env
from moto_proc import BOTO_CONFIG, REGION
from sandbox_code import evrelay_bin
from scaffold import Clients, Scaffold, ScaffoldState
import scenario
from tagscan import leftovers

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = evrelay_bin()
needs_binary = pytest.mark.skipif(not os.access(BIN, os.X_OK), reason=f"no evrelay binary at {BIN} (cargo build)")


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

@needs_binary
def test_scenario_on_the_emulator(sandbox, scaffolded, tmp_path):
    clients, sc = scaffolded
    sandbox.control(mode="ok", reset=True, api_key=None, stack=None, secret_id=None)
    stack = sc.s.run_id
    env = evrelay_env({k: v for k, v in sandbox.env.items() if k.startswith("AWS_")}, str(tmp_path / "evrelay.toml"))
    run = scenario.Run(Evrelay(BIN, env, stack), EmulatorBackend(clients, sc, sandbox), stack)

    scenario.play(run)

    assert sc.teardown(deadline_seconds=30) == []
    left = scenario.nothing_left(run)
    assert left == [], scenario.format_leftovers(left)


# ---- the scaffolding's own lifecycle (the real-account cleanup path) ----------------------------

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
    assert {"vpc", "subnet", "security-group", "load balancer", "target group", "Lambda function",
            "log group", "IAM role"} <= found, found

    # A second process picks up from the state file, as `real_account.py --cleanup` does.
    again = Scaffold.load(clients, str(tmp_path / "s.json"), log=print, poll=0.2)
    assert again.teardown(deadline_seconds=30) == []
    assert leftovers(clients, "no-such-stack", rid, s.vpc_id, (s.role_name,)) == []


def test_a_leftover_is_listed_with_the_command_that_removes_it(sandbox, tmp_path):
    clients = emulator_clients(sandbox.endpoint)
    rid = run_id()
    sc = Scaffold(clients, ScaffoldState(run_id=rid, region=REGION), None, log=print, poll=0.2)
    s = sc.create()
    try:
        sg = s.alb_sg_id
        ec2 = clients("ec2")
        # An interface still using the ALB's group: the group and the subnet stay.
        eni = ec2.create_network_interface(SubnetId=s.subnet_ids[0], Groups=[sg], Description="a stuck interface")
        left = sc.teardown(deadline_seconds=0)
        assert ("security group " + sg) in [w for w, _ in left], left
        cmd = dict(left)["security group " + sg]
        assert cmd == f"aws ec2 delete-security-group --region {REGION} --group-id {sg}"
        scan = {x.ident: x.command for x in leftovers(clients, "no-such-stack", rid, s.vpc_id)}
        eni_id = eni["NetworkInterface"]["NetworkInterfaceId"]
        assert eni_id in scan and "delete-network-interface" in scan[eni_id], scan
        ec2.delete_network_interface(NetworkInterfaceId=eni_id)
    finally:
        assert sc.teardown(deadline_seconds=30) == []
    assert leftovers(clients, "no-such-stack", rid, s.vpc_id) == []


# ---- a real account ----------------------------------------------------------------------------

REAL = os.environ.get("EVRELAY_ACCEPTANCE") == "1" and bool(os.environ.get("AWS_PROFILE"))


@pytest.mark.skipif(not REAL, reason="real-account run: set EVRELAY_ACCEPTANCE=1 and AWS_PROFILE (see tests/acceptance/README.md)")
@needs_binary
def test_scenario_on_a_real_account(pytestconfig, capsys):
    # The run prints its cost, asks, and reports progress itself: let it reach the terminal.
    args = [sys.executable, os.path.join(HERE, "real_account.py")]
    if pytestconfig.getoption("--yes"):
        args.append("--yes")
    with capsys.disabled():
        rc = subprocess.call(args)
    assert rc == 0, f"the acceptance run on account profile {os.environ['AWS_PROFILE']} failed (exit {rc}); see its output above"
