"""Health at a glance, end to end in the sandbox: the sandbox plays the relay and publishes the
metrics AWS would emit for it (metrics.py), and the real `evrelay status` reads them back through
the strict emulator's CloudWatch and names the verdict: healthy after two deliveries, failing
once the endpoint fails and an event lands in the DLQ. A burst's backlog, the DLQ alarm and
`evrelay top` on sandbox runs: test_health_burst.py, test_health_alarms.py, test_health_top.py
(which use the helpers here to run the binary as an operator would).

    cargo build && .venv/bin/python -m pytest tests/sandbox/test_health_verdicts.py -q
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from unittest import mock

import pytest

import metrics
from lambda_service import LambdaService
from moto_proc import MotoServer
from receiver_app import ReceiverServer, ReceiverState
from sandbox_code import REGION, evrelay_bin
from seed_account import seed_account
from test_metrics import put
from test_sandbox import create_relay_stack, wait_for


@pytest.fixture(scope="module")
def own_moto():
    """A seeded moto for one module, evaluating alarms (EVRELAY_EMULATOR_EVALUATE_ALARMS=1: the
    emulator's process-wide switch; the session's moto keeps the states its tests set). Where the
    binary deploys: its VPC endpoint stays listed as `deleted` after destroy, as AWS lists one
    for a while, and the session's tests expect none."""
    with mock.patch.dict(os.environ, {"EVRELAY_EMULATOR_EVALUATE_ALARMS": "1"}):
        m = MotoServer().start()  # the child takes the environment as it starts
    try:
        seed_account(m.client("ec2"), m.client("elbv2"))
        yield m
    finally:
        m.stop()


@pytest.fixture
def app(own_moto):
    """The receiving app, checking keys against own_moto's Secrets Manager."""
    srv = ReceiverServer(ReceiverState(lambda: own_moto.client("secretsmanager"))).start()
    yield srv
    srv.stop()


def operator_env(moto, config_dir=None) -> dict:
    """The environment an operator's shell would have, with dummy credentials (no real profile,
    no real AWS); evrelay.toml in `config_dir` when a test deploys, never in the working tree."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_REGION=REGION, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", NO_COLOR="1")
    if config_dir:
        env["EVRELAY_CONFIG"] = os.path.join(str(config_dir), "evrelay.toml")
    return env


def evrelay(moto, *args, stdin=None, config_dir=None, timeout=180) -> subprocess.CompletedProcess:
    """The real binary pointed at the sandbox's moto; fails the test on a non-zero exit."""
    out = subprocess.run([evrelay_bin(), "--endpoint-url", moto.endpoint, *args], input=stdin, capture_output=True,
                         text=True, env=operator_env(moto, config_dir), timeout=timeout)
    assert out.returncode == 0, f"evrelay {' '.join(args)}: exit {out.returncode}\n{out.stdout}\n{out.stderr}"
    return out


def destroy(moto, svc, stack) -> None:
    """What an operator does when done: `evrelay destroy`, which also deletes the VPC endpoint
    deploy made (later tests on the same moto expect none); then the sandbox's stand-ins go."""
    evrelay(moto, "--stack", stack, "destroy", "--yes", "--delete-failed-events", "--delete-buffered-events",
            "--delete-endpoints")
    svc.unhook(stack)


def status(moto, stack) -> dict:
    """`evrelay --output json status` as an operator would run it, pointed at the sandbox."""
    out = evrelay(moto, "--stack", stack, "--output", "json", "status", "--since", "1h", timeout=120)
    return json.loads(out.stdout)


def signal(health, name) -> dict:
    [s] = [s for s in health["signals"] if s["name"] == name]
    return s


def test_status_reads_healthy_then_failing_from_what_the_sandbox_emitted(moto, seeded, receiver, evrelay_template,
                                                                         tmp_path):
    stack = f"h{uuid.uuid4().hex[:6]}"
    alb = f"http://{seeded['events']['internal_alb_dns']}/events"
    create_relay_stack(moto, seeded, evrelay_template, stack, alb, "s3cret-health-1")
    receiver.state.control({"stack": stack, "reset": True, "mode": "ok"})
    svc = LambdaService(moto.endpoint, receiver_url=receiver.url, work_dir=str(tmp_path), retry_delays=(0.05, 0.1))
    try:
        svc.hook(stack)
        # A new relay: nothing emitted yet.
        assert status(moto, stack)["health"]["verdict"]["state"] == "no_traffic_yet"

        # Two events delivered.
        put(moto, stack, "ok-1")
        put(moto, stack, "ok-2")
        wait_for(lambda: receiver.state.stats()["accepted"] == 2, what="two events accepted")
        wait_for(lambda: svc.idle(stack), what="idle")
        metrics.publisher(moto.endpoint).flush()
        healthy = status(moto, stack)["health"]
        assert healthy["verdict"]["state"] == "healthy", healthy["verdict"]
        assert healthy["verdict"]["line"].startswith("healthy: 2 delivered"), healthy["verdict"]

        # The endpoint fails (500): the next event is tried 3 times, then lands in the DLQ.
        receiver.state.control({"mode": "error"})
        put(moto, stack, "bad-1")
        wait_for(lambda: svc.status()["stacks"][stack]["stats"]["dlq_written"] == 1, timeout=30, what="the DLQ record")
        wait_for(lambda: svc.idle(stack), what="idle")
        svc.hooked[stack].runner.queues.sample()
        metrics.publisher(moto.endpoint).flush()
        failing = status(moto, stack)["health"]
        assert failing["verdict"]["state"] == "failing", failing["verdict"]
        assert "3 errors" in failing["verdict"]["line"], failing["verdict"]
        assert "DLQ 1" in failing["verdict"]["line"], failing["verdict"]
        # The same numbers as the sandbox emitted, in JSON for a CI gate.
        assert signal(failing, "relay_errors")["total"] == 3
        assert signal(failing, "relay_invocations")["total"] == 5
    finally:
        svc.stop()
        moto.client("cloudformation").delete_stack(StackName=stack)
