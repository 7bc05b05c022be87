"""The relay pair's acceptance scenario (scenario_pair.py) against the two-Region sandbox (the
default, in CI) and, with EVRELAY_ACCEPTANCE=1 and AWS_PROFILE, against a real account.

    .venv/bin/python -m pytest tests/acceptance/test_acceptance_pair.py -q
    EVRELAY_ACCEPTANCE=1 AWS_PROFILE=sandbox AWS_REGION=us-east-1 \\
        .venv/bin/python -m pytest tests/acceptance/test_acceptance_pair.py -q -s --yes \\
        --secondary-region us-west-2

On the emulator each Region's scaffolding is made in moto by scaffold.py, as on AWS; each
Region's Lambda stand-in answers any of its Region's ALB names with that Region's receiver, which
checks the key against the stack's secret in that Region.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import boto3
import pytest
import requests

from evrelay_cli import Evrelay, evrelay_env
from moto_proc import BOTO_CONFIG
from sandbox_code import evrelay_bin
from scaffold import Clients, Scaffold, ScaffoldState
import scenario_pair
from tagscan import leftovers_in_regions
from test_e2e_global import PRIMARY, SECONDARY, pair  # noqa: F401  (the two-Region sandbox fixture)

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = evrelay_bin()
needs_binary = pytest.mark.skipif(not os.access(BIN, os.X_OK), reason=f"no evrelay binary at {BIN} (cargo build)")
REAL = os.environ.get("EVRELAY_ACCEPTANCE") == "1" and bool(os.environ.get("AWS_PROFILE"))
emulator = pytest.mark.skipif(REAL, reason="EVRELAY_ACCEPTANCE=1 and AWS_PROFILE: the real-account run replaces the emulator's")


class EmulatorPairBackend(scenario_pair.PairBackend):
    name = "emulator"

    def __init__(self, clients, scaffolds, pair):  # noqa: F811 - the fixture's value
        super().__init__(clients, scaffolds)
        self.pair = pair

    def after_deploy(self, stack: str) -> None:
        for region in self.scaffolds:
            self.pair.sandbox("hook", "--stack", stack, region=region)

    def settle(self, stack: str) -> None:
        for region in self.scaffolds:
            self.pair.sandbox("wait-idle", "--stack", stack, region=region)

    def _seen(self, region: str, event_id: str) -> dict:
        return self.pair.stats(region)["by_event_id"].get(event_id) or {"received": 0, "accepted": 0}

    def endpoint_outcomes(self, region: str, event_id: str) -> dict[str, int]:
        seen = self._seen(region, event_id)
        return {"accepted": seen["accepted"], "refused": seen["received"] - seen["accepted"]}

    def keys_received(self, region: str, event_id: str) -> list[str]:
        return [q["idempotency_key"] for q in self.pair.stats(region)["last_requests"] if q["event_id"] == event_id]


def emulator_clients(endpoint: str, region: str) -> Clients:
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region)
    return Clients(session, endpoint_url=endpoint, config=BOTO_CONFIG)


def pair_scaffolds(endpoint: str, run_id: str, state_dir) -> tuple[dict, dict]:
    """Both Regions' scaffolding, one run id (one tag value); IAM is global, so the secondary's
    role is named after its Region."""
    clients = {r: emulator_clients(endpoint, r) for r in (PRIMARY, SECONDARY)}
    scaffolds = {}
    for region in (PRIMARY, SECONDARY):
        state = ScaffoldState(run_id=run_id, region=region,
                              role_name="" if region == PRIMARY else f"{run_id}-target-{region}")
        scaffolds[region] = Scaffold(clients[region], state, str(state_dir / f"scaffold-{region}.json"), poll=0.2)
    return clients, scaffolds


@pytest.fixture
def scaffolded_pair(pair, tmp_path):  # noqa: F811
    clients, scaffolds = pair_scaffolds(pair.endpoint, f"evacc-{uuid.uuid4().hex[:8]}", tmp_path)
    try:
        for sc in scaffolds.values():
            sc.create()
        yield clients, scaffolds
    finally:
        for sc in scaffolds.values():
            sc.teardown(deadline_seconds=30)


# ---- the scenario --------------------------------------------------------------------------------

@emulator
@needs_binary
def test_pair_scenario_on_the_emulator(pair, scaffolded_pair, tmp_path):  # noqa: F811
    clients, scaffolds = scaffolded_pair
    stack = scaffolds[PRIMARY].s.run_id
    # Each Region's app checks this stack's own secret there, as each real target does.
    for key in ("SANDBOX_CONTROL_URL", "SANDBOX_SECONDARY_CONTROL_URL"):
        requests.post(pair.env[key], json={"mode": "ok", "reset": True, "api_key": None, "stack": stack,
                                           "secret_id": None}, timeout=10).raise_for_status()
    env = evrelay_env({k: v for k, v in pair.env.items() if k.startswith("AWS_")}, str(tmp_path / "evrelay.toml"))
    run = scenario_pair.PairRun(Evrelay(BIN, env, stack), EmulatorPairBackend(clients, scaffolds, pair),
                                stack, PRIMARY, SECONDARY)

    scenario_pair.play(run)

    for sc in scaffolds.values():
        assert sc.teardown(deadline_seconds=30) == []
    left = scenario_pair.nothing_left(run)
    assert left == [], "left behind:\n" + "\n".join(map(str, left))
    # The health check as status showed it at each step (what a real run records for AWS).
    steps = [f["step"] for f in run.findings]
    assert steps == ["status after deploy", "failover start", "status after failover start",
                     "failover stop", "status after failover stop"], steps
